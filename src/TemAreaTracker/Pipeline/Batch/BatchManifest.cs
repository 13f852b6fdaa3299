using System.Globalization;
using CsvHelper;
using TemAreaTracker.Fitting;

namespace TemAreaTracker.Pipeline.Batch;

/// <summary>
/// Reads a batch manifest: a CSV with the columns <c>movie,rois,pixel_size_nm,frame_interval_s,condition</c> and optionally
/// <c>model,contact_loss_s</c>, one row per movie. Paths are relative to the manifest's folder (absolute ones are kept);
/// an empty cell means "from the file" (calibration), "paired as without a manifest" (rois), "the movie's folder name"
/// (condition) or "sphere-diffusion" (model).
/// </summary>
/// <remarks>
/// A problem with the file as a whole (missing, no header, a required column missing, an unknown column, a movie listed
/// twice) is an
/// <see cref="InvalidDataException"/>: nothing runs. A problem with one row (its movie or rois file missing, a number that
/// does not parse or is out of range, an unknown model) makes that movie <see cref="BatchStatus.Failed"/>
/// with a one-line reason naming the manifest line; the other rows run.
/// </remarks>
public static class BatchManifest
{
    /// <summary>Columns every manifest has.</summary>
    public static IReadOnlyList<string> RequiredColumns { get; } = ["movie", "rois", "pixel_size_nm", "frame_interval_s", "condition"];

    /// <summary>Columns a manifest may add.</summary>
    public static IReadOnlyList<string> OptionalColumns { get; } = ["model", "contact_loss_s"];

