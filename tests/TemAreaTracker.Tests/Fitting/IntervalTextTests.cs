using TemAreaTracker.Fitting;
using Xunit;

namespace TemAreaTracker.Tests.Fitting;

/// <summary>Estimates and intervals in text: enough digits that the three differ, ends rounded outward.</summary>
public class IntervalTextTests
{
    [Fact]
    public void IssueExample_NoLongerPrintsBothEndsEqualToTheEstimate()
    {
        // Was printed "1.29e-12 [1.3e-12, 1.3e-12]".
        Assert.Equal("1.29e-12 [1.28e-12, 1.31e-12]", IntervalText.Format(1.294e-12, new Interval(1.2851e-12, 1.3026e-12)));
    }

    [Theory]
    [InlineData(1.2941e-12, 1.2937e-12, 1.2946e-12, "1.294e-12 [1.293e-12, 1.295e-12]")]   // 4 digits needed
    [InlineData(1.29412e-12, 1.29408e-12, 1.29417e-12, "1.2941e-12 [1.2940e-12, 1.2942e-12]")] // 5
    [InlineData(5e-12, 5e-12, 5e-12, "5.0000e-12 [5.0000e-12, 5.0000e-12]")]                  // capped at 5
    [InlineData(9.996e-13, 9.9e-13, 1.0004e-12, "1.00e-12 [9.90e-13, 1.01e-12]")]               // mantissa carry
    public void AddsDigitsUntilTheThreeDiffer_CappedAtFive(double est, double lo, double hi, string expected) =>
        Assert.Equal(expected, IntervalText.Format(est, new Interval(lo, hi)));

    [Fact]
    public void EndsRoundedOutward_SoThePrintedIntervalContainsTheComputedOne()
    {
        var (e, lo, hi) = IntervalText.Parts(1.26e-12, new Interval(1.2133e-12, 1.3206e-12));
        Assert.Equal(("1.26e-12", "1.21e-12", "1.33e-12"), (e, lo, hi));
        var rng = new Random(3);
        for (int i = 0; i < 2000; i++)
        {
            double est = Math.Pow(10, -14 + 3 * rng.NextDouble());
            var ci = new Interval(est / (1 + rng.NextDouble()), est * (1 + rng.NextDouble()));
            var p = IntervalText.Parts(est, ci);
            Assert.True(double.Parse(p.Lo, System.Globalization.CultureInfo.InvariantCulture) <= ci.Lo * (1 + 1e-12), $"{p.Lo} > {ci.Lo:R}");
            Assert.True(double.Parse(p.Hi, System.Globalization.CultureInfo.InvariantCulture) >= ci.Hi * (1 - 1e-12), $"{p.Hi} < {ci.Hi:R}");
            Assert.True(p.Estimate != p.Lo && p.Estimate != p.Hi, $"{p}");
        }
    }

    [Fact]
    public void GeneralStyle_FixedPointForVelocitiesAndRatios_OpenEndsSaySo()
    {
        Assert.Equal("13.3 [10.1, 18.4]", IntervalText.Format(13.31, new Interval(10.12, 18.33), NumberStyle.General));
        Assert.Equal("0.660 [0.550, 0.790]", IntervalText.Format(0.66, new Interval(0.55, 0.79), NumberStyle.General));
        Assert.Equal("1.26e-12 [open, 3.21e-12]", IntervalText.Format(1.26e-12, new Interval(0, 3.201e-12)));
        Assert.Equal("1.26e-12 [1.21e-12, open]", IntervalText.Format(1.26e-12, new Interval(1.2133e-12, double.PositiveInfinity)));
    }

    [Theory]
    [InlineData(3.04, 3, 1, "3.04")]
    [InlineData(2.96, 3, 1, "2.96")]
    [InlineData(3.5, 3, 1, "3.5")]
    [InlineData(-0.9504, -0.95, 2, "-0.9504")]
    public void Above_NeverPrintsAValueOnTheWrongSideOfItsThreshold(double value, double threshold, int decimals, string expected) =>
        Assert.Equal(expected, FitWarnings.Above(value, threshold, decimals));
}

