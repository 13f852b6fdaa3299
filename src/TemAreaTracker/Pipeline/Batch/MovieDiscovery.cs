using System.Text.RegularExpressions;
using TemAreaTracker.IO;

namespace TemAreaTracker.Pipeline.Batch;

/// <summary>
/// Finds every movie under a folder and pairs it with its outlines, as <c>temtrack batch INPUT</c> does without a manifest.
/// </summary>
/// <remarks>
/// <para>A movie is, at any depth: a file in a format <c>temtrack info</c> reads (TIFF stack, AVI/MP4/…, DM3/DM4, SER, EMD,
/// MRC); a folder whose movie files are all single images (PNG/JPEG/BMP or one-page TIFF/DM), two or more, read as frames
/// in natural order; a Gatan in-situ tree (a folder holding <c>Hour_xx</c> folders) as one movie. A folder holding one
/// multi-page file simply holds that movie. Hidden files and folders (".name"), the output folder and any other folder
/// temtrack wrote (a batch folder, a track output) are never searched.</para>
/// <para>Outlines: a file with the movie's stem and <c>.zip</c>, <c>.roi</c> or <c>.json</c> beside it (beside the folder,
/// for a frames folder or an in-situ tree), else a <c>RoiSet.zip</c> in the same folder when no other movie there could
/// claim it. Without outlines a movie is skipped unless <c>--auto</c>; two stem-named outline files, a RoiSet.zip shared
/// by several movies, a single image (one frame), single images mixed with movie files, and two movies whose ids collide
/// are skipped with the reason.</para>
/// </remarks>
public static partial class MovieDiscovery
{
    /// <summary>Outline file extensions, in the order a stem-named file is looked for.</summary>
    public static IReadOnlyList<string> OutlineExtensions { get; } = [".zip", ".roi", ".json"];

    /// <summary>The folder-level outline file name (ImageJ's ROI Manager default).</summary>
    public const string RoiSetName = "RoiSet.zip";