    /// <summary>Reads the manifest and resolves each row into a movie of the batch, sorted by id.</summary>
    /// <param name="manifestPath">The CSV file.</param>
    /// <param name="input">INPUT of the batch: movie-ids are paths relative to it (for movies inside it).</param>
    /// <param name="auto">Rows without outlines run with detected particles instead of being skipped.</param>
    /// <exception cref="FileNotFoundException">No manifest at <paramref name="manifestPath"/>.</exception>
    /// <exception cref="InvalidDataException">The header is missing or has a missing or unknown column.</exception>
    public static IReadOnlyList<BatchMovie> Read(string manifestPath, string input, bool auto)
    {
        if (!File.Exists(manifestPath)) throw new FileNotFoundException($"{manifestPath}: no such manifest file", manifestPath);
        string manifestDir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        string root = Path.GetFullPath(input.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        var rows = ReadRows(manifestPath);

        var movies = new List<BatchMovie>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var listedPaths = rows.Select(r => r.Cells.GetValueOrDefault("movie") ?? "").Where(m => m.Length > 0)
            .Select(m => Path.GetFullPath(Path.Combine(manifestDir, m))).ToList();
        foreach (var (line, cells) in rows)
        {
            string where = $"{Path.GetFileName(manifestPath)} line {line}";
            string movieCell = cells.GetValueOrDefault("movie") ?? "";
            string full = movieCell.Length > 0 ? Path.GetFullPath(Path.Combine(manifestDir, movieCell)).TrimEnd('/') : manifestDir;
            string rel = RelativeId(full, root, manifestDir);
            var movie = new BatchMovie
            {
                Id = BatchMovie.IdOf(rel),
                RelativePath = rel,
                MoviePath = full,
                Condition = Path.GetFileName(Path.GetDirectoryName(full)) ?? "input",
                FromManifest = true,
            };
            string? Fail(string why) => $"{where}: {why}";
            string? problem = null;

            if (movieCell.Length == 0)
            {
                problem = Fail("the movie cell is empty");
                movie = movie with { Id = $"manifest-line-{line}", RelativePath = $"manifest-line-{line}" };
            }
            else if (seen.TryGetValue(full, out int first))
                throw new InvalidDataException($"{manifestPath}: {movieCell} is listed twice (lines {first} and {line}); keep one row per movie");
            else
            {
                seen[full] = line;
                if (!File.Exists(full) && !Directory.Exists(full)) problem = Fail($"movie not found: {movieCell}");
            }

            string? e1 = Number(cells, "pixel_size_nm", positive: true, out var px);
            string? e2 = Number(cells, "frame_interval_s", positive: true, out var dt);
            string? e3 = Number(cells, "contact_loss_s", positive: false, out var tc);
            if (problem is null && (e1 ?? e2 ?? e3) is string bad) problem = Fail(bad);
            movie = movie with { PixelSizeNm = px, FrameIntervalS = dt, ContactLossS = tc };

            string model = cells.GetValueOrDefault("model") ?? "";
            if (model.Length > 0)
            {
                if (KineticModels.TryParse(model, out var k)) movie = movie with { Model = k.Name() };
                else problem ??= Fail($"model '{model}' is unknown; use one of {string.Join(", ", KineticModels.Names)}");
            }
            if (cells.GetValueOrDefault("condition") is { Length: > 0 } condition) movie = movie with { Condition = condition };

            string rois = cells.GetValueOrDefault("rois") ?? "";
            if (problem is null && rois.Length > 0)
            {
                string roisFull = Path.GetFullPath(Path.Combine(manifestDir, rois));
                if (!File.Exists(roisFull)) problem = Fail($"outlines not found: {rois}");
                else movie = movie with { OutlinesPath = roisFull };
            }
            else if (problem is null)
            {
                var (found, ambiguous) = MovieDiscovery.FindOutlines(full, Directory.Exists(full), listedPaths);
                if (ambiguous is not null)
                    movie = movie with { NotRun = BatchStatus.Skipped, Reason = $"{where}: {ambiguous}" };
                else if (found is not null) movie = movie with { OutlinesPath = found };
                else if (!auto)
                    movie = movie with { NotRun = BatchStatus.Skipped, Reason = $"{where}: no outlines: fill the rois cell, put them beside the movie, or pass --auto" };
            }
            if (problem is not null) movie = movie with { NotRun = BatchStatus.Failed, Reason = problem };
            movies.Add(movie);
        }
        return MovieDiscovery.Finish(movies);
    }

    /// <summary>The path used for the movie-id: relative to INPUT when inside it, else relative to the manifest's folder.</summary>
    private static string RelativeId(string full, string root, string manifestDir)
    {
        string rel = Path.GetRelativePath(root, full).Replace('\\', '/');
        if (rel.StartsWith("../", StringComparison.Ordinal) || rel == ".." || Path.IsPathRooted(rel))
            rel = Path.GetRelativePath(manifestDir, full).Replace('\\', '/');
        while (rel.StartsWith("../", StringComparison.Ordinal)) rel = rel[3..];
        return rel == "." ? Path.GetFileName(full) : rel;
    }

    /// <summary>Parses an optional number cell (invariant culture); returns the problem, or null.</summary>
    private static string? Number(Dictionary<string, string> cells, string column, bool positive, out double? value)
    {
        value = null;
        string text = cells.GetValueOrDefault(column) ?? "";
        if (text.Length == 0) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            return $"{column} '{text}' is not a number (use a point for decimals, e.g. 1.5)";
        if (positive ? !(v > 0) : v < 0)
            return $"{column} must be {(positive ? "> 0" : ">= 0")} (got {text})";
        value = v;
        return null;
    }

    private static List<(int Line, Dictionary<string, string> Cells)> ReadRows(string path)
    {
        using var reader = new StreamReader(path);
        var options = new CsvReaderOptions { TrimWhitespace = true, TrackLineNumbers = true, SkipEmptyLines = true };
        using var csv = CsvReader.Create(reader, options, leaveOpen: true);
        string[] names;
        try { names = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray(); }
        catch (CsvFormatException e) { throw new InvalidDataException($"{path}: not a readable CSV ({e.Message.Split('\n')[0]})"); }
        if (names.Length == 0 || names.All(h => h.Length == 0))
            throw new InvalidDataException($"{path}: empty manifest; the first line must name the columns {string.Join(",", RequiredColumns)}");
        var missing = RequiredColumns.Where(c => !names.Contains(c)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{path}: manifest lacks the column(s) {string.Join(", ", missing)}; the header must name {string.Join(",", RequiredColumns)} (optional: {string.Join(",", OptionalColumns)})");
        var unknown = names.Where(n => !RequiredColumns.Contains(n) && !OptionalColumns.Contains(n)).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"{path}: unknown manifest column(s) {string.Join(", ", unknown)}; known: {string.Join(",", RequiredColumns.Concat(OptionalColumns))}");
        var dup = names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (dup.Count > 0) throw new InvalidDataException($"{path}: column {dup[0]} appears twice in the manifest header");

        var rows = new List<(int, Dictionary<string, string>)>();
        try
        {
            while (csv.Read())
            {
                var cells = new Dictionary<string, string>(StringComparer.Ordinal);
                for (int i = 0; i < names.Length; i++)
                    cells[names[i]] = (i < csv.FieldCount ? csv.GetStringOrNull(i) : null)?.Trim() ?? "";
                if (cells.Values.All(v => v.Length == 0)) continue;
                rows.Add(((int)csv.LineNumber, cells));
            }
        }
        catch (CsvFormatException e) { throw new InvalidDataException($"{path}: {e.Message.Split('\n')[0]}"); }
        return rows;
    }
}
