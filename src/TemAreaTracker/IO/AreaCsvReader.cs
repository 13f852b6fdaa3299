using System.Globalization;
using CsvHelper;

namespace TemAreaTracker.IO;

/// <summary>What <see cref="AreaCsvReader"/> read: one series per particle (file order) and what it skipped.</summary>
/// <param name="Series">Usable points of each particle, in order of first appearance.</param>
/// <param name="SkippedRows">Rows left out because the area was empty/NaN or the quality was neither ok nor weak.</param>
/// <param name="SkippedByParticle">The same count per particle.</param>
public sealed record AreaCsvData(IReadOnlyList<AreaSeries> Series, int SkippedRows, IReadOnlyDictionary<string, int> SkippedByParticle);

/// <summary>
/// Reads the tracker's long-form <c>areas.csv</c>: columns at least <c>particle,frame,time_s,area_px,area_nm2</c>,
/// optionally <c>area_sigma_nm2</c> (one-sigma per-frame uncertainty, used as fit weights), <c>quality</c> and
/// <c>kind</c> (<c>particle</c> or <c>cluster</c>; a particle is a cluster when any of its rows says so or its name
/// starts with <c>cluster</c>, also without the column).
/// </summary>
/// <remarks>
/// Rows whose area is empty or NaN, or whose quality is other than <c>ok</c>/<c>weak</c> (e.g. <c>lost</c>,
/// <c>out-of-view</c>), are skipped and counted: the tracker never invents an area, and neither does the fitter.
/// Errors are <see cref="InvalidDataException"/>s whose message starts with the file name and says what is wrong.
/// </remarks>
public static class AreaCsvReader
{
    /// <summary>Columns every areas.csv must have.</summary>
    public static IReadOnlyList<string> RequiredColumns { get; } = ["particle", "frame", "time_s", "area_px", "area_nm2"];

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Missing columns, unparsable numbers, duplicate or decreasing times.</exception>
    public static AreaCsvData Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Reads CSV text; <paramref name="sourceName"/> prefixes every error message.</summary>
    public static AreaCsvData Read(TextReader text, string sourceName)
    {
        var options = new CsvReaderOptions { TrimWhitespace = true, TrackLineNumbers = true, SkipEmptyLines = true };
        using var csv = CsvReader.Create(text, options, leaveOpen: true);
        string[] header;
        try { header = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray(); }
        catch (CsvFormatException e) { throw new InvalidDataException($"{sourceName}: not a readable CSV ({FirstLine(e.Message)})"); }
        if (header.Length == 0 || header.All(h => h.Length == 0))
            throw new InvalidDataException($"{sourceName}: empty file (expected a header with {string.Join(",", RequiredColumns)})");
        var missing = RequiredColumns.Where(c => !header.Contains(c)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{sourceName}: missing column(s) {string.Join(", ", missing)} (have: {string.Join(",", header)}; need at least {string.Join(",", RequiredColumns)})");
        int Col(string name) => Array.IndexOf(header, name);
        int cParticle = Col("particle"), cFrame = Col("frame"), cTime = Col("time_s"), cPx = Col("area_px"), cArea = Col("area_nm2");
        int cSigma = Col("area_sigma_nm2"), cQuality = Col("quality"), cKind = Col("kind");

        var order = new List<string>();
        var points = new Dictionary<string, List<(int Frame, double T, double A, double S)>>();
        var skipped = new Dictionary<string, int>();
        var clusters = new HashSet<string>();
        int skippedTotal = 0, anyPxOnly = 0;
        try
        {
            while (csv.Read())
            {
                long row = csv.LineNumber;
                string? Field(int c) => c >= 0 && c < csv.FieldCount ? csv.GetStringOrNull(c) : null;
                string particle = Field(cParticle)?.Trim() ?? "";
                if (particle.Length == 0) throw new InvalidDataException($"{sourceName}: line {row}: empty particle name");
                int frame = ParseInt(Field(cFrame), "frame", sourceName, row);
                double t = ParseDouble(Field(cTime), "time_s", sourceName, row, allowEmpty: false);
                double a = ParseDouble(Field(cArea), "area_nm2", sourceName, row, allowEmpty: true);
                double s = cSigma >= 0 ? ParseDouble(Field(cSigma), "area_sigma_nm2", sourceName, row, allowEmpty: true) : double.NaN;
                string quality = cQuality >= 0 ? (Field(cQuality) ?? "").Trim().ToLowerInvariant() : "ok";
                if (!points.ContainsKey(particle)) { order.Add(particle); points[particle] = []; skipped[particle] = 0; }
                string? kindText = cKind >= 0 ? Field(cKind) : null;
                if (!string.IsNullOrWhiteSpace(kindText))
                {
                    if (!ParticleKinds.TryParse(kindText, out var kind))
                        throw new InvalidDataException($"{sourceName}: line {row}: kind '{kindText}' is neither particle nor cluster");
                    if (kind == ParticleKind.Cluster) clusters.Add(particle);
                }
                if (ParticleKinds.NamedAsCluster(particle)) clusters.Add(particle);
                if (!double.IsFinite(t)) throw new InvalidDataException($"{sourceName}: line {row}: time_s is not a finite number");
                var list = points[particle];
                if (list.Count > 0 && !(t > list[^1].T))
                    throw new InvalidDataException(t == list[^1].T
                        ? $"{sourceName}: line {row}: particle {particle} has duplicate time {t.ToString(CultureInfo.InvariantCulture)} s (frames {list[^1].Frame} and {frame})"
                        : $"{sourceName}: line {row}: particle {particle}: times must increase, but frame {frame} at {t.ToString(CultureInfo.InvariantCulture)} s follows {list[^1].T.ToString(CultureInfo.InvariantCulture)} s");
                bool usable = double.IsFinite(a) && a > 0 && (quality is "" or "ok" or "weak");
                if (!usable)
                {
                    if (!double.IsFinite(a) && double.TryParse(Field(cPx), NumberStyles.Float, CultureInfo.InvariantCulture, out double px) && double.IsFinite(px)) anyPxOnly++;
                    skipped[particle]++;
                    skippedTotal++;
                    // Keep the time so that duplicate/decreasing times are still caught across skipped rows.
                    list.Add((frame, t, double.NaN, double.NaN));
                    continue;
                }
                list.Add((frame, t, a, s));
            }
        }
        catch (CsvFormatException e) { throw new InvalidDataException($"{sourceName}: {FirstLine(e.Message)}"); }

        if (order.Count == 0) throw new InvalidDataException($"{sourceName}: no data rows");
        if (points.Values.All(l => l.All(p => double.IsNaN(p.A))) && anyPxOnly > 0)
            throw new InvalidDataException($"{sourceName}: area_nm2 is empty (uncalibrated areas in px only); re-run track with --pixel-size-nm");
        var series = order.Select(name =>
        {
            var ok = points[name].Where(p => !double.IsNaN(p.A)).ToList();
            bool sigma = cSigma >= 0 && ok.Count > 0 && ok.All(p => double.IsFinite(p.S) && p.S > 0);
            return new AreaSeries(name, ok.Select(p => p.T).ToArray(), ok.Select(p => p.A).ToArray(), sigma ? ok.Select(p => p.S).ToArray() : null)
            {
                Kind = clusters.Contains(name) ? ParticleKind.Cluster : ParticleKind.Particle,
            };
        }).ToList();
        return new AreaCsvData(series, skippedTotal, skipped);
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    private static int ParseInt(string? s, string column, string source, long row) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v : throw new InvalidDataException($"{source}: line {row}: {column} '{s}' is not an integer");

    private static double ParseDouble(string? s, string column, string source, long row, bool allowEmpty)
    {
        if (string.IsNullOrWhiteSpace(s))
            return allowEmpty ? double.NaN : throw new InvalidDataException($"{source}: line {row}: {column} is empty");
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return v;
        if (s.Trim().Equals("nan", StringComparison.OrdinalIgnoreCase)) return double.NaN;
        throw new InvalidDataException($"{source}: line {row}: {column} '{s}' is not a number");
    }
}
