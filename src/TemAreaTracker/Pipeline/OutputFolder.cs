using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TemAreaTracker.Pipeline;

/// <summary>A file or folder a command reads, which its output folder may neither be nor contain.</summary>
/// <param name="Role">How messages name it: "movie", "ROI file", "areas.csv", "input A".</param>
/// <param name="Path">As the user gave it.</param>
public sealed record CommandInput(string Role, string Path);

/// <summary>
/// A command's output folder, written atomically and never at the cost of a user's files. Every command (track, fit,
/// compare, simulate) writes through it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The folder may neither be nor contain an input (<see cref="CommandInput"/>); it is refused before any work.</item>
/// <item>Everything is written into a hidden sibling, <c>.NAME.partial-HOST-PID-START-RAND</c>, renamed to the folder only
/// once complete, so a failed or interrupted run leaves nothing behind and an existing folder is replaced (with overwrite,
/// the CLI's <c>--force</c>) only after success.</item>
/// <item>Every output folder carries a marker, <see cref="MarkerFile"/> (command, tool version, time, host, the files
/// written). Overwrite replaces only a folder that holds nothing but what its marker lists, or, unmarked (written before
/// markers), nothing but files this command writes; otherwise it refuses, naming one foreign file.</item>
/// <item>Temporary folders left by a killed run beside the output are removed by the next run once their owner is
/// provably gone (<see cref="OutputOwner"/>); an old output moved aside by a run killed before the new one took its place
/// is moved back.</item>
/// <item>A write that fails for want of space or permission is one line naming the folder:
/// "out: cannot write: no space left on device".</item>
/// </list>
/// </remarks>
public sealed class OutputFolder
{
    /// <summary>The marker every output folder (and temporary folder) carries.</summary>
    public const string MarkerFile = ".temtrack.json";

    /// <summary>Files operating systems drop into folders that are browsed; never counted as a user's data.</summary>
    private static readonly string[] Litter = [".DS_Store", "Thumbs.db", "desktop.ini"];

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsLinux() || OperatingSystem.IsFreeBSD() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    private readonly IReadOnlyCollection<string> _ownEntries;