    /// <summary>
    /// Every movie under <paramref name="input"/>, sorted by id (ordinal), each paired with its outlines or marked skipped.
    /// </summary>
    /// <param name="input">The folder to search (any depth).</param>
    /// <param name="outputDirectory">The batch output folder: never searched when inside <paramref name="input"/>.</param>
    /// <param name="auto">Movies without outlines run with detected particles instead of being skipped.</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="input"/> is not a folder.</exception>
    public static IReadOnlyList<BatchMovie> Find(string input, string? outputDirectory, bool auto)
    {
        string root = Path.GetFullPath(input.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{input}: no such folder");
        string? outDir = outputDirectory is null ? null : Path.GetFullPath(outputDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        var found = new List<Found>();
        Walk(root, outDir, found);
        var paths = found.Where(f => f.SkipReason is null).Select(f => f.Path).ToList();
        var movies = found.Select(f => Pair(root, f, auto, paths)).ToList();
        return Finish(movies);
    }

    /// <summary>Marks movies whose ids collide as skipped, then sorts by id.</summary>
    internal static IReadOnlyList<BatchMovie> Finish(List<BatchMovie> movies)
    {
        foreach (var group in movies.GroupBy(m => m.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).ToList())
        {
            var paths = group.Select(m => m.RelativePath).Order(StringComparer.Ordinal).ToList();
            foreach (var m in group)
            {
                int i = movies.IndexOf(m);
                movies[i] = m with
                {
                    NotRun = m.NotRun ?? BatchStatus.Skipped,
                    Reason = m.Reason ?? $"movie-id '{m.Id}' is shared by {string.Join(" and ", paths)}; rename one of them",
                };
            }
        }
        return movies.OrderBy(m => m.Id, StringComparer.Ordinal).ThenBy(m => m.RelativePath, StringComparer.Ordinal).ToList();
    }

    private enum Kind { File, Frames, InSitu }

    private sealed record Found(string Path, Kind Kind, string? SkipReason = null);

    private static void Walk(string dir, string? outDir, List<Found> found)
    {
        if (outDir is not null && string.Equals(dir, outDir, StringComparison.Ordinal)) return;
        if (IsToolOutput(dir)) return;
        string[] files, subdirs;
        try
        {
            files = Directory.GetFiles(dir).Where(f => !Hidden(f)).Order(StringComparer.Ordinal).ToArray();
            subdirs = Directory.GetDirectories(dir).Where(d => !Hidden(d)).Order(StringComparer.Ordinal).ToArray();
        }
        catch (UnauthorizedAccessException) { return; }

        if (subdirs.Any(d => InSituFolder().IsMatch(Path.GetFileName(d))) && HasDm(dir))
        {
            found.Add(new Found(dir, Kind.InSitu));
            return;
        }

        var movieFiles = new List<(string Path, MovieKind Kind)>();
        foreach (var f in files)
        {
            MovieKind kind;
            try { kind = MovieReader.Detect(f); }
            catch (MovieFormatException) { kind = KindByExtension(f); } // empty file: a movie if its name says so (it will fail)
            catch (IOException) { kind = KindByExtension(f); }
            catch (UnauthorizedAccessException) { kind = KindByExtension(f); }
            if (kind != MovieKind.Unknown) movieFiles.Add((f, kind));
        }

        if (movieFiles.Count > 0)
        {
            var single = movieFiles.Where(m => IsSingleImage(m.Path, m.Kind, movieFiles)).Select(m => m.Path).ToList();
            var stacks = movieFiles.Select(m => m.Path).Except(single).ToList();
            foreach (var s in stacks) found.Add(new Found(s, Kind.File));
            if (single.Count >= 2 && stacks.Count == 0)
                found.Add(new Found(dir, Kind.Frames));
            else if (single.Count >= 2)
                found.Add(new Found(dir, Kind.Frames,
                    $"the folder mixes {single.Count} single images with {stacks.Count} movie file(s); move the frames into a folder of their own"));
            else if (single.Count == 1)
                found.Add(new Found(single[0], Kind.File, "a single image (one frame): nothing to track over time"));
        }
        foreach (var d in subdirs) Walk(d, outDir, found);
    }

    /// <summary>
    /// True for a file that is one frame: PNG/JPEG/BMP, or a TIFF/DM file when the folder's first TIFF/DM (natural order)
    /// has one page (a camera's frame folder); a folder of multi-page stacks holds one movie per file.
    /// </summary>
    private static bool IsSingleImage(string path, MovieKind kind, List<(string Path, MovieKind Kind)> all)
    {
        if (kind == MovieKind.Image) return true;
        if (kind is not (MovieKind.Tiff or MovieKind.Dm)) return false;
        var first = all.Where(m => m.Kind == kind).Select(m => m.Path).Order(NaturalOrder.Instance).First();
        return PagesOf(first) == 1 && all.Count(m => m.Kind == kind) > 1 && PagesOf(path) == 1;
    }

    private static int? PagesOf(string path)
    {
        try
        {
            using var m = MovieReader.Open(path);
            return m.FrameCount;
        }
        catch (Exception e) when (e is MovieFormatException or IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            return null; // unreadable: kept as a movie of its own, so the run reports the reader's error
        }
    }

    private static MovieKind KindByExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".tif" or ".tiff" => MovieKind.Tiff,
        ".avi" or ".mp4" or ".mov" or ".mkv" => MovieKind.Video,
        ".dm3" or ".dm4" => MovieKind.Dm,
        ".ser" => MovieKind.Ser,
        ".emd" => MovieKind.Emd,
        ".mrc" => MovieKind.Mrc,
        _ => MovieKind.Unknown,
    };

    private static bool HasDm(string dir) =>
        Directory.EnumerateFiles(dir, "*.dm?", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 6, IgnoreInaccessible = true, MatchCasing = MatchCasing.CaseInsensitive })
            .Any(f => f.EndsWith(".dm3", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".dm4", StringComparison.OrdinalIgnoreCase));

    private static bool Hidden(string path) => Path.GetFileName(path).StartsWith('.');

    /// <summary>
    /// True for a folder temtrack wrote: a batch folder (its <see cref="BatchPipeline.MarkerFile"/>) or a track output
    /// (run.json beside areas.csv). Their overlay videos and preview frames are results, not movies to run.
    /// </summary>
    private static bool IsToolOutput(string dir) =>
        File.Exists(Path.Combine(dir, BatchPipeline.MarkerFile)) ||
        (File.Exists(Path.Combine(dir, "run.json")) && File.Exists(Path.Combine(dir, "areas.csv")));

