using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console.Cli;
using TemAreaTracker.Cli;
using TemAreaTracker.Tests.Fitting;
using Xunit;

namespace TemAreaTracker.Tests.Cli;

/// <summary>Runs the real CLI (same registration and error mapping as Program.cs) on temporary files.</summary>
internal sealed class CliFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("temtrack-fit-").FullName;

    public static int Run(params string[] args) => CliRunner.Run(App(), args);

    /// <summary>Runs against <paramref name="console"/> (e.g. a TestConsole of a given width); returns the exit code.</summary>
    public static int Run(Spectre.Console.IAnsiConsole console, params string[] args)
    {
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.SetApplicationName("temtrack");
            c.ConfigureConsole(console);
            c.PropagateExceptions();
            TemAreaTracker.Cli.Commands.Commands.Register(c);
        });
        return app.Run(args);
    }

    /// <summary>Runs with exceptions propagated, to read the one-line message the user would see.</summary>
    public static Exception Fails(params string[] args) => Assert.ThrowsAny<Exception>(() => App().Run(args));

    private static CommandApp App()
    {
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.SetApplicationName("temtrack");
            c.PropagateExceptions();
            TemAreaTracker.Cli.Commands.Commands.Register(c);
        });
        return app;
    }

    /// <summary>Writes an areas.csv with the given particles' seeded sphere curves (same frames for all).</summary>
    public string AreasCsv(string name, params (string Particle, int Seed, double DCm2PerS)[] particles)
    {
        var sb = new StringBuilder("particle,frame,time_s,area_px,area_nm2,quality\n");
        foreach (var (p, seed, d) in particles)
        {
            var (s, _) = SyntheticCurves.Sphere(seed, frames: 60, dCm2PerS: d, lNm: 50, relNoise: 0.02, particle: p);
            for (int i = 0; i < s.Count; i++)
                sb.Append(CultureInfo.InvariantCulture, $"{p},{i},{s.TimeS[i]:R},{s.AreaNm2[i] / 4:R},{s.AreaNm2[i]:R},ok\n");
        }
        string path = Path.Combine(Dir, name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    public string Write(string name, string text)
    {
        string path = Path.Combine(Dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() { try { Directory.Delete(Dir, true); } catch (IOException) { } }
}

public class FitCommandTests : IDisposable
{
    private readonly CliFixture _f = new();
    public void Dispose() => _f.Dispose();

    [Fact]
    public void Fit_WritesContractKeys_CsvAndFigures()
    {
        string csv = _f.AreasCsv("areas.csv", ("P1", 1, 5e-12), ("P2", 2, 3e-12));
        string outDir = Path.Combine(_f.Dir, "fit");
        Assert.Equal(0, CliFixture.Run("fit", csv, "--bootstrap", "50", "--out", outDir));
        foreach (var file in new[] { "fit.json", "fit.csv", "fit.png", "fit.svg" })
            Assert.True(new FileInfo(Path.Combine(outDir, file)).Length > 100, file);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "fit.json")));
        var fits = doc.RootElement.GetProperty("fits");
        Assert.Equal(2, fits.GetArrayLength());
        foreach (var key in new[] { "particle", "model", "D_cm2_s", "D_ci95_cm2_s", "t0_s", "A0_nm2", "diffusion_length_nm", "aicc", "bic", "rms_residual_nm2", "n_points", "warnings" })
            Assert.True(fits[0].TryGetProperty(key, out _), key);
        Assert.Equal("sphere-diffusion", fits[0].GetProperty("model").GetString());
        double d = fits[0].GetProperty("D_cm2_s").GetDouble();
        Assert.InRange(d, 4e-12, 6e-12);
        var ci = fits[0].GetProperty("D_ci95_cm2_s");
        Assert.True(ci[0].GetDouble() < d && d < ci[1].GetDouble());
        Assert.Equal(60, fits[0].GetProperty("n_points").GetInt32());
        Assert.Equal(121, File.ReadAllLines(Path.Combine(outDir, "fit.csv")).Length); // header + 2 × 60
        Assert.Empty(Directory.GetDirectories(_f.Dir, ".fit.*")); // temp folder renamed, not left behind
    }

    [Fact]
    public void Fit_ModelAll_RanksEveryModel_WithVerdict()
    {
        string csv = _f.AreasCsv("areas.csv", ("P1", 3, 5e-12));
        string outDir = Path.Combine(_f.Dir, "all");
        Assert.Equal(0, CliFixture.Run("fit", csv, "--model", "all", "--bootstrap", "0", "--out", outDir));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "fit.json")));
        Assert.Equal(6, doc.RootElement.GetProperty("fits").GetArrayLength());
        var sel = doc.RootElement.GetProperty("model_selection")[0];
        Assert.Equal(6, sel.GetProperty("ranking").GetArrayLength());
        Assert.False(string.IsNullOrWhiteSpace(sel.GetProperty("verdict").GetString()));
        Assert.Single(doc.RootElement.GetProperty("fits").EnumerateArray(), f => f.GetProperty("best").GetBoolean());
    }

    [Fact]
    public void MissingColumns_ExitTwo_NoOutput_MessageNamesFile()
    {
        string csv = _f.Write("bad.csv", "particle,frame,time_s\nP,0,0\n");
        string outDir = Path.Combine(_f.Dir, "out");
        Assert.Equal(CliRunner.BadInput, CliFixture.Run("fit", csv, "--out", outDir));
        Assert.False(Directory.Exists(outDir));
        var e = CliFixture.Fails("fit", csv, "--out", outDir);
        Assert.Contains("bad.csv", e.Message);
        Assert.Contains("area_nm2", e.Message);
    }

    [Fact]
    public void UnknownParticle_ExitTwo_ListsParticles()
    {
        string csv = _f.AreasCsv("areas.csv", ("P1", 1, 5e-12));
        string outDir = Path.Combine(_f.Dir, "out");
        Assert.Equal(CliRunner.BadInput, CliFixture.Run("fit", csv, "--particle", "P9", "--out", outDir));
        Assert.False(Directory.Exists(outDir));
        var e = CliFixture.Fails("fit", csv, "--particle", "P9", "--out", outDir);
        Assert.Contains("P9", e.Message);
        Assert.Contains("P1", e.Message);
    }

    [Fact]
    public void FewerPointsThanParameters_ExitTwo()
    {
        string csv = _f.Write("few.csv", "particle,frame,time_s,area_px,area_nm2\nP,0,0,1,100\nP,1,1,1,120\nP,2,2,1,140\nP,3,3,1,150\n");
        string outDir = Path.Combine(_f.Dir, "out");
        Assert.Equal(CliRunner.BadInput, CliFixture.Run("fit", csv, "--out", outDir));
        Assert.False(Directory.Exists(outDir));
        Assert.Contains("needs at least", CliFixture.Fails("fit", csv, "--out", outDir).Message);
    }

    [Fact]
    public void DuplicateTimes_ExitTwo()
    {
        string csv = _f.Write("dup.csv", "particle,frame,time_s,area_px,area_nm2\nP,0,0,1,100\nP,1,0,1,120\n");
        Assert.Equal(CliRunner.BadInput, CliFixture.Run("fit", csv, "--out", Path.Combine(_f.Dir, "out")));
        Assert.Contains("duplicate time", CliFixture.Fails("fit", csv, "--out", Path.Combine(_f.Dir, "out")).Message);
    }

    [Fact]
    public void ExistingOutput_RefusedWithoutForce_ReplacedWithForce()
    {
        string csv = _f.AreasCsv("areas.csv", ("P1", 1, 5e-12));
        string outDir = Path.Combine(_f.Dir, "keep");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "mine.txt"), "user data");
        Assert.Equal(CliRunner.BadInput, CliFixture.Run("fit", csv, "--bootstrap", "0", "--out", outDir));
        Assert.True(File.Exists(Path.Combine(outDir, "mine.txt")));
        Assert.Equal(CliRunner.BadInput, CliFixture.Run("fit", csv, "--bootstrap", "0", "--force", "--out", outDir));
        Assert.True(File.Exists(Path.Combine(outDir, "mine.txt")));
        File.Delete(Path.Combine(outDir, "mine.txt"));
        Assert.Equal(0, CliFixture.Run("fit", csv, "--bootstrap", "0", "--force", "--out", outDir));
        Assert.Equal(0, CliFixture.Run("fit", csv, "--bootstrap", "0", "--force", "--out", outDir));
        Assert.True(File.Exists(Path.Combine(outDir, "fit.json")));
    }

    [Fact]
    public void MissingFile_AndUnknownModel_ExitTwo()
    {
        Assert.Equal(CliRunner.BadInput, CliFixture.Run("fit", Path.Combine(_f.Dir, "nope.csv"), "--out", Path.Combine(_f.Dir, "o")));
        string csv = _f.AreasCsv("areas.csv", ("P1", 1, 5e-12));
        Assert.Equal(CliRunner.BadInput, CliFixture.Run("fit", csv, "--model", "parabola", "--out", Path.Combine(_f.Dir, "o")));
        Assert.False(Directory.Exists(Path.Combine(_f.Dir, "o")));
    }
}

