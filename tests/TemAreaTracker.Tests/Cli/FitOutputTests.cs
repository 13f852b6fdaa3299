using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Spectre.Console.Testing;
using TemAreaTracker.Fitting;
using Xunit;

namespace TemAreaTracker.Tests.Cli;

/// <summary>What `fit` and `compare` print and write: no confident wrong number, nothing split, every D with its L.</summary>
public sealed class FitOutputTests : IDisposable
{
    private readonly CliFixture _f = new();
    public void Dispose() => _f.Dispose();

    /// <summary>Two particles and a third marked kind = cluster in areas.csv (named "big", so only the column says so).</summary>
    private string CsvWithCluster()
    {
        string csv = _f.AreasCsv("areas.csv", ("P1", 1, 5e-12), ("P2", 2, 3e-12), ("big", 3, 4e-12));
        var lines = File.ReadAllLines(csv);
        var withKind = lines.Select((l, i) => i == 0 ? l + ",kind" : l + (l.StartsWith("big,") ? ",cluster" : ",particle"));
        File.WriteAllLines(csv, withKind);
        return csv;
    }

    private static JsonElement Fits(string outDir, out JsonDocument doc)
    {
        doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "fit.json")));
        return doc.RootElement.GetProperty("fits");
    }

    private static double[] Pair(JsonElement e) => [e[0].GetDouble(), e[1].GetDouble()];

    [Fact]
    public void Cluster_DNotMeaningful_InFitJson_KeysKeptValuesNull_WithReason()
    {
        string outDir = Path.Combine(_f.Dir, "fit");
        Assert.Equal(0, CliFixture.Run(new TestConsole(), "fit", CsvWithCluster(), "--bootstrap", "0", "--out", outDir));
        var fits = Fits(outDir, out var doc);
        using (doc)
        {
            var big = fits.EnumerateArray().Single(f => f.GetProperty("particle").GetString() == "big");
            foreach (var key in new[] { "particle", "model", "D_cm2_s", "D_ci95_cm2_s", "t0_s", "A0_nm2", "diffusion_length_nm", "aicc", "bic", "rms_residual_nm2", "n_points", "warnings" })
                Assert.True(big.TryGetProperty(key, out _), key);
            Assert.Equal("cluster", big.GetProperty("kind").GetString());
            Assert.False(big.GetProperty("meaningful").GetBoolean());
            Assert.StartsWith("D not meaningful for this outline: the outline is a cluster", big.GetProperty("not_meaningful_reason").GetString());
            Assert.Equal(JsonValueKind.Null, big.GetProperty("D_cm2_s").ValueKind);
            foreach (var key in new[] { "D_ci95_cm2_s", "D_ci95_profile_cm2_s", "D_ci95_jacobian_cm2_s", "D_ci95_bootstrap_cm2_s" })
                Assert.All(big.GetProperty(key).EnumerateArray(), v => Assert.Equal(JsonValueKind.Null, v.ValueKind));
            Assert.Equal(JsonValueKind.Null, big.GetProperty("D_swollen_cm2_s").ValueKind);
            Assert.Equal(JsonValueKind.Null, big.GetProperty("parameters").GetProperty("log10_D_nm2_s").GetProperty("value").ValueKind);
            var p1 = fits[0];
            Assert.True(p1.GetProperty("meaningful").GetBoolean());
            Assert.Equal(JsonValueKind.Null, p1.GetProperty("not_meaningful_reason").ValueKind);
            Assert.Equal("particle", p1.GetProperty("kind").GetString());
            Assert.Equal("radius sqrt(A0/pi)", p1.GetProperty("diffusion_length_source").GetString());
            Assert.True(p1.GetProperty("D_cm2_s").GetDouble() > 0);
        }
    }

    [Fact]
    public void FitCsv_NewColumnsAtTheEnd_TimesTo1Microsecond_AreasTo7SignificantDigits()
    {
        string outDir = Path.Combine(_f.Dir, "fit");
        Assert.Equal(0, CliFixture.Run(new TestConsole(), "fit", CsvWithCluster(), "--bootstrap", "0", "--out", outDir));
        var lines = File.ReadAllLines(Path.Combine(outDir, "fit.csv"));
        Assert.Equal("particle,model,time_s,area_nm2,model_area_nm2,residual_nm2,kind,meaningful,not_meaningful_reason", lines[0]);
        foreach (var row in lines.Skip(1).Select(l => l.Split(',')))
        {
            Assert.True(row[2].Split('.').ElementAtOrDefault(1)?.Length is null or <= 6, row[2]);
            foreach (var area in row[3..6])
                Assert.True(Regex.Replace(area.Split('E')[0], @"[-.]", "").TrimStart('0').Length <= 7, area);
            Assert.Equal(row[0] == "big" ? "cluster" : "particle", row[6]);
            Assert.Equal(row[0] == "big" ? "false" : "true", row[7]);
            Assert.Equal(row[0] == "big", row[8].StartsWith("D not meaningful: cluster outline"));
        }
    }

    [Fact]
    public void Console80Columns_NoIntervalSplit_EveryDWithItsLAndSource_ClusterSaysWhy()
    {
        var console = new TestConsole().Width(80);
        string outDir = Path.Combine(_f.Dir, "fit");
        Assert.Equal(0, CliFixture.Run(console, "fit", CsvWithCluster(), "--bootstrap", "0", "--out", outDir));
        var lines = console.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= 80, l));
        var fits = Fits(outDir, out var doc);
        using (doc)
            foreach (var f in fits.EnumerateArray().Where(f => f.GetProperty("meaningful").GetBoolean()))
            {
                var ci = Pair(f.GetProperty("D_ci95_cm2_s"));
                string interval = IntervalText.Format(f.GetProperty("D_cm2_s").GetDouble(), new Interval(ci[0], ci[1]));
                Assert.Contains(lines, l => l.Contains(interval)); // whole on one line
                string length = f.GetProperty("diffusion_length_nm").GetDouble().ToString("G3", CultureInfo.InvariantCulture);
                Assert.Contains(lines, l => l.Contains($"L = {length} nm (radius sqrt(A0/pi))"));
            }
        Assert.Contains(lines, l => l.Contains("D not meaningful: cluster outline"));
        Assert.Contains(lines, l => l.StartsWith("big: D not meaningful for this outline"));
        Assert.DoesNotContain(lines, l => Regex.IsMatch(l, @"\[[^\]]*$") && Regex.IsMatch(l, @"\de-\d")); // no "[lo," left open at a line end
    }

    [Fact]
    public void WideConsole_OneTable_RateIntervalLAndSourceInEachRow()
    {
        var console = new TestConsole().Width(4096);
        string outDir = Path.Combine(_f.Dir, "fit");
        Assert.Equal(0, CliFixture.Run(console, "fit", CsvWithCluster(), "--bootstrap", "0", "--out", outDir));
        var rows = console.Output.Split('\n').Where(l => l.StartsWith("│ ")).ToList();
        Assert.Contains("L from", rows[0]);
        var p1 = rows.Single(r => r.StartsWith("│ P1 "));
        Assert.Matches(@"│ \d\.\d{2,4}e-12 \[\d\.\d{2,4}e-12, \d\.\d{2,4}e-12\]\s+│\s+[\d.]+ │ radius sqrt\(A0/pi\) │", p1);
        Assert.Contains("not meaningful: cluster outline", rows.Single(r => r.StartsWith("│ big ")));
    }

    [Fact]
    public void ModelAll_ConsoleMarksTheBestModelOfEachParticle()
    {
        var console = new TestConsole().Width(4096);
        string csv = _f.AreasCsv("areas.csv", ("P1", 3, 5e-12), ("P2", 4, 3e-12));
        string outDir = Path.Combine(_f.Dir, "all");
        Assert.Equal(0, CliFixture.Run(console, "fit", csv, "--model", "all", "--bootstrap", "0", "--out", outDir));
        var rows = console.Output.Split('\n').Where(l => l.StartsWith("│ P")).ToList();
        Assert.Equal(12, rows.Count);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "fit.json")));
        foreach (var sel in doc.RootElement.GetProperty("model_selection").EnumerateArray())
        {
            string p = sel.GetProperty("particle").GetString()!, best = sel.GetProperty("best_model").GetString()!;
            var starred = Assert.Single(rows, r => r.StartsWith($"│ {p} ") && r.Contains("★ best"));
            Assert.Contains($"│ {best} ", starred);
        }
        Assert.Contains("ΔAICc", console.Output);
    }

    [Fact]
    public void Compare_LeavesOutParticlesWhoseDIsNotMeaningful_AndPrintsIntervalsWhole()
    {
        string a = Path.Combine(_f.Dir, "a"), b = Path.Combine(_f.Dir, "b");
        Assert.Equal(0, CliFixture.Run(new TestConsole(), "fit", CsvWithCluster(), "--bootstrap", "0", "--out", a));
        string csvB = _f.AreasCsv("b.csv", ("E1", 30, 5e-12), ("E2", 31, 5e-12));
        Assert.Equal(0, CliFixture.Run(new TestConsole(), "fit", csvB, "--bootstrap", "0", "--out", b));
        var console = new TestConsole().Width(80);
        string outDir = Path.Combine(_f.Dir, "cmp");
        Assert.Equal(0, CliFixture.Run(console, "compare", a, b, "--out", outDir));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "compare.json")));
        var condA = doc.RootElement.GetProperty("conditions")[0];
        Assert.Equal(2, condA.GetProperty("n_particles").GetInt32());
        Assert.DoesNotContain(condA.GetProperty("particles").EnumerateArray(), p => p.GetProperty("particle").GetString() == "big");
        var ci = Pair(condA.GetProperty("D_ci95_cm2_s"));
        Assert.Contains(IntervalText.Format(condA.GetProperty("D_cm2_s").GetDouble(), new Interval(ci[0], ci[1])), console.Output);
        Assert.Contains("left out (D not meaningful for the outline", console.Output);
        Assert.Contains("chemical: big", console.Output);
    }
}
