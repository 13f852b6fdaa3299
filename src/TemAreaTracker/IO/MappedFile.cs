using System.IO.MemoryMappedFiles;

namespace TemAreaTracker.IO;

/// <summary>
/// Read-only memory map of a (possibly multi-GB) file, read one frame at a time through a short-lived view,
/// so the process maps only the frame being copied and memory stays flat however long the movie is.
/// </summary>
/// <remarks>Every read is bounds-checked against the file length first: a lying header gives a clean error, never a wild read.</remarks>
internal sealed class MappedFile : IDisposable
{
    private readonly MemoryMappedFile? _map;

    public MappedFile(string path)
    {
        Path = path;
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.RandomAccess);
        Length = fs.Length;
        if (Length == 0)
        {
            fs.Dispose();
            return;
        }
        _map = MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
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

    public void Dispose() => _map?.Dispose();
}
