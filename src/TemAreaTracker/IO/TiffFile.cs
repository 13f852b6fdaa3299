using System.Buffers.Binary;
using BitMiracle.LibTiff.Classic;

namespace TemAreaTracker.IO;

/// <summary>Opening a TIFF through LibTiff and walking its IFD chain, with LibTiff's failures turned into our errors.</summary>
internal static class TiffFile
{
    /// <summary>The format name TIFF errors and <see cref="Movie.Format"/> use.</summary>
    public const string Format = "tiff";

    /// <summary>Opens <paramref name="path"/> with LibTiff for reading.</summary>
    /// <exception cref="MovieFormatException">LibTiff cannot read its header.</exception>
    public static Tiff Open(string path)
    {
        TiffErrors.Install();
        TiffErrors.Clear();
        Tiff? t;
        try
        {
            t = Tiff.Open(path, "r");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new MovieFormatException(path, Format, $"not a readable TIFF: {e.Message}", 0, e);
        }
        return t ?? throw new MovieFormatException(path, Format, $"not a readable TIFF: {TiffErrors.Last ?? "bad header"}", 0);
    }

    /// <summary>Moves to the next IFD; false at the end of the chain and also when the next IFD cannot be read
    /// (a broken chain ends the movie rather than throwing).</summary>
    public static bool ReadNextDirectory(Tiff tif)
    {
        try
        {
            return tif.ReadDirectory();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether a TIFF has more than one page, from its header and first IFD alone (three small reads, no LibTiff): used to
    /// sort a folder's files into frames and stacks without opening thousands of them.
    /// </summary>
    /// <returns>False for one IFD, true for a chain that goes on; null when the file is not a TIFF, is damaged, or might be
    /// an ImageJ stack over 4 GB (one IFD, frames back to back), where only <see cref="TiffMovie"/> can tell.</returns>
    public static bool? HasSeveralPages(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            Span<byte> head = stackalloc byte[16];
            if (fs.ReadAtLeast(head, 16, throwOnEndOfStream: false) < 8) return null;
            bool le = head[0] == 'I' && head[1] == 'I';
            if (!le && !(head[0] == 'M' && head[1] == 'M')) return null;
            ushort version = le ? BinaryPrimitives.ReadUInt16LittleEndian(head[2..]) : BinaryPrimitives.ReadUInt16BigEndian(head[2..]);
            bool big = version == 43;
            if (version != 42 && !big) return null;
            ulong ifd = big ? U64(head[8..], le) : U32(head[4..], le);
            Span<byte> word = stackalloc byte[8];
            if (!ReadAt(fs, ifd, word[..(big ? 8 : 2)])) return null;
            ulong entries = big ? U64(word, le) : (le ? BinaryPrimitives.ReadUInt16LittleEndian(word) : BinaryPrimitives.ReadUInt16BigEndian(word));
            if (entries > 1_000_000) return null;
            ulong nextAt = big ? ifd + 8 + 20 * entries : ifd + 2 + 12 * entries;
            if (!ReadAt(fs, nextAt, word[..(big ? 8 : 4)])) return null;
            ulong next = big ? U64(word, le) : U32(word, le);
            if (next != 0) return true;
            return fs.Length > uint.MaxValue ? null : false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool ReadAt(FileStream fs, ulong offset, Span<byte> dst)
    {
        if (offset < 8 || offset > (ulong)fs.Length || (ulong)fs.Length - offset < (ulong)dst.Length) return false;
        fs.Position = (long)offset;
        return fs.ReadAtLeast(dst, dst.Length, throwOnEndOfStream: false) == dst.Length;
    }

    private static uint U32(ReadOnlySpan<byte> b, bool le) => le ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    private static ulong U64(ReadOnlySpan<byte> b, bool le) => le ? BinaryPrimitives.ReadUInt64LittleEndian(b) : BinaryPrimitives.ReadUInt64BigEndian(b);
}