    [GeneratedRegex(@"^Hour_\d+$", RegexOptions.IgnoreCase)]
    private static partial Regex InSituFolder();

    private static BatchMovie Pair(string root, Found f, bool auto, IReadOnlyList<string> all)
    {
        string rel = Path.GetRelativePath(root, f.Path).Replace('\\', '/');
        if (rel == ".") rel = Path.GetFileName(root);
        string parent = Path.GetDirectoryName(f.Path)!;
        var movie = new BatchMovie
        {
            Id = BatchMovie.IdOf(rel),
            RelativePath = rel,
            MoviePath = f.Path,
            Condition = Path.GetFileName(parent) is { Length: > 0 } c ? c : "input",
        };
        if (f.SkipReason is string why) return movie with { NotRun = BatchStatus.Skipped, Reason = why };
        var (outlines, problem) = FindOutlines(f.Path, f.Kind != Kind.File, all);
        if (problem is not null) return movie with { NotRun = BatchStatus.Skipped, Reason = problem };
        if (outlines is null && !auto)
        {
            string stem = f.Kind == Kind.File ? Path.GetFileNameWithoutExtension(f.Path) : Path.GetFileName(f.Path);
            return movie with
            {
                NotRun = BatchStatus.Skipped,
                Reason = $"no outlines: put {stem}.zip (.roi, .json) or {RoiSetName} beside it, or pass --auto to detect the particles",
            };
        }
        return movie with { OutlinesPath = outlines };
    }

    /// <summary>
    /// The outline file paired with a movie: a stem-named .zip/.roi/.json beside it, else the folder's RoiSet.zip when no
    /// other movie in that folder could claim it. Returns the problem instead when the pairing is ambiguous.
    /// </summary>
    /// <param name="moviePath">The movie file, frames folder or in-situ tree.</param>
    /// <param name="isFolder">True for a frames folder or an in-situ tree (outlines lie beside the folder).</param>
    /// <param name="otherMovies">The other movies of the batch (absolute paths; those in other folders are ignored).</param>
    public static (string? Path, string? Problem) FindOutlines(string moviePath, bool isFolder, IEnumerable<string> otherMovies)
    {
        string full = Path.GetFullPath(moviePath.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        string dir = Path.GetDirectoryName(full)!;
        var named = StemNamed(full, isFolder);
        if (named.Count > 1)
            return (null, $"ambiguous outlines: {string.Join(" and ", named.Select(Path.GetFileName))} both name this movie; keep one");
        if (named.Count == 1) return (named[0], null);
        string roiSet = Path.Combine(dir, RoiSetName);
        if (!File.Exists(roiSet)) return (null, null);
        var claimants = otherMovies.Select(Path.GetFullPath)
            .Where(o => !string.Equals(o, full, StringComparison.Ordinal) && string.Equals(Path.GetDirectoryName(o), dir, StringComparison.Ordinal))
            .Where(o => StemNamed(o, Directory.Exists(o)).Count == 0)
            .Select(o => Path.GetFileName(o) + (Directory.Exists(o) ? "/" : ""))
            .Order(StringComparer.Ordinal).ToList();
        if (claimants.Count > 0)
        {
            string stem = isFolder ? Path.GetFileName(full) : Path.GetFileNameWithoutExtension(full);
            return (null, $"ambiguous outlines: {RoiSetName} lies beside {claimants.Count + 1} movies ({string.Join(", ", claimants.Prepend(Path.GetFileName(full)).Take(3))}" +
                          $"{(claimants.Count > 2 ? ", ..." : "")}); name each movie's outlines after it (e.g. {stem}.zip)");
        }
        return (roiSet, null);
    }

    private static List<string> StemNamed(string full, bool isFolder)
    {
        string dir = Path.GetDirectoryName(full)!;
        string stem = isFolder ? Path.GetFileName(full) : Path.GetFileNameWithoutExtension(full);
        return OutlineExtensions.Select(e => Path.Combine(dir, stem + e))
            .Where(p => File.Exists(p) && !string.Equals(p, full, StringComparison.Ordinal)).ToList();
    }
}
