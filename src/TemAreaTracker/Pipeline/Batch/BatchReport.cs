using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenCvSharp;
using TemAreaTracker.Fitting;
using TemAreaTracker.IO;
using TemAreaTracker.Plotting;
using TemAreaTracker.Reporting;

namespace TemAreaTracker.Pipeline.Batch;

/// <summary>What <see cref="BatchReport.Build"/> wrote.</summary>
/// <param name="Statuses">Every movie's status, sorted by movie-id.</param>
/// <param name="Summary">The rows of summary.csv.</param>
/// <param name="Comparisons">The compare/ folders written (A_vs_B).</param>
/// <param name="Notes">What could not be built (a comparison without data on one side, an unreadable output).</param>
/// <param name="ReportBytes">Size of report.html.</param>
public sealed record BatchReportResult(IReadOnlyList<MovieStatus> Statuses, IReadOnlyList<SummaryRow> Summary,
    IReadOnlyList<string> Comparisons, IReadOnlyList<string> Notes, long ReportBytes)
{
    /// <summary>Movies with status failed.</summary>
    public int Failed => Statuses.Count(s => s.Status == MovieStatus.Name(BatchStatus.Failed));
}

/// <summary>
/// Builds a batch folder's shared outputs from what is in it: movies.csv and summary.csv from the movies' status files
/// and outputs, compare/A_vs_B/ for the requested pairs of conditions, and report.html (<c>temtrack report DIR</c>, and the
/// end of a batch run without --shard).
/// </summary>
public static class BatchReport
{
    /// <summary>Output names in the batch folder (a public contract).</summary>
    public const string MoviesCsv = "movies.csv", SummaryCsv = "summary.csv", CompareDir = "compare", ReportHtml = "report.html";

    /// <summary>Folder (in the batch folder) where each batch run records its settings, one file per run or shard.</summary>
    public const string RunsDir = ".batch-runs";

    /// <summary>Rebuilds summary.csv, movies.csv, compare/ and report.html in <paramref name="batchDir"/>.</summary>
    /// <param name="batchDir">The batch output folder.</param>
    /// <param name="comparePairs">Pairs of conditions to compare (A/B: ratio D_A/D_B); null: the pairs the batch runs
    /// recorded, else every pair of the manifest's conditions.</param>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    /// <exception cref="InvalidDataException">The folder holds no movie status (not a batch folder).</exception>
    public static BatchReportResult Build(string batchDir, IReadOnlyList<(string A, string B)>? comparePairs = null)
    {
        string dir = Path.GetFullPath(batchDir);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{batchDir}: no such folder");
        var statuses = BatchTables.ReadStatuses(dir);
        if (statuses.Count == 0)
            throw new InvalidDataException($"{batchDir}: no movie status files (<movie-id>/status.json) here; is this the --out folder of `temtrack batch`?");
        var notes = new List<string>();
        var summary = BatchTables.ReadSummary(dir, statuses);
        BatchTables.WriteMovies(Path.Combine(dir, MoviesCsv), statuses);
        BatchTables.WriteSummary(Path.Combine(dir, SummaryCsv), summary);

        var pairs = comparePairs ?? RecordedPairs(dir, statuses);
        var comparisons = WriteComparisons(dir, pairs, summary, notes);
        string html = ReportPage.Render(dir, statuses, summary, comparisons, notes);
        string reportPath = Path.Combine(dir, ReportHtml);
        string temp = reportPath + $".tmp-{Environment.ProcessId}";
        File.WriteAllText(temp, html);
        File.Move(temp, reportPath, overwrite: true);
        return new BatchReportResult(statuses, summary, comparisons.Select(c => c.Name).ToList(), notes, new FileInfo(reportPath).Length);
    }

    /// <summary>
    /// The pairs the batch runs recorded (--compare), else every pair of the manifest's conditions (sorted names, so the
    /// ratio is D of the first name over D of the second), else none.
    /// </summary>
    internal static IReadOnlyList<(string A, string B)> RecordedPairs(string dir, IReadOnlyList<MovieStatus> statuses)
    {
        var pairs = new List<(string, string)>();
        string runs = Path.Combine(dir, RunsDir);
        if (Directory.Exists(runs))
        {
            foreach (var file in Directory.GetFiles(runs, "*.json").Order(StringComparer.Ordinal))
            {
                try
                {
                    var node = JsonNode.Parse(File.ReadAllText(file));
                    if (node?["compare"] is JsonArray a)
                        foreach (var p in a.Select(x => x?.GetValue<string>()).OfType<string>())
                            if (ParsePair(p) is { } pair && !pairs.Contains(pair)) pairs.Add(pair);
                }
                catch (JsonException) { }
            }
        }
        if (pairs.Count > 0) return pairs;
        var conditions = statuses.Where(s => s.FromManifest).Select(s => s.Condition).Distinct().Order(StringComparer.Ordinal).ToList();
        for (int i = 0; i < conditions.Count; i++)
            for (int j = i + 1; j < conditions.Count; j++)
                pairs.Add((conditions[i], conditions[j]));
        return pairs;
    }

