using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using CsvHelper;
using Fluid;
using TemAreaTracker.IO;
using TemAreaTracker.Plotting;

namespace TemAreaTracker.Pipeline.Batch;

/// <summary>
/// report.html: one self-contained page (images as data URIs, no network) rendered with Fluid (Liquid) from
/// <see cref="ReportTemplate.Source"/>: the sortable summary table, comparisons, failed and skipped movies, and per movie
/// its fits, warnings, a frame scrubber with the tracked outlines drawn over the frames, the contact sheet, the area and
/// fit plots and the network picture when present.
/// </summary>
internal static class ReportPage
{
    private static readonly FluidParser Parser = new();
    private static readonly Lazy<IFluidTemplate> Template = new(() =>
        Parser.TryParse(ReportTemplate.Source, out var t, out var error) ? t : throw new InvalidOperationException($"report template: {error}"));
    private static readonly TextEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);
    // Relaxed escaping keeps base64's '+' and '/' as they are; '<' is escaped afterwards so no "</script>" can end the block.
    private static readonly JsonSerializerOptions ScriptJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Render(string dir, IReadOnlyList<MovieStatus> statuses, IReadOnlyList<SummaryRow> summary,
        IReadOnlyList<BatchReport.Comparison> comparisons, List<string> notes)
    {
        var inv = CultureInfo.InvariantCulture;
        var columns = new (string Name, bool Num)[]
        {
            ("movie", false), ("condition", false), ("particle", false), ("A0 (nm²)", true), ("A final (nm²)", true), ("growth (%)", true),
            ("D (cm²/s)", true), ("95% CI low", true), ("95% CI high", true), ("L (nm)", true), ("model", false), ("ok frames (%)", true),
        };
        var rows = summary.Select(r => Dict(("cells", new List<object>
        {
            r.Movie, r.Condition, r.Particle, BatchReport.Show(r.A0Nm2, 6), BatchReport.Show(r.AFinalNm2, 6), BatchTables.Fixed(r.GrowthPct, 1),
            BatchReport.Show(r.DCm2PerS), BatchReport.Show(r.DCi95LowCm2PerS), BatchReport.Show(r.DCi95HighCm2PerS), BatchReport.Show(r.DiffusionLengthNm, 4),
            r.Model, BatchTables.Fixed(r.OkFramesPct, 0),
        }))).ToList<object>();

        var movies = new List<object>();
        foreach (var s in statuses)
        {
            try { movies.Add(Movie(dir, s, summary)); }
            catch (Exception e) when (e is IOException or InvalidDataException or JsonException or FormatException or CsvFormatException)
            {
                notes.Add($"{s.MovieId}: could not show its outputs: {e.Message.Split('\n')[0]}");
                movies.Add(Dict(("id", s.MovieId), ("anchor", Anchor(s.MovieId)), ("movie", s.Movie), ("condition", s.Condition), ("status", s.Status), ("error", s.Error ?? ""),
                    ("frames", ""), ("elapsed", ""), ("fits", new List<object>()), ("warnings", new List<object>()), ("scrubber", ""),
                    ("contact", ""), ("areas", ""), ("fitplot", ""), ("network", "")));
            }
        }

        int Count(BatchStatus st) => statuses.Count(x => x.Status == MovieStatus.Name(st));
        var model = Dict(
            ("title", Path.GetFileName(dir)),
            ("version", InputFingerprint.ToolVersion),
            ("counts", $"{statuses.Count} movies: {Count(BatchStatus.Done)} done, {Count(BatchStatus.Failed)} failed, {Count(BatchStatus.Skipped)} skipped; {summary.Count} particles"),
            ("columns", columns.Select(c => (object)Dict(("name", c.Name), ("num", c.Num ? "1" : "0"))).ToList()),
            ("rows", rows),
            ("comparisons", comparisons.Select(c => (object)Dict(
                ("name", c.Name),
                ("text", string.Create(inv, $"D_{c.Result.A.Label} / D_{c.Result.B.Label} = {c.Result.Ratio:F2} [{c.Result.RatioCi95.Lo:F2}, {c.Result.RatioCi95.Hi:F2}] (95% CI; {c.Result.A.Particles.Count} vs {c.Result.B.Particles.Count} particles)")),
                ("png", BatchReport.ImageUri(c.PngPath) ?? ""))).ToList()),
            ("failed", statuses.Where(x => x.Status == MovieStatus.Name(BatchStatus.Failed)).Select(x => (object)Dict(("id", x.MovieId), ("anchor", Anchor(x.MovieId)), ("error", x.Error ?? ""))).ToList()),
            ("skipped", statuses.Where(x => x.Status == MovieStatus.Name(BatchStatus.Skipped)).Select(x => (object)Dict(("id", x.MovieId), ("error", x.Error ?? ""))).ToList()),
            ("notes", notes.Cast<object>().ToList()),
            ("movies", movies));

        var context = new TemplateContext();
        foreach (var (key, value) in model) context.SetValue(key, value);
        return Template.Value.Render(context, Encoder);
    }

    private static Dictionary<string, object> Dict(params (string Key, object Value)[] items) =>
        items.ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);

    private static Dictionary<string, object> Movie(string dir, MovieStatus s, IReadOnlyList<SummaryRow> summary)
    {
        var inv = CultureInfo.InvariantCulture;
        string movieDir = Path.Combine(dir, s.MovieId);
        string track = Path.Combine(movieDir, MovieRunner.TrackDir), fit = Path.Combine(movieDir, MovieRunner.FitDir);
        bool done = s.Status == MovieStatus.Name(BatchStatus.Done);
        var fits = summary.Where(r => r.Movie == s.MovieId).Select(r => (object)(double.IsFinite(r.DCm2PerS)
            ? string.Create(inv, $"{r.Particle}: D = {BatchReport.Show(r.DCm2PerS)} cm²/s [{BatchReport.Show(r.DCi95LowCm2PerS)}, {BatchReport.Show(r.DCi95HighCm2PerS)}] (95% CI), L = {BatchReport.Show(r.DiffusionLengthNm, 4)} nm, {r.Model}; area {BatchReport.Show(r.A0Nm2, 5)} → {BatchReport.Show(r.AFinalNm2, 5)} nm² ({BatchTables.Fixed(r.GrowthPct, 1)} %)")
            : $"{r.Particle}: no diffusivity ({(r.Model.Length > 0 ? r.Model : "not fitted")})")).ToList();

        var warnings = new List<object>();
        var colours = new Dictionary<string, string>(StringComparer.Ordinal);
        string runJson = Path.Combine(track, "run.json");
        if (done && File.Exists(runJson))
        {
            var run = JsonNode.Parse(File.ReadAllText(runJson));
            foreach (var w in run?["warnings"]?.AsArray() ?? []) if (w?.GetValue<string>() is string text) warnings.Add($"track: {text}");
            foreach (var p in run?["outlines"]?["particles"]?.AsArray() ?? [])
                if (p?["name"]?.GetValue<string>() is string n && p["colour"]?.GetValue<string>() is string c) colours[n] = c;
        }
        foreach (var r in summary.Where(r => r.Movie == s.MovieId))
            foreach (var w in r.Warnings) warnings.Add($"fit {r.Particle}: {w}");

        string scrubber = "";
        int width = 0, height = 0, last = 0;
        if (done && ScrubberFrames.Read(Path.Combine(movieDir, MovieRunner.PreviewDir)) is { } index && index.Frames.Count > 0)
        {
            (scrubber, width, height) = (Scrubber(movieDir, index, colours), index.Width, index.Height);
            last = index.Frames.Count - 1;
        }
        string? network = new[] { Path.Combine(track, "network.png"), Path.Combine(fit, "network.png"), Path.Combine(movieDir, "network.png") }
            .FirstOrDefault(File.Exists);
        return Dict(
            ("id", s.MovieId),
            ("anchor", Anchor(s.MovieId)),
            ("movie", s.Movie),
            ("condition", s.Condition),
            ("status", s.Status),
            ("error", s.Error ?? ""),
            ("frames", s.Frames?.ToString(inv) ?? ""),
            ("elapsed", s.ElapsedS?.ToString("0.0", inv) ?? ""),
            ("fits", fits),
            ("warnings", warnings),
            ("scrubber", scrubber),
            ("w", width.ToString(inv)),
            ("h", height.ToString(inv)),
            // Small movies are shown enlarged (at least 400 px wide) so the outlines can be checked.
            ("dw", (width > 0 && width < 400 ? 400 : width).ToString(inv)),
            ("dh", (width > 0 && width < 400 ? (int)Math.Round(height * 400.0 / width) : height).ToString(inv)),
            ("last", last.ToString(inv)),
            ("contact", done ? BatchReport.ImageUri(Path.Combine(track, "contact-sheet.png")) ?? "" : ""),
            ("areas", done ? BatchReport.ImageUri(Path.Combine(track, "areas.png")) ?? "" : ""),
            ("fitplot", done ? BatchReport.ImageUri(Path.Combine(fit, "fit.png")) ?? "" : ""),
            ("network", done && network is not null ? BatchReport.ImageUri(network) ?? "" : ""));
    }

    /// <summary>The scrubber's data as JSON: per frame its JPEG (data URI), label and the outlines tracked on it, in preview px.</summary>
    private static string Scrubber(string movieDir, ScrubberFrames.Index index, Dictionary<string, string> colours)
    {
        var inv = CultureInfo.InvariantCulture;
        string zip = Path.Combine(movieDir, MovieRunner.TrackDir, "outlines.zip");
        var outlines = File.Exists(zip) ? ImageJRoi.Read(zip) : [];
        var wanted = index.Frames.Select(f => f.Frame).ToHashSet();
        var byFrame = outlines.Where(o => o.Frame is int f && wanted.Contains(f)).GroupBy(o => o.Frame!.Value).ToDictionary(g => g.Key, g => g.ToList());
        var order = outlines.Select(o => o.Name).Distinct().ToList();
        var times = FrameTimes(Path.Combine(movieDir, MovieRunner.TrackDir, "areas.csv"));
        double s = index.Scale;
        var frames = new List<object>();
        foreach (var f in index.Frames)
        {
            string jpg = Path.Combine(movieDir, MovieRunner.PreviewDir, f.File);
            // Largest first, so a cluster's outline lies under its particles' outlines.
            var shapes = (byFrame.GetValueOrDefault(f.Frame) ?? []).OrderByDescending(o => o.AreaPx).Select(o => new
            {
                name = o.Name,
                colour = colours.GetValueOrDefault(o.Name) ?? Hex(OverlayStyle.ParticleRgb(Math.Max(0, order.IndexOf(o.Name)))),
                points = string.Join(' ', o.VerticesPx.Select(v => string.Create(inv, $"{(v.X + 0.5) * s:0.#},{(v.Y + 0.5) * s:0.#}"))),
            }).ToList();
            string label = times.TryGetValue(f.Frame, out double t) && double.IsFinite(t)
                ? string.Create(inv, $"frame {f.Frame} · t = {t:0.###} s") : $"frame {f.Frame}";
            frames.Add(new { src = "data:image/jpeg;base64," + Convert.ToBase64String(File.ReadAllBytes(jpg)), label, frame = f.Frame, outlines = shapes });
        }
        return JsonSerializer.Serialize(new { frames }, ScriptJson).Replace("<", "\\u003c", StringComparison.Ordinal);
    }

    private static string Anchor(string id) => "m-" + string.Concat(id.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-'));

    private static string Hex((byte R, byte G, byte B) c) => $"#{c.R:x2}{c.G:x2}{c.B:x2}";

    private static Dictionary<int, double> FrameTimes(string areasCsv)
    {
        var times = new Dictionary<int, double>();
        if (!File.Exists(areasCsv)) return times;
        using var reader = new StreamReader(areasCsv);
        using var csv = CsvReader.Create(reader, new CsvReaderOptions { TrimWhitespace = true, SkipEmptyLines = true }, leaveOpen: true);
        var header = csv.Headers.Select(h => h.Trim()).ToList();
        int cFrame = header.IndexOf("frame"), cTime = header.IndexOf("time_s");
        if (cFrame < 0 || cTime < 0) return times;
        while (csv.Read())
        {
            if (Math.Max(cFrame, cTime) >= csv.FieldCount) continue;
            if (int.TryParse(csv.GetStringOrNull(cFrame), NumberStyles.Integer, CultureInfo.InvariantCulture, out int f) &&
                double.TryParse(csv.GetStringOrNull(cTime), NumberStyles.Float, CultureInfo.InvariantCulture, out double t))
                times.TryAdd(f, t);
        }
        return times;
    }
}
