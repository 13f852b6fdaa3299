using System.Text.Json;
using TemAreaTracker.Tests.Cli;
using Xunit;
using Xunit.Abstractions;

namespace TemAreaTracker.Tests.EndToEnd;

/// <summary>The whole pipeline through the CLI on a small movie: `simulate` → `track` → `fit`, checked against truth.json.</summary>
public sealed class CliPipelineTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("temtrack-e2e-").FullName;

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [Fact]
    public void SimulateTrackFit_FitJsonHasContractKeys_DWithin15Percent()
    {
        string sim = Path.Combine(_dir, "sim"), tracked = Path.Combine(_dir, "track"), fitted = Path.Combine(_dir, "fit");
        Assert.Equal(0, CliFixture.Run("simulate", "--scenario", "isolated", "--seed", "5", "--frames", "40",
            "--format", "tif", "--out", sim));

        using var truth = JsonDocument.Parse(File.ReadAllText(Path.Combine(sim, "truth.json")));
        var p1 = truth.RootElement.GetProperty("particles")[0];
        double trueD = p1.GetProperty("d_cm2_s").GetDouble(), lNm = p1.GetProperty("diffusion_length_nm").GetDouble();
        string dt = truth.RootElement.GetProperty("frame_interval_s").GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(0, CliFixture.Run("track", Path.Combine(sim, "movie.tif"), "--rois", Path.Combine(sim, "RoiSet.zip"),
            "--pixel-size-nm", "1.5", "--frame-interval-s", dt, "--out", tracked));
        Assert.Equal(1 + 40, File.ReadAllLines(Path.Combine(tracked, "areas.csv")).Length);

        Assert.Equal(0, CliFixture.Run("fit", Path.Combine(tracked, "areas.csv"), "--diffusion-length-nm",
            lNm.ToString("R", System.Globalization.CultureInfo.InvariantCulture), "--bootstrap", "100", "--out", fitted));
        using var fit = JsonDocument.Parse(File.ReadAllText(Path.Combine(fitted, "fit.json")));
        var f = Assert.Single(fit.RootElement.GetProperty("fits").EnumerateArray());
        foreach (var key in new[] { "particle", "model", "D_cm2_s", "D_ci95_cm2_s", "t0_s", "A0_nm2", "diffusion_length_nm", "aicc", "bic", "rms_residual_nm2", "n_points", "warnings" })
            Assert.True(f.TryGetProperty(key, out _), $"fit.json lacks {key}");
        Assert.Equal("p1", f.GetProperty("particle").GetString());
        Assert.Equal(lNm, f.GetProperty("diffusion_length_nm").GetDouble(), 6);
        double d = f.GetProperty("D_cm2_s").GetDouble();
        var ci = f.GetProperty("D_ci95_cm2_s");
        output.WriteLine($"CLI pipeline: D {d:0.000e0} [{ci[0].GetDouble():0.000e0}, {ci[1].GetDouble():0.000e0}] vs true {trueD:0.000e0} ({(d / trueD - 1) * 100:+0.0;-0.0}%), L {lNm} nm");
        Assert.InRange(d / trueD, 0.85, 1.15);
        Assert.True(ci[0].GetDouble() < d && d < ci[1].GetDouble());
    }
}
