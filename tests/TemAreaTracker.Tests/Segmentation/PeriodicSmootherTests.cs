using TemAreaTracker.Segmentation;
using Xunit;

namespace TemAreaTracker.Tests.Segmentation;

public class PeriodicSmootherTests
{
    /// <summary>
    /// With a negligible bending penalty the fit reproduces a smooth periodic function sampled at uneven angles with
    /// uneven weights: every entry of the normal matrix (built from trigonometric moments) must be right for that.
    /// </summary>
    [Fact]
    public void ReproducesAMixOfHarmonicsAtUnevenAnglesAndWeights()
    {
        var rng = new Random(3);
        int n = 200;
        double F(double t) => 3 + 2 * Math.Cos(t) - 1.5 * Math.Sin(2 * t) + 0.5 * Math.Cos(5 * t) + 0.3 * Math.Sin(7 * t);
        var theta = Enumerable.Range(0, n).Select(i => 2 * Math.PI * (i + 0.4 * rng.NextDouble()) / n - Math.PI).ToArray();
        var v = theta.Select(F).ToArray();
        var w = theta.Select(_ => 0.3 + rng.NextDouble()).ToArray();
        var fit = PeriodicSmoother.Fit(theta, v, w, 1e-12, out double scatter);
        for (double t = -3; t <= 3; t += 0.37) Assert.Equal(F(t), fit(t), 6);
        Assert.True(scatter < 1e-6, $"scatter {scatter}");
    }

    [Fact]
    public void BendingPenaltyDampsHighHarmonicsButNotTheMeanOrAShift()
    {
        int n = 180;
        var theta = Enumerable.Range(0, n).Select(i => 2 * Math.PI * i / n).ToArray();
        var v = theta.Select(t => 10 + Math.Cos(t) + Math.Cos(8 * t)).ToArray();
        var fit = PeriodicSmoother.Fit(theta, v, Enumerable.Repeat(1.0, n).ToArray(), 1e-2, out _);
        // k = 8 costs 1e-2·8⁴ ≈ 41 times the data weight: damped to ~2 %; mean and k = 1 untouched.
        // Undamped, cos 8t would add +1 at t = 0 and −1 at t = π/8.
        Assert.InRange(fit(0) - 11, -0.05, 0.05);
        Assert.InRange(fit(Math.PI / 8) - (10 + Math.Cos(Math.PI / 8)), -0.05, 0.05);
    }
}
