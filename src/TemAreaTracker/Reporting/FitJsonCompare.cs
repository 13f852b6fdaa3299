using System.Text.Json;
using TemAreaTracker.Fitting;

namespace TemAreaTracker.Reporting;

/// <summary>Writes compare.json: <c>{"conditions": [{"label", "D_cm2_s", "D_ci95_cm2_s", "n_particles"}, …], "ratio", "ratio_ci95"}</c>.</summary>
internal static class CompareJson
{
    /// <summary>Writes <paramref name="c"/> to <paramref name="path"/>; <paramref name="sources"/> lists the fit.json files of each condition.</summary>
    public static void Write(RateComparison c, IReadOnlyList<IReadOnlyList<string>> sources, string path)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("tool", "temtrack compare");
        w.WriteStartArray("conditions");
        int k = 0;
        foreach (var cond in new[] { c.A, c.B })
        {
            w.WriteStartObject();
            w.WriteString("label", cond.Label);
            FitJson.Num(w, "D_cm2_s", cond.DCm2PerS);
            FitJson.Pair(w, "D_ci95_cm2_s", cond.Ci95Cm2PerS);
            w.WriteNumber("n_particles", cond.Particles.Count);
            FitJson.Num(w, "log10_D_stderr", cond.Log10StdErr);
            w.WriteStartArray("particles");
            foreach (var p in cond.Particles)
            {
                w.WriteStartObject();
                w.WriteString("particle", p.Particle);
                FitJson.Num(w, "D_cm2_s", p.DCm2PerS);
                FitJson.Pair(w, "D_ci95_cm2_s", p.Ci95Cm2PerS);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("sources");
            foreach (var s in sources[k]) w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteEndObject();
            k++;
        }
        w.WriteEndArray();
        FitJson.Num(w, "ratio", c.Ratio);
        FitJson.Pair(w, "ratio_ci95", c.RatioCi95);
        w.WriteString("ratio_definition", $"D_{c.A.Label} / D_{c.B.Label}; a condition's D is the geometric mean of its particles' D");
        w.WriteEndObject();
    }
}
