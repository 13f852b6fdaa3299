using OpenCvSharp;
using TemAreaTracker.Segmentation;
using TemAreaTracker.Tests.Tracking;
using Xunit;

namespace TemAreaTracker.Tests.Segmentation;

/// <summary>
/// Edge-model selection on the rim's misfit about each model's smooth outline (<see cref="RimSamples"/>), on spheres
/// rendered by the tests' own renderer (<see cref="SphereImages"/>, not the project's simulator).
/// </summary>
public class RimSamplesTests
{
    private static List<Point2d> Circle(double x, double y, double r) =>
        Enumerable.Range(0, 120).Select(k => new Point2d(x + r * Math.Cos(2 * Math.PI * k / 120), y + r * Math.Sin(2 * Math.PI * k / 120))).ToList();

    /// <summary>
    /// A hard rim (mean free path 1.5 px) under a 3 px PSF and heavy shot noise: the hard model has the smaller score
    /// than a soft sphere rim, the model whose edge sits a pixel further out (the median of free per-node fits chose
    /// such soft rims, +9 % in area, on simulated frames like this).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void NoisyBlurredHardRim_ScoresTheHardModelBest(int seed)
    {
        using var frame = SphereImages.Render(0, 160, 140, [new SphereImages.Sphere(81.3, 69.6, 30, LambdaPx: 1.5)], blurSigmaPx: 3, dosePerPx: 30, seed: seed);
        using var image = new ImageSampler(frame);
        // Start a pixel off the true rim, as a first pass leaves it.
        var rim = RimSamples.Take(image, Circle(81.3, 69.6, 31), darkParticle: true, searchPx: 2, innerPx: 8, outerPx: 6);
        double hard = rim.Score(image, new EdgeModel(3, 40, 30, true), 3e-3, round: true).Misfit;
        double soft = rim.Score(image, new EdgeModel(3, 1, 30, true), 3e-3, round: true).Misfit;
        Assert.True(hard < soft, $"hard {hard:0.000} ≥ soft {soft:0.000}");
    }

    /// <summary>A soft silicon-like sphere (τ ≈ 0.8 through its centre) is not taken for a hard one.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SoftSphere_ScoresItsOwnAbsorptionBest(int seed)
    {
        using var frame = SphereImages.Render(0, 160, 140, [new SphereImages.Sphere(80.4, 70.2, 25, LambdaPx: 60)], blurSigmaPx: 1.5, dosePerPx: 300, seed: seed);
        using var image = new ImageSampler(frame);
        var rim = RimSamples.Take(image, Circle(80.4, 70.2, 25), darkParticle: true, searchPx: 2, innerPx: 8, outerPx: 6);
        double own = rim.Score(image, new EdgeModel(1.5, 50.0 / 60, 25, true), 3e-3, round: true).Misfit;
        double hard = rim.Score(image, new EdgeModel(1.5, 20, 25, true), 3e-3, round: true).Misfit;
        Assert.True(own < hard, $"own {own:0.000} ≥ hard {hard:0.000}");
    }

    /// <summary>With no rim to be found, there is no score.</summary>
    [Fact]
    public void EmptySupport_NotFound()
    {
        using var frame = SphereImages.Render(0, 120, 100, [], blurSigmaPx: 1, dosePerPx: 100);
        using var image = new ImageSampler(frame);
        var rim = RimSamples.Take(image, Circle(60, 50, 20), darkParticle: true, searchPx: 2, innerPx: 8, outerPx: 6);
        Assert.Equal(double.PositiveInfinity, rim.Score(image, new EdgeModel(1, 5, 20, true), 3e-3, round: true).Misfit);
    }
}
