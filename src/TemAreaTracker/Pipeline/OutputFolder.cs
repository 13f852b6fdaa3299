namespace TemAreaTracker.Pipeline;

/// <summary>
/// A command's output folder, written atomically: everything goes into a hidden temporary sibling, which is renamed to
/// the folder only once complete, so a failed run leaves nothing behind and an existing folder is replaced (with
/// overwrite, the CLI's <c>--force</c>) only after success. Every command (track, fit, compare, simulate) writes through it.
/// </summary>
public sealed class OutputFolder
{
    private readonly bool _replacesFile;

    /// <param name="path">The folder, as the user gave it (a trailing separator is ignored).</param>
    /// <param name="overwrite">Replace an existing folder once the new one is complete.</param>
    /// <param name="replacesFile">
    /// False (track): a file in the folder's place is refused, with or without overwrite. True (fit, compare, simulate):
    /// it counts as an existing output and is replaced with overwrite. Each command keeps its own behaviour and wording
    /// until the outputs get markers of their own.
    /// </param>
    /// <param name="shownName">How messages name the folder (default: <paramref name="path"/> as given).</param>
    public OutputFolder(string path, bool overwrite, bool replacesFile = false, string? shownName = null)
    {
        ShownName = shownName ?? path;
        FullPath = Path.GetFullPath(path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        Overwrite = overwrite;
        _replacesFile = replacesFile;
    }

    /// <summary>The folder's absolute path.</summary>
    public string FullPath { get; }

    /// <summary>How messages name the folder.</summary>
    public string ShownName { get; }

    /// <summary>Whether an existing folder is replaced.</summary>
    public bool Overwrite { get; }

    private string AlreadyExists => _replacesFile
        ? $"{ShownName}: already exists; pass --force to replace it"
        : $"{ShownName}: output folder already exists; pass --force to replace it";

    /// <summary>Refuses an existing output before any work is done (checked again when the new folder is complete).</summary>
    /// <exception cref="IOException">The folder exists and overwrite is off, or a file is in its place.</exception>
    public void EnsureFree()
    {
        if (File.Exists(FullPath))
        {
            if (!_replacesFile) throw new IOException($"{ShownName}: is a file, not an output folder");
            if (!Overwrite) throw new IOException(AlreadyExists);
        }
        if (Directory.Exists(FullPath) && !Overwrite) throw new IOException(AlreadyExists);
    }

    /// <summary>
    /// Creates the temporary sibling, lets <paramref name="fill"/> write into it, then renames it to <see cref="FullPath"/>
    /// (replacing an existing output only now). On failure the temporary folder is deleted and the output is untouched.
    /// </summary>
    /// <exception cref="IOException">An output appeared meanwhile and overwrite is off, or writing failed.</exception>
    public T Write<T>(Func<string, T> fill)
    {
        string parent = Path.GetDirectoryName(FullPath)!;
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{Path.GetFileName(FullPath)}.partial-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(temp);
        try
        {
            var result = fill(temp);
            Publish(temp);
            return result;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>As <see cref="Write{T}"/>, for a fill with no result.</summary>
    public void Write(Action<string> fill) => Write<bool>(temp => { fill(temp); return true; });

    private void Publish(string temp)
    {
        bool folder = Directory.Exists(FullPath), file = _replacesFile && File.Exists(FullPath);
        if (folder || file)
        {
            if (!Overwrite)
                throw new IOException(_replacesFile ? AlreadyExists : $"{ShownName}: output folder appeared while writing it; pass --force to replace it");
            // The old output is moved aside first and deleted only once the new one is in place.
            string old = Path.Combine(Path.GetDirectoryName(FullPath)!, $".{Path.GetFileName(FullPath)}.replaced-{Guid.NewGuid():N}");
            if (folder) Directory.Move(FullPath, old);
            else File.Move(FullPath, old);
            Directory.Move(temp, FullPath);
            TryDelete(old);
        }
        else Directory.Move(temp, FullPath);
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else if (File.Exists(path)) File.Delete(path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
