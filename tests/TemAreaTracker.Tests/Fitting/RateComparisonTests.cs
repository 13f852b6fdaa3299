using TemAreaTracker.Fitting;
using Xunit;
using Xunit.Abstractions;

namespace TemAreaTracker.Tests.Fitting;

public class RateComparisonTests(ITestOutputHelper output)
{
    private static readonly FitOptions Fast = new() { BootstrapResamples = 0, Parallel = false };

    [Fact]
    public void ChemicalVsElectrochemical_TrueRatio0p67_CiContainsIt_AndExcludesOne()
    {
        // Issue 4: a pair of conditions whose true D ratio is 0.67 (electrochemical 5e-12, chemical 3.35e-12 cm²/s),
        // five particles each with their own radius and 2 % noise, fitted end to end.
        DiffusionFit Fit(double d, int seed)
        {
            var (s, _) = SyntheticCurves.Sphere(seed, frames: 70, dCm2PerS: d, lNm: 40 + 10 * (seed % 7), relNoise: 0.02, particle: $"p{seed}");
            return DiffusionFitter.Fit(s, KineticModel.SphereDiffusion, Fast);
        }
        var c = RateComparer.CompareRates(Enumerable.Range(100, 5).Select(i => Fit(0.67 * 5e-12, i)).ToList(),
                                          Enumerable.Range(200, 5).Select(i => Fit(5e-12, i)).ToList());
        var (chem, echem) = (c.A, c.B);
        output.WriteLine($"ratio {c.Ratio:F3} [{c.RatioCi95.Lo:F3}, {c.RatioCi95.Hi:F3}]; chemical {chem.DCm2PerS:E3}, electrochemical {echem.DCm2PerS:E3}");
        Assert.True(c.RatioCi95.Contains(0.67), $"ratio {c.Ratio:F3} [{c.RatioCi95.Lo:F3}, {c.RatioCi95.Hi:F3}] misses 0.67");
        Assert.False(c.RatioCi95.Contains(1.0), $"ratio CI [{c.RatioCi95.Lo:F3}, {c.RatioCi95.Hi:F3}] includes 1");
        Assert.True(chem.Ci95Cm2PerS.Contains(0.67 * 5e-12));
        Assert.True(echem.Ci95Cm2PerS.Contains(5e-12));
        Assert.Equal(5, c.A.Particles.Count);
        Assert.Equal("chemical", c.A.Label);
    }

    [Fact]
    public void ConditionD_IsGeometricMeanOfParticles()
    {
        var rates = new[] { 1e-12, 4e-12, 16e-12 }.Select((d, i) => new ParticleRate($"p{i}", d, new Interval(d / 1.2, d * 1.2))).ToList();
        var c = RateComparer.Summarize("x", rates);
        Assert.Equal(4e-12, c.DCm2PerS, 1e-20);
        Assert.Equal(2, c.DegreesOfFreedom); // spread between particles dominates their own intervals
    }

    [Fact]
    public void RatioInterval_CoversTruth_About95PercentOfTrials()
    {
        // Particle log D scatter 0.1 decade around the condition's D, 4 vs 6 particles, 2000 seeded trials.
        var rng = new Random(17);
        int covered = 0, trials = 2000;
        for (int k = 0; k < trials; k++)
        {
            List<ParticleRate> Draw(double d, int n) => Enumerable.Range(0, n).Select(i =>
            {
                double x = d * Math.Pow(10, 0.1 * SyntheticCurves.Gauss(rng));
                return new ParticleRate($"p{i}", x, new Interval(x / 1.1, x * 1.1));
            }).ToList();
            var c = RateComparer.Compare(RateComparer.Summarize("a", Draw(2e-12, 4)), RateComparer.Summarize("b", Draw(3e-12, 6)));
            if (c.RatioCi95.Contains(2.0 / 3.0)) covered++;
        }
        output.WriteLine($"ratio CI coverage {(double)covered / trials:P1}");
        Assert.InRange((double)covered / trials, 0.93, 0.97);
    }

    [Fact]
    public void SingleParticle_UsesItsOwnInterval()
    {
        var c = RateComparer.Summarize("solo", [new ParticleRate("p", 5e-12, new Interval(4e-12, 6.25e-12))]);
        Assert.Equal(5e-12, c.DCm2PerS, 1e-20);
        Assert.InRange(c.Ci95Cm2PerS.Lo, 3.9e-12, 4.1e-12);
        Assert.InRange(c.Ci95Cm2PerS.Hi, 6.2e-12, 6.3e-12);
    }
}
