using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;

namespace TemAreaTracker.Pipeline.Batch;

/// <summary>One row of summary.csv: a particle of a done movie, from its track/areas.csv and fit/fit.json.</summary>
/// <param name="Movie">movie-id.</param>
/// <param name="Condition">The movie's condition.</param>
/// <param name="Particle">Outline name.</param>
/// <param name="A0Nm2">Area in the first frame with a measurement, nm² (as <c>track</c> reports it); NaN when uncalibrated.</param>
/// <param name="AFinalNm2">Area in the last frame with a measurement, nm².</param>
/// <param name="GrowthPct">100 (A_final − A0)/A0.</param>
/// <param name="DCm2PerS">D of the fit (cm²/s), NaN without one.</param>
/// <param name="DCi95LowCm2PerS">Lower end of its 95 % interval.</param>
/// <param name="DCi95HighCm2PerS">Upper end of its 95 % interval.</param>
/// <param name="DiffusionLengthNm">L used by the fit, nm.</param>
/// <param name="Model">Model fitted (empty without a fit).</param>
/// <param name="OkFramesPct">Percentage of frames with quality ok.</param>
/// <param name="Warnings">The fit's warnings (report only).</param>
public sealed record SummaryRow(string Movie, string Condition, string Particle, double A0Nm2, double AFinalNm2, double GrowthPct,
    double DCm2PerS, double DCi95LowCm2PerS, double DCi95HighCm2PerS, double DiffusionLengthNm, string Model, double OkFramesPct,
    IReadOnlyList<string> Warnings);

/// <summary>
/// movies.csv and summary.csv, built from the movies' status files and outputs in a batch folder: fixed column and row
/// order (movie-id ordinal, then the outlines' order), invariant culture, "\n" line ends and rounded numbers, so the same
/// inputs give byte-identical summary.csv however many jobs or shards produced them.
/// </summary>
public static class BatchTables
{
    /// <summary>Columns of movies.csv (a public contract).</summary>
    public static IReadOnlyList<string> MoviesColumns { get; } = ["movie", "condition", "status", "error", "frames", "elapsed_s"];

    /// <summary>Columns of summary.csv (a public contract).</summary>
    public static IReadOnlyList<string> SummaryColumns { get; } =
        ["movie", "condition", "particle", "A0_nm2", "A_final_nm2", "growth_pct", "D_cm2_s", "D_ci95_low_cm2_s", "D_ci95_high_cm2_s",
         "diffusion_length_nm", "model", "ok_frames_pct"];

    /// <summary>Every movie's status in <paramref name="batchDir"/>, sorted by movie-id.</summary>
    public static IReadOnlyList<MovieStatus> ReadStatuses(string batchDir) =>
        Directory.GetDirectories(batchDir)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Select(MovieStatus.Read).OfType<MovieStatus>()
            .OrderBy(s => s.MovieId, StringComparer.Ordinal).ToList();

    /// <summary>The particles of every done movie, in movie-id order then outline order.</summary>
    /// <exception cref="InvalidDataException">A done movie's areas.csv or fit.json cannot be read (names the file).</exception>
    public static IReadOnlyList<SummaryRow> ReadSummary(string batchDir, IReadOnlyList<MovieStatus> statuses)
    {
        var rows = new List<SummaryRow>();
        foreach (var s in statuses.Where(s => s.Status == MovieStatus.Name(BatchStatus.Done)))
        {
            string movieDir = Path.Combine(batchDir, s.MovieId);
            var areas = ReadAreas(Path.Combine(movieDir, MovieRunner.TrackDir, "areas.csv"));
            var fits = ReadFits(Path.Combine(movieDir, MovieRunner.FitDir, "fit.json"));
            foreach (var (particle, a) in areas)
            {
                fits.TryGetValue(particle, out var f);
                rows.Add(new SummaryRow(s.MovieId, s.Condition, particle, a.A0, a.A1, 100 * (a.A1 - a.A0) / a.A0,
                    f?.D ?? double.NaN, f?.Lo ?? double.NaN, f?.Hi ?? double.NaN, f?.L ?? double.NaN, f?.Model ?? "", a.OkPct,
                    f?.Warnings ?? []));
            }
        }
        return rows;
    }

    /// <summary>Writes movies.csv.</summary>
    public static void WriteMovies(string path, IReadOnlyList<MovieStatus> statuses) =>
        WriteCsv(path, MoviesColumns, statuses.Select(s => new[]
        {
            s.MovieId, s.Condition, s.Status, s.Error ?? "",
            s.Frames?.ToString(CultureInfo.InvariantCulture) ?? "",
            s.ElapsedS is double e ? e.ToString("0.0", CultureInfo.InvariantCulture) : "",
        }));

    /// <summary>Writes summary.csv.</summary>
    public static void WriteSummary(string path, IReadOnlyList<SummaryRow> rows) =>
        WriteCsv(path, SummaryColumns, rows.Select(r => new[]
        {
            r.Movie, r.Condition, r.Particle, Sig(r.A0Nm2, 7), Sig(r.AFinalNm2, 7), Fixed(r.GrowthPct, 2),
            Sig(r.DCm2PerS, 4), Sig(r.DCi95LowCm2PerS, 4), Sig(r.DCi95HighCm2PerS, 4), Sig(r.DiffusionLengthNm, 7), r.Model,
            Fixed(r.OkFramesPct, 1),
        }));

