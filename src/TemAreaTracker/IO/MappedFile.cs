using System.IO.MemoryMappedFiles;

namespace TemAreaTracker.IO;

/// <summary>
/// Read-only memory map of a (possibly multi-GB) file, read one frame at a time through a short-lived view,
/// so the process maps only the frame being copied and memory stays flat however long the movie is.
/// </summary>
/// <remarks>Every read is bounds-checked against the file length first: a lying header gives a clean error, never a wild read.</remarks>
internal sealed class MappedFile : IDisposable
{
    /// <summary>Reads up to this size go through a plain positioned read: a map view per tag or header word would cost more.</summary>
    private const int SmallRead = 64 * 1024;
    private readonly FileStream _fs;
    private readonly MemoryMappedFile? _map;

    public MappedFile(string path)
    {
        Path = path;
        _fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.RandomAccess);
        Length = _fs.Length;
        if (Length > 0)
            _map = MemoryMappedFile.CreateFromFile(_fs, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
    }

    public string Path { get; }

    /// <summary>File length in bytes.</summary>
    public long Length { get; }

    /// <summary>True when [offset, offset+count) lies inside the file.</summary>
    public bool Contains(long offset, long count) => offset >= 0 && count >= 0 && offset <= Length && count <= Length - offset;

    /// <summary>Copies <paramref name="destination"/>.Length bytes starting at <paramref name="offset"/>.</summary>
    /// <exception cref="EndOfStreamException">The range runs past the end of the file.</exception>
    public void Read(long offset, Span<byte> destination)
    {
        if (destination.Length == 0) return;
        if (!Contains(offset, destination.Length) || _map is null)
            throw new EndOfStreamException($"bytes {offset}..{offset + destination.Length} lie beyond the end of the file ({Length} bytes)");
        if (destination.Length <= SmallRead)
        {
            int got = RandomAccess.Read(_fs.SafeFileHandle, destination, offset);
            while (got < destination.Length)
            {
                int more = RandomAccess.Read(_fs.SafeFileHandle, destination[got..], offset + got);
                if (more <= 0) throw new EndOfStreamException($"file shrank while reading bytes {offset}..{offset + destination.Length}");
                got += more;
            }
            return;
        }
        using var view = _map.CreateViewAccessor(offset, destination.Length, MemoryMappedFileAccess.Read);
        view.SafeMemoryMappedViewHandle.ReadSpan((ulong)view.PointerOffset, destination);
    }

    /// <summary>Reads a small block (a header, a tag) into a new array.</summary>
    public byte[] ReadBytes(long offset, int count)
    {
        var b = new byte[count];
        Read(offset, b);
        return b;
    }

    public void Dispose()
    {
        _map?.Dispose();
        _fs.Dispose();
    }
}
