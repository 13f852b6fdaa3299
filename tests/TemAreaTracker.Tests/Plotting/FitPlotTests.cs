using SkiaSharp;
using TemAreaTracker.Fitting;
using TemAreaTracker.Plotting;
using TemAreaTracker.Tests.Fitting;
using Xunit;

namespace TemAreaTracker.Tests.Plotting;

public class FitPlotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("temtrack-plot-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static double InkFraction(string png, out int width, out int height)
    {
        using var bmp = SKBitmap.Decode(png);
        (width, height) = (bmp.Width, bmp.Height);
        int ink = 0;
        for (int y = 0; y < bmp.Height; y += 2)
            for (int x = 0; x < bmp.Width; x += 2)
            {
                var c = bmp.GetPixel(x, y);
                if (c.Red < 200 || c.Green < 200 || c.Blue < 200) ink++;
            }
        return ink / (bmp.Width / 2.0 * bmp.Height / 2.0);
    }

    [Fact]
    public void FitFigure_HasDataModelResiduals_AndDWithIntervalInLegend()
    {
        var (s, _) = SyntheticCurves.Sphere(seed: 21, frames: 60, dCm2PerS: 5e-12, lNm: 50, relNoise: 0.02);
        var fit = DiffusionFitter.Fit(s, KineticModel.SphereDiffusion, new FitOptions { BootstrapResamples = 0 });
        string png = Path.Combine(_dir, "fit.png"), svg = Path.Combine(_dir, "fit.svg");
        FitPlot.Save([fit], png, svg);
        double ink = InkFraction(png, out int w, out int h);
        Assert.Equal((900, 700), (w, h));
        Assert.InRange(ink, 0.01, 0.5); // something drawn, not a black box
        string text = File.ReadAllText(svg);
        Assert.Contains("DejaVu Sans", text); // fonts resolved: ScottPlot draws no text without them
        Assert.Contains("residual", text);
        Assert.Contains(FitPlot.Legend(fit), text.Replace("&#178;", "²"));
        Assert.Matches(@"^P1 \(sphere-diffusion\): D = \d\.\d{2,4}e-12 \[\d\.\d{2,4}e-12, \d\.\d{2,4}e-12\] cm²/s, L = [\d.]+ nm \(radius sqrt\(A0/pi\)\)$", FitPlot.Legend(fit));
        Assert.Equal("P1: sphere-diffusion fit", FitPlot.Title([fit]));
    }

    [Fact]
    public void Legend_NotMeaningful_SaysWhyInsteadOfANumber()
    {
        var (s, _) = SyntheticCurves.Sphere(seed: 21, frames: 60, dCm2PerS: 5e-12, lNm: 50, relNoise: 0.02, particle: "cluster");
        var fit = DiffusionFitter.Fit(s, KineticModel.SphereDiffusion, new FitOptions { BootstrapResamples = 0 });
        Assert.StartsWith("cluster (sphere-diffusion): D not meaningful (cluster outline", FitPlot.Legend(fit));
        Assert.DoesNotMatch(@"\de-1\d", FitPlot.Legend(fit));
    }

    [Fact]
    public void ModelAll_TitleAndLegendSayBestModelPerParticle()
    {
        var (s, _) = SyntheticCurves.Sphere(seed: 22, frames: 60, dCm2PerS: 5e-12, lNm: 50, relNoise: 0.02);
        var fits = DiffusionFitter.FitAll(s, new FitOptions { BootstrapResamples = 0, ProfileInterval = false });
        var best = fits.First(f => f.Model == ModelSelection.Rank(fits).Best);
        Assert.Equal($"P1: best model {best.Model.Name()} (lowest AICc of 6)", FitPlot.Title([best], 6));
        Assert.Equal("best model per particle (lowest AICc of 6)", FitPlot.Title([best, best with { Particle = "P2" }], 6));
        Assert.StartsWith($"P1 ({best.Model.Name()}, best): ", FitPlot.Legend(best, 6));
        string png = Path.Combine(_dir, "fit.png"), svg = Path.Combine(_dir, "fit.svg");
        FitPlot.Save([best], png, svg, modelsRanked: 6);
        Assert.Contains("best model", File.ReadAllText(svg));
    }

    [Fact]
    public void CompareFigure_DrawsBothConditions()
    {
        ParticleRate R(string p, double d) => new(p, d, new Interval(d / 1.2, d * 1.2));
        var c = RateComparer.Compare(RateComparer.Summarize("chemical", [R("a", 3e-12), R("b", 3.5e-12)]),
                                     RateComparer.Summarize("electrochemical", [R("c", 5e-12), R("d", 4.5e-12), R("e", 5.5e-12)]));
        string png = Path.Combine(_dir, "compare.png"), svg = Path.Combine(_dir, "compare.svg");
        ComparePlot.Save(c, png, svg);
        Assert.InRange(InkFraction(png, out _, out _), 0.01, 0.6);
        string text = File.ReadAllText(svg);
        Assert.Contains("chemical (n=2)", text);
        Assert.Contains("electrochemical (n=3)", text);
    }
}