public class CompareCommandTests : IDisposable
{
    private readonly CliFixture _f = new();
    public void Dispose() => _f.Dispose();

    [Fact]
    public void Compare_FoldersAtAnyDepth_WritesContractKeys()
    {
        // Chemical: two runs in nested folders; electrochemical: one file.
        string chemRoot = Path.Combine(_f.Dir, "chemical");
        for (int run = 0; run < 2; run++)
        {
            string csv = _f.AreasCsv($"chem{run}.csv", ($"C{run}a", 10 + run, 3.35e-12), ($"C{run}b", 20 + run, 3.35e-12));
            Assert.Equal(0, CliFixture.Run("fit", csv, "--bootstrap", "0", "--out", Path.Combine(chemRoot, $"day{run}", "fit")));
        }
        string ecsv = _f.AreasCsv("echem.csv", ("E1", 30, 5e-12), ("E2", 31, 5e-12), ("E3", 32, 5e-12));
        string echem = Path.Combine(_f.Dir, "echem");
        Assert.Equal(0, CliFixture.Run("fit", ecsv, "--bootstrap", "0", "--out", echem));

        string outDir = Path.Combine(_f.Dir, "cmp");
        Assert.Equal(0, CliFixture.Run("compare", chemRoot, Path.Combine(echem, "fit.json"), "--out", outDir));
        foreach (var file in new[] { "compare.json", "compare.png", "compare.svg" })
            Assert.True(new FileInfo(Path.Combine(outDir, file)).Length > 100, file);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "compare.json")));
        var conds = doc.RootElement.GetProperty("conditions");
        Assert.Equal("chemical", conds[0].GetProperty("label").GetString());
        Assert.Equal("electrochemical", conds[1].GetProperty("label").GetString());
        Assert.Equal(4, conds[0].GetProperty("n_particles").GetInt32());
        Assert.Equal(3, conds[1].GetProperty("n_particles").GetInt32());
        foreach (var c in conds.EnumerateArray())
        {
            Assert.True(c.GetProperty("D_cm2_s").GetDouble() > 0);
            Assert.Equal(2, c.GetProperty("D_ci95_cm2_s").GetArrayLength());
        }
        double ratio = doc.RootElement.GetProperty("ratio").GetDouble();
        var ci = doc.RootElement.GetProperty("ratio_ci95");
        Assert.InRange(ratio, 0.5, 0.85);
        Assert.True(ci[0].GetDouble() < ratio && ratio < ci[1].GetDouble());
    }

    [Fact]
    public void Compare_FolderWithoutFitJson_ExitTwo_NoOutput()
    {
        string empty = Directory.CreateDirectory(Path.Combine(_f.Dir, "empty")).FullName;
        string outDir = Path.Combine(_f.Dir, "cmp");
        Assert.Equal(CliRunner.BadInput, CliFixture.Run("compare", empty, empty, "--label-a", "x", "--label-b", "y", "--out", outDir));
        Assert.False(Directory.Exists(outDir));
        Assert.Contains("no fit.json", CliFixture.Fails("compare", empty, empty, "--label-a", "x", "--label-b", "y", "--out", outDir).Message);
    }

    [Fact]
    public void Compare_NotAFitJson_ExitTwo()
    {
        string bogus = _f.Write("fit.json", "{\"hello\": 1}");
        Assert.Equal(CliRunner.BadInput, CliFixture.Run("compare", bogus, bogus, "--out", Path.Combine(_f.Dir, "cmp")));
        Assert.Contains("not a fit.json", CliFixture.Fails("compare", bogus, bogus, "--out", Path.Combine(_f.Dir, "cmp")).Message);
    }
}
