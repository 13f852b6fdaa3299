using OpenCvSharp;

namespace TemAreaTracker.Pipeline;

/// <summary>
/// Every measured outline of a run, spooled to a file as it is tracked and read back one at a time for outlines.zip:
/// memory stays flat with movie length.
/// </summary>
internal sealed class OutlineSpool : IDisposable
{
    private readonly BinaryWriter _writer;

    /// <summary>Creates (or truncates) the spool file at <paramref name="path"/>.</summary>
    public OutlineSpool(string path)
    {
        Path = path;
        _writer = new BinaryWriter(File.Create(path));
    }

    /// <summary>The spool file.</summary>
    public string Path { get; }

    /// <summary>Appends the outline of particle number <paramref name="particle"/> in frame <paramref name="frame"/>.</summary>
    public void Add(int particle, int frame, Outline o)
    {
        _writer.Write(particle);
        _writer.Write(frame);
        _writer.Write(o.VerticesPx.Count);
        foreach (var v in o.VerticesPx) { _writer.Write(v.X); _writer.Write(v.Y); }
    }

    /// <summary>Reads the spooled outlines back lazily, named by <paramref name="names"/> (call after disposing).</summary>
    public static IEnumerable<Outline> Read(string path, IReadOnlyList<string> names)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        while (r.BaseStream.Position < r.BaseStream.Length)
        {
            int particle = r.ReadInt32(), frame = r.ReadInt32(), n = r.ReadInt32();
            var v = new Point2d[n];
            for (int i = 0; i < n; i++) v[i] = new Point2d(r.ReadDouble(), r.ReadDouble());
            yield return new Outline(names[particle], v, frame);
        }
    }

    public void Dispose() => _writer.Dispose();
}