    /// <param name="path">The folder, as the user gave it (a trailing separator is ignored).</param>
    /// <param name="overwrite">Replace an existing output folder once the new one is complete.</param>
    /// <param name="command">The command writing it ("track", "fit", …), recorded in the marker.</param>
    /// <param name="ownEntries">
    /// Names this command writes into the folder (a trailing "/" marks a folder): an unmarked folder holding nothing else
    /// may be replaced.
    /// </param>
    /// <param name="inputs">What the command reads: the folder may neither be nor contain any of them.</param>
    /// <param name="shownName">How messages name the folder (default: <paramref name="path"/> as given).</param>
    public OutputFolder(string path, bool overwrite, string command, IReadOnlyCollection<string> ownEntries,
        IReadOnlyList<CommandInput>? inputs = null, string? shownName = null)
    {
        ShownName = shownName ?? path;
        FullPath = Path.GetFullPath(path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        Overwrite = overwrite;
        Command = command;
        _ownEntries = ownEntries;
        Inputs = inputs ?? [];
    }

    /// <summary>The folder's absolute path.</summary>
    public string FullPath { get; }

    /// <summary>How messages name the folder.</summary>
    public string ShownName { get; }

    /// <summary>Whether an existing folder is replaced.</summary>
    public bool Overwrite { get; }

    /// <summary>The command writing it.</summary>
    public string Command { get; }

    /// <summary>What the command reads.</summary>
    public IReadOnlyList<CommandInput> Inputs { get; }

    /// <summary>True for the name of a run's temporary folder (new output being written, or old output moved aside).</summary>
    public static bool IsTemporaryName(string folderName) => OutputOwner.Parse(folderName) is not null;

    private string AlreadyExists => $"{ShownName}: output folder already exists; pass --force to replace it";

    /// <summary>
    /// Refuses, before any work is done, an output that is or contains an input, an existing one without overwrite, and
    /// one overwrite may not replace (all checked again when the new folder is complete). Removes temporary folders of
    /// runs that are provably gone beside it first.
    /// </summary>
    /// <exception cref="IOException">The folder is refused; the message is one line naming it.</exception>
    public void EnsureFree()
    {
        CheckInputs();
        SweepAbandoned();
        CheckReplaceable(AlreadyExists);
    }

    /// <summary>
    /// Creates the temporary sibling, lets <paramref name="fill"/> write into it, then renames it to <see cref="FullPath"/>
    /// (replacing an existing output only now). On failure or cancellation the temporary folder is deleted and the output
    /// is untouched.
    /// </summary>
    /// <exception cref="IOException">The output is refused (<see cref="EnsureFree"/>), or writing failed.</exception>
    /// <exception cref="RunInterruptedException"><paramref name="cancellationToken"/> was cancelled before the folder was complete.</exception>
    public T Write<T>(Func<string, T> fill, CancellationToken cancellationToken = default)
    {
        EnsureFree();
        string parent = Path.GetDirectoryName(FullPath)!;
        string temp = Path.Combine(parent, $".{Path.GetFileName(FullPath)}.partial-{OutputOwner.Token}-{Guid.NewGuid().ToString("N")[..8]}");
        string? createdAncestor = null;
        try
        {
            try
            {
                createdAncestor = FirstMissingAncestor(parent);
                Directory.CreateDirectory(parent);
                Directory.CreateDirectory(temp);
                WriteMarker(temp, complete: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CannotWrite(e);
            }
            T result;
            try
            {
                result = fill(temp);
                cancellationToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException e) when (e is not RunInterruptedException && cancellationToken.IsCancellationRequested)
            {
                throw new RunInterruptedException("interrupted while writing the outputs", cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (WriteFailure(e, temp) is Exception rewritten) throw rewritten;
                throw;
            }
            try
            {
                WriteMarker(temp, complete: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CannotWrite(e);
            }
            Publish(temp);
            return result;
        }
        catch
        {
            TryDelete(temp);
            if (createdAncestor is not null) RemoveEmptyFolders(createdAncestor, parent);
            throw;
        }
    }

    /// <summary>As <see cref="Write{T}"/>, for a fill with no result.</summary>
    public void Write(Action<string> fill, CancellationToken cancellationToken = default) =>
        Write<bool>(temp => { fill(temp); return true; }, cancellationToken);

    // ---------------------------------------------------------------- inputs

    private void CheckInputs()
    {
        string output = RealPath(FullPath);
        foreach (var input in Inputs)
        {
            if (string.IsNullOrWhiteSpace(input.Path)) continue;
            string inPath = RealPath(Path.GetFullPath(input.Path));
            if (string.Equals(inPath, output, PathComparison))
                throw new IOException($"--out {ShownName} is the {input.Role} {input.Path}; choose another output folder");
            if (Contains(output, inPath))
                throw new IOException($"--out {ShownName} contains the {input.Role} {input.Path}; choose an output folder that holds no input");
        }
    }

    private static bool Contains(string folder, string path)
    {
        string prefix = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, PathComparison);
    }

    /// <summary>The absolute path with every symbolic link among its existing components resolved.</summary>
    internal static string RealPath(string fullPath)
    {
        string path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(fullPath));
        for (int hops = 0; hops < 40; hops++)
        {
            string root = Path.GetPathRoot(path)!;
            var parts = path[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
            string current = root;
            string? resolved = null;
            for (int i = 0; i < parts.Length; i++)
            {
                string next = Path.Combine(current, parts[i]);
                string? target;
                try { target = new FileInfo(next).LinkTarget; }
                catch (IOException) { target = null; }
                catch (UnauthorizedAccessException) { target = null; }
                if (target is not null)
                {
                    resolved = Path.GetFullPath(Path.Combine(Path.GetFullPath(target, current), Path.Combine(parts[(i + 1)..])));
                    break;
                }
                if (!File.Exists(next) && !Directory.Exists(next)) return path;
                current = next;
            }
            if (resolved is null) return path;
            path = resolved;
        }
        return path;
    }

    // ---------------------------------------------------------------- what may be replaced

    /// <summary>Throws unless the output is free, or may be replaced with overwrite.</summary>
    private void CheckReplaceable(string existsMessage)
    {
        if (File.Exists(FullPath)) throw new IOException($"{ShownName}: is a file, not an output folder");
        if (!Directory.Exists(FullPath)) return;
        if (!Overwrite) throw new IOException(existsMessage);
        if (ForeignEntry(FullPath, _ownEntries) is string foreign)
            throw new IOException($"{ShownName}: holds {foreign}, which temtrack did not write; --force replaces only temtrack output folders: move it away or choose another --out");
    }

    /// <summary>
    /// The first entry (in ordinal order) of <paramref name="folder"/> that neither its marker lists nor, for an unmarked
    /// folder, <paramref name="ownEntries"/> names; null when the folder may be replaced.
    /// </summary>
    internal static string? ForeignEntry(string folder, IReadOnlyCollection<string> ownEntries)
    {
        var marker = ReadMarker(folder);
        var allowed = new HashSet<string>(marker?.Files ?? ownEntries, StringComparer.Ordinal) { MarkerFile };
        foreach (var l in Litter) allowed.Add(l);
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            bool isFolder = entry is DirectoryInfo && entry.LinkTarget is null;
            string name = isFolder ? entry.Name + "/" : entry.Name;
            if (!allowed.Contains(name)) return name;
        }
        return null;
    }

    // ---------------------------------------------------------------- the marker

    private sealed record Marker(string? Command, IReadOnlyList<string>? Files, string? BootId, bool Partial);

    private void WriteMarker(string folder, bool complete)
    {
        var o = new JsonObject
        {
            ["tool"] = "temtrack",
            ["command"] = Command,
            ["version"] = ToolVersion.Current,
            ["created_utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["host"] = Environment.MachineName,
            ["pid"] = Environment.ProcessId,
            ["process_start"] = OutputOwner.Start.ToString(CultureInfo.InvariantCulture),
            ["boot_id"] = OutputOwner.BootId,
            ["state"] = complete ? "complete" : "partial",
        };
        if (complete)
        {
            var files = new JsonArray();
            foreach (var e in new DirectoryInfo(folder).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
                if (e.Name != MarkerFile) files.Add(e is DirectoryInfo && e.LinkTarget is null ? e.Name + "/" : e.Name);
            o["files"] = files;
        }
        File.WriteAllText(Path.Combine(folder, MarkerFile), o.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }) + "\n");
    }

    /// <summary>The folder's marker, or null when it has none (or none that reads as ours).</summary>
    private static Marker? ReadMarker(string folder)
    {
        string path = Path.Combine(folder, MarkerFile);
        try
        {
            if (!File.Exists(path) || new FileInfo(path).Length > 1 << 20) return null;
            if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject o || (string?)o["tool"] != "temtrack") return null;
            var files = o["files"] is JsonArray a ? a.Select(x => (string?)x).OfType<string>().ToList() : null;
            return new Marker((string?)o["command"], files, (string?)o["boot_id"], (string?)o["state"] == "partial");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    // ---------------------------------------------------------------- temporary folders of runs that are gone

    /// <summary>
    /// Removes the temporary folders beside the output whose runs are provably gone; an old output moved aside by such a
    /// run whose new output never took its place is moved back instead. A folder is only removed when it is ours: its
    /// marker says it is a partial output, or it is empty, or it has a name only this tool gives.
    /// </summary>
    private void SweepAbandoned()
    {
        string parent = Path.GetDirectoryName(FullPath)!;
        if (!Directory.Exists(parent)) return;
        DirectoryInfo[] candidates;
        try { candidates = new DirectoryInfo(parent).GetDirectories(".*"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        var now = DateTime.UtcNow;
        foreach (var dir in candidates)
        {
            if (dir.LinkTarget is not null || OutputOwner.Parse(dir.Name) is not { } name) continue;
            try
            {
                var marker = ReadMarker(dir.FullName);
                if (!OutputOwner.IsGone(dir.FullName, name, marker?.BootId, now)) continue;
                if (name.Replaced)
                {
                    string output = Path.Combine(parent, name.Output);
                    if (!Directory.Exists(output) && !File.Exists(output)) Directory.Move(dir.FullName, output);
                    else TryDelete(dir.FullName);
                }
                else if (marker is { Partial: true } || name.Host is null || !dir.EnumerateFileSystemInfos().Any())
                    TryDelete(dir.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    // ---------------------------------------------------------------- putting the new folder in place

    private void Publish(string temp)
    {
        try
        {
            CheckReplaceable($"{ShownName}: output folder appeared while writing it; pass --force to replace it");
            if (!Directory.Exists(FullPath))
            {
                Directory.Move(temp, FullPath);
                return;
            }
            // The old output is moved aside first, and deleted only once the new one is in place (moved back if that fails).
            string old = Path.Combine(Path.GetDirectoryName(FullPath)!, $".{Path.GetFileName(FullPath)}.replaced-{OutputOwner.Token}-{Guid.NewGuid().ToString("N")[..8]}");
            Directory.Move(FullPath, old);
            try
            {
                Directory.Move(temp, FullPath);
            }
            catch
            {
                try { Directory.Move(old, FullPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw;
            }
            TryDelete(old);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !e.Message.StartsWith(ShownName + ":", StringComparison.Ordinal))
        {
            throw CannotWrite(e);
        }
    }

    private IOException? WriteFailure(Exception e, string temp) => WriteFailures.Describe(e, temp, ShownName);

    private IOException CannotWrite(Exception e) => WriteFailures.CannotWrite(e, ShownName);

    // ---------------------------------------------------------------- helpers

    /// <summary>The outermost ancestor of <paramref name="folder"/> (or itself) that does not exist yet, or null.</summary>
    private static string? FirstMissingAncestor(string folder)
    {
        string? missing = null;
        for (string? f = folder; f is not null && !Directory.Exists(f); f = Path.GetDirectoryName(f)) missing = f;
        return missing;
    }

    /// <summary>Removes <paramref name="folder"/> and the folders between it and <paramref name="top"/> while they are empty.</summary>
    private static void RemoveEmptyFolders(string top, string folder)
    {
        for (string? f = folder; f is not null && f.Length >= top.Length; f = Path.GetDirectoryName(f))
        {
            try
            {
                if (!Directory.Exists(f) || Directory.EnumerateFileSystemEntries(f).Any()) return;
                Directory.Delete(f);
            }
            catch (IOException) { return; }
            catch (UnauthorizedAccessException) { return; }
        }
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