    /// <summary><paramref name="v"/> rounded to <paramref name="digits"/> significant digits ("1.234e-12", "3178.412"); empty for NaN/∞.</summary>
    public static string Sig(double v, int digits) =>
        double.IsFinite(v) ? v.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal) : "";

    /// <summary><paramref name="v"/> with <paramref name="decimals"/> decimals; empty for NaN/∞.</summary>
    public static string Fixed(double v, int decimals)
    {
        if (!double.IsFinite(v)) return "";
        string s = v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return s.TrimStart('-').All(c => c is '0' or '.') ? s.TrimStart('-') : s; // no "-0.00"
    }

    private static void WriteCsv(string path, IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        var options = CsvWriterOptions.Default with { FormatProvider = CultureInfo.InvariantCulture, NewLine = "\n" };
        string temp = path + $".tmp-{Environment.ProcessId}";
        using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)))
        using (var csv = CsvWriter.Create(writer, options, true))
        {
            foreach (var h in header) csv.WriteField(h);
            csv.EndRecord();
            foreach (var row in rows)
            {
                foreach (var cell in row) csv.WriteField(cell);
                csv.EndRecord();
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    internal sealed record AreaSummary(double A0, double A1, double OkPct);

    /// <summary>Per particle (file order): first and last measured area in nm² and the percentage of frames with quality ok.</summary>
    internal static List<(string Particle, AreaSummary Summary)> ReadAreas(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: missing (the movie's track output is incomplete)");
        using var reader = new StreamReader(path);
        using var csv = CsvReader.Create(reader, new CsvReaderOptions { TrimWhitespace = true, SkipEmptyLines = true }, leaveOpen: true);
        var header = csv.Headers.Select(h => h.Trim()).ToList();
        int cParticle = header.IndexOf("particle"), cArea = header.IndexOf("area_nm2"), cQuality = header.IndexOf("quality");
        if (cParticle < 0 || cArea < 0) throw new InvalidDataException($"{path}: not an areas.csv (no particle and area_nm2 columns)");
        string Field(int c) => c >= 0 && c < csv.FieldCount ? csv.GetStringOrNull(c) ?? "" : "";
        var order = new List<string>();
        var acc = new Dictionary<string, (double A0, double A1, int Ok, int All)>(StringComparer.Ordinal);
        while (csv.Read())
        {
            string particle = Field(cParticle);
            string quality = Field(cQuality);
            bool measured = double.TryParse(Field(cArea), NumberStyles.Float, CultureInfo.InvariantCulture, out double a) && double.IsFinite(a)
                            && quality is "ok" or "weak" or "";
            if (!acc.TryGetValue(particle, out var s)) { order.Add(particle); s = (double.NaN, double.NaN, 0, 0); }
            if (measured)
            {
                if (double.IsNaN(s.A0)) s.A0 = a;
                s.A1 = a;
            }
            s.All++;
            if (quality is "ok" or "") s.Ok++;
            acc[particle] = s;
        }
        return order.Select(p => (p, new AreaSummary(acc[p].A0, acc[p].A1, 100.0 * acc[p].Ok / Math.Max(1, acc[p].All)))).ToList();
    }

    internal sealed record FitSummary(double D, double Lo, double Hi, double L, string Model, IReadOnlyList<string> Warnings);

    /// <summary>Per particle: the fit marked best (the only one with a single model).</summary>
    internal static Dictionary<string, FitSummary> ReadFits(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: missing (the movie's fit output is incomplete)");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var result = new Dictionary<string, FitSummary>(StringComparer.Ordinal);
        if (!doc.RootElement.TryGetProperty("fits", out var fits) || fits.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: not a fit.json (no \"fits\" array)");
        foreach (var f in fits.EnumerateArray())
        {
            string particle = f.GetProperty("particle").GetString() ?? "";
            bool best = !f.TryGetProperty("best", out var b) || b.ValueKind != JsonValueKind.False;
            if (result.ContainsKey(particle) && !best) continue;
            double lo = double.NaN, hi = double.NaN;
            if (f.TryGetProperty("D_ci95_cm2_s", out var ci) && ci.ValueKind == JsonValueKind.Array && ci.GetArrayLength() == 2)
            {
                lo = Num(ci[0]);
                hi = Num(ci[1]);
            }
            var warnings = f.TryGetProperty("warnings", out var w) && w.ValueKind == JsonValueKind.Array
                ? w.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
            result[particle] = new FitSummary(Num(f, "D_cm2_s"), lo, hi, Num(f, "diffusion_length_nm"),
                f.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "", warnings);
        }
        return result;
    }

    private static double Num(JsonElement obj, string name) => obj.TryGetProperty(name, out var v) ? Num(v) : double.NaN;

    private static double Num(JsonElement v) => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
}
