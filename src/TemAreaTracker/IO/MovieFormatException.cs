namespace TemAreaTracker.IO;

/// <summary>A file that cannot be read as the format it claims: names the file, the format and, where known, the byte offset.</summary>
public sealed class MovieFormatException : IOException
{
    public MovieFormatException(string path, string format, string problem, long? byteOffset = null, Exception? inner = null)
        : base(Compose(path, format, problem, byteOffset), inner)
    {
        FilePath = path;
        Format = format;
        Problem = problem;
        ByteOffset = byteOffset;
    }

    public string FilePath { get; }
    public string Format { get; }
    public string Problem { get; }
    public long? ByteOffset { get; }

    private static string Compose(string path, string format, string problem, long? offset) =>
        offset is long o ? $"{path}: {format}: {problem} (at byte {o})" : $"{path}: {format}: {problem}";
}
