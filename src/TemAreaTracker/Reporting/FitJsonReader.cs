using System.Text.Json;
using TemAreaTracker.Fitting;

namespace TemAreaTracker.Reporting;

/// <summary>Reads particles' D back from fit.json files (for <c>temtrack compare</c>).</summary>
internal static class FitJsonReader
{
    /// <summary>
    /// fit.json files under <paramref name="path"/>: the file itself, or every <c>fit.json</c> in a folder at any depth
    /// (sorted, so the order is stable).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing there, or a folder without any fit.json.</exception>
    public static IReadOnlyList<string> Find(string path)
    {
        if (File.Exists(path)) return [path];
        if (!Directory.Exists(path)) throw new FileNotFoundException($"{path}: no such file or folder", path);
        // Folders whose names start with a dot are skipped: a run's partial output (.NAME.partial-…) is never a result.
        var files = Directory.EnumerateFiles(path, "fit.json", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(f => !Path.GetRelativePath(path, Path.GetDirectoryName(f)!).Split(Path.DirectorySeparatorChar).Any(d => d.StartsWith('.') && d is not ("." or "..")))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new FileNotFoundException($"{path}: no fit.json in this folder or below it", path);
        return files;
    }

    /// <summary>
    /// One rate per particle: the fit marked best (or, with <paramref name="model"/>, that model's fit), skipping fits
    /// without a D (the interface model). A particle whose chosen fit is marked <c>meaningful: false</c> (a cluster, or a
    /// fit failing its sanity checks) is left out, never replaced by another model's D; its name is added to
    /// <paramref name="withheld"/>. Particle names are prefixed with the file's folder when several files are read.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a fit.json (message names the file).</exception>
    public static IReadOnlyList<ParticleRate> ReadRates(IReadOnlyList<string> files, KineticModel? model = null, ICollection<string>? withheld = null)
    {
        var rates = new List<ParticleRate>();
        foreach (var file in files)
        {
            JsonDocument doc;
            try { doc = JsonDocument.Parse(File.ReadAllText(file)); }
            catch (JsonException e) { throw new InvalidDataException($"{file}: not valid JSON ({e.Message.Split('\n')[0]})"); }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("fits", out var fits) || fits.ValueKind != JsonValueKind.Array)
                    throw new InvalidDataException($"{file}: not a fit.json (no \"fits\" array)");
                var chosen = new Dictionary<string, (bool Best, ParticleRate Rate)>();
                var order = new List<string>();
                var excluded = new HashSet<string>();
                foreach (var f in fits.EnumerateArray())
                {
                    string particle = Str(f, "particle", file);
                    string modelName = Str(f, "model", file);
                    if (model is KineticModel m && modelName != m.Name()) continue;
                    bool best = !f.TryGetProperty("best", out var b) || b.ValueKind != JsonValueKind.False;
                    string name = files.Count > 1 ? $"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file)))}/{particle}" : particle;
                    if (f.TryGetProperty("meaningful", out var mf) && mf.ValueKind == JsonValueKind.False)
                    {
                        if (best || model is not null) excluded.Add(name);
                        continue;
                    }
                    double d = NumOrNaN(f, "D_cm2_s");
                    if (!(d > 0)) continue;
                    var ci = new Interval(double.NaN, double.NaN);
                    if (f.TryGetProperty("D_ci95_cm2_s", out var c) && c.ValueKind == JsonValueKind.Array && c.GetArrayLength() == 2)
                        ci = new Interval(c[0].ValueKind == JsonValueKind.Number ? c[0].GetDouble() : 0,
                                          c[1].ValueKind == JsonValueKind.Number ? c[1].GetDouble() : double.PositiveInfinity);
                    var rate = new ParticleRate(name, d, ci);
                    if (!chosen.TryGetValue(name, out var prev)) { order.Add(name); chosen[name] = (best, rate); }
                    else if (best && !prev.Best) chosen[name] = (best, rate);
                }
                rates.AddRange(order.Where(n => !excluded.Contains(n)).Select(n => chosen[n].Rate));
                foreach (var n in excluded) withheld?.Add(n);
            }
        }
        return rates;
    }

    private static string Str(JsonElement e, string key, string file) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new InvalidDataException($"{file}: a fit has no \"{key}\"");

    private static double NumOrNaN(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
}