    /// <summary>Parses "A/B" into a pair of condition names; null when malformed.</summary>
    public static (string A, string B)? ParsePair(string text)
    {
        int slash = text.IndexOf('/');
        if (slash <= 0 || slash == text.Length - 1 || text.IndexOf('/', slash + 1) >= 0) return null;
        string a = text[..slash].Trim(), b = text[(slash + 1)..].Trim();
        return a.Length == 0 || b.Length == 0 || a == b ? null : (a, b);
    }

    internal sealed record Comparison(string Name, RateComparison Result, string PngPath);

    private static List<Comparison> WriteComparisons(string dir, IReadOnlyList<(string A, string B)> pairs, IReadOnlyList<SummaryRow> summary, List<string> notes)
    {
        var done = new List<Comparison>();
        string compareDir = Path.Combine(dir, CompareDir);
        if (pairs.Count == 0)
        {
            MovieRunner.TryDelete(compareDir);
            return done;
        }
        var results = new List<(string Name, RateComparison R, IReadOnlyList<string> SourcesA, IReadOnlyList<string> SourcesB)>();
        foreach (var (a, b) in pairs)
        {
            var ra = Rates(summary, a);
            var rb = Rates(summary, b);
            string name = $"{a}_vs_{b}";
            if (ra.Count == 0 || rb.Count == 0)
            {
                notes.Add($"compare {name}: no particle with a diffusivity in condition '{(ra.Count == 0 ? a : b)}'");
                continue;
            }
            var r = RateComparer.Compare(RateComparer.Summarize(a, ra), RateComparer.Summarize(b, rb));
            results.Add((name, r, Sources(dir, summary, a), Sources(dir, summary, b)));
        }
        new OutputFolder(compareDir, overwrite: true, "report", results.Select(x => SafeName(x.Item1) + "/").ToList()).Write(tmp =>
        {
            foreach (var (name, r, sa, sb) in results)
            {
                string sub = Path.Combine(tmp, SafeName(name));
                Directory.CreateDirectory(sub);
                CompareJson.Write(r, [sa, sb], Path.Combine(sub, "compare.json"));
                ComparePlot.Save(r, Path.Combine(sub, "compare.png"), Path.Combine(sub, "compare.svg"));
            }
        });
        foreach (var (name, r, _, _) in results)
            done.Add(new Comparison(name, r, Path.Combine(compareDir, SafeName(name), "compare.png")));
        return done;
    }

    private static string SafeName(string name) => string.Concat(name.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));

    /// <summary>Each particle of the condition with a D; named by particle alone when the condition is one movie, else movie-id/particle.</summary>
    private static List<ParticleRate> Rates(IReadOnlyList<SummaryRow> summary, string condition)
    {
        var rows = summary.Where(r => r.Condition == condition && r.DCm2PerS > 0).ToList();
        bool oneMovie = rows.Select(r => r.Movie).Distinct().Count() == 1;
        return rows
            .Select(r => new ParticleRate(oneMovie ? r.Particle : $"{r.Movie}/{r.Particle}", r.DCm2PerS, new Interval(
                double.IsFinite(r.DCi95LowCm2PerS) ? r.DCi95LowCm2PerS : 0,
                double.IsFinite(r.DCi95HighCm2PerS) ? r.DCi95HighCm2PerS : double.PositiveInfinity)))
            .ToList();
    }

    private static List<string> Sources(string dir, IReadOnlyList<SummaryRow> summary, string condition) =>
        summary.Where(r => r.Condition == condition).Select(r => r.Movie).Distinct()
            .Select(m => Path.Combine(dir, m, MovieRunner.FitDir, "fit.json")).ToList();

    /// <summary>Data URI of an image file: PNGs larger than <paramref name="recodeAboveBytes"/> become JPEG (quality 80,
    /// at most <paramref name="maxWidthPx"/> wide), so the report stays small; SVG is used when smaller than the PNG.</summary>
    internal static string? ImageUri(string pngPath, int maxWidthPx = 1400, long recodeAboveBytes = 200_000)
    {
        if (!File.Exists(pngPath)) return null;
        string svg = Path.ChangeExtension(pngPath, ".svg");
        long pngBytes = new FileInfo(pngPath).Length;
        if (File.Exists(svg) && new FileInfo(svg).Length < pngBytes)
            return "data:image/svg+xml;base64," + Convert.ToBase64String(File.ReadAllBytes(svg));
        if (pngBytes <= recodeAboveBytes)
            return "data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(pngPath));
        using var img = Cv2.ImRead(pngPath, ImreadModes.Color);
        if (img.Empty()) return null;
        using var small = new Mat();
        double s = Math.Min(1.0, (double)maxWidthPx / img.Width);
        if (s < 1) Cv2.Resize(img, small, new Size((int)Math.Round(img.Width * s), (int)Math.Round(img.Height * s)), interpolation: InterpolationFlags.Area);
        else img.CopyTo(small);
        return "data:image/jpeg;base64," + Convert.ToBase64String(small.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 80)));
    }

    /// <summary>Invariant number for display (G<paramref name="digits"/>), "–" for NaN.</summary>
    internal static string Show(double v, int digits = 3) =>
        double.IsFinite(v) ? v.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal) : "–";
}