/// <summary>Verdicts and warnings agree with the numbers they quote.</summary>
public class MessageConsistencyTests
{
    private static readonly FitOptions Fast = new() { BootstrapResamples = 0, Parallel = false };

    [Theory]
    [InlineData(3.96, "ΔAICc = 3.96 < 4")]
    [InlineData(9.97, "ΔAICc = 9.97 to")]
    [InlineData(10.02, "ΔAICc = 10.02 to")]
    public void ModelVerdict_GapPrintedOnItsSideOfTheThreshold(double gap, string expected)
    {
        var (s, _) = SyntheticCurves.Sphere(seed: 31, relNoise: 0.01);
        var a = DiffusionFitter.Fit(s, KineticModel.SphereDiffusion, Fast with { ProfileInterval = false });
        var b = DiffusionFitter.Fit(s, KineticModel.CylinderDiffusion, Fast with { ProfileInterval = false });
        var verdict = ModelSelection.Rank([a, b with { Aicc = a.Aicc + gap, Bic = a.Bic + gap }]).Verdict;
        Assert.Contains(expected, verdict);
    }

    [Fact]
    public void ModelVerdict_SaysWhenTheBestModelsDIsNotMeaningful()
    {
        var (s, _) = SyntheticCurves.Sphere(seed: 32, relNoise: 0.01, particle: "cluster");
        var fits = DiffusionFitter.FitAll(s, Fast with { ProfileInterval = false });
        Assert.Contains("is not meaningful for this outline (cluster outline", ModelSelection.Rank(fits).Verdict);
    }

    [Fact]
    public void Conservation_VerdictQuotesDriftAndThreshold()
    {
        var t = Enumerable.Range(0, 30).Select(i => 20.0 + i).ToArray();
        AreaSeries S(string n, Func<int, double> a) => new(n, t, t.Select((_, i) => a(i)).ToArray());
        var ok = LithiumConservation.Check([S("a", i => 1000 + 2 * i), S("b", i => 1200 - 2 * i)], 20);
        Assert.Contains("holds: it drifts by", ok.Verdict);
        Assert.Contains("(within ±3 %", ok.Verdict);
        var leak = LithiumConservation.Check([S("a", i => 1000 - 4 * i), S("b", i => 1200 - 4 * i)], 20);
        Assert.Contains($"drifts by {(100 * leak.RelativeDrift).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} % (beyond ±3 %", leak.Verdict);
    }

    [Fact]
    public void InterfaceModel_HasAVelocityIntervalWithoutTheProfile()
    {
        double v = 2, r0 = 60, t0 = 5;
        var series = SyntheticCurves.FromFraction(t => 0.95 * TemAreaTracker.Physics.ShrinkingCore.InterfaceConversion(v * (t - t0) / r0), Math.PI * r0 * r0,
            SyntheticCurves.Times(80, t0 + 1.5 * r0 / v), 0.01, seed: 12);
        var fit = DiffusionFitter.Fit(series, KineticModel.Interface, Fast with { ProfileInterval = false });
        var ci = fit.FrontVelocityCi95NmPerS!.Value;
        Assert.True(ci.IsBounded && ci.Contains(fit.FrontVelocityNmPerS!.Value));
        Assert.True(fit.RateMeaningful);
        Assert.Equal("v", fit.RateSymbol);
    }

    [Fact]
    public void Redistribution_WithoutRelaxation_DNotMeaningful()
    {
        // A plateau after "contact loss": nothing relaxes, so no redistribution D can be read from it.
        double l = 50;
        var k = new TemAreaTracker.Physics.LithiationKinetics(800, l, 2, 0.8);
        var s = SyntheticCurves.FromFraction(k.Fraction, Math.PI * l * l, SyntheticCurves.Times(121, 60), 0.01, seed: 33);
        var fit = DiffusionFitter.Fit(s, KineticModel.Redistribution, Fast with { ContactLossS = 20 });
        Assert.False(fit.RateMeaningful);
        Assert.Contains(fit.NotMeaningful, r => r.Short is "no significant relaxation" or "95% interval open" || r.Short.Contains("decades"));
    }
}
