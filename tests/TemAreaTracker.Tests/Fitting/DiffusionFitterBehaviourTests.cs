using TemAreaTracker.Fitting;
using TemAreaTracker.Physics;
using Xunit;

namespace TemAreaTracker.Tests.Fitting;

public class DiffusionFitterBehaviourTests
{
    private static readonly FitOptions Fast = new() { BootstrapResamples = 0, Parallel = false };

    [Fact]
    public void ThreeIntervals_AllCoverTruth_AndAgreeInWidth()
    {
        var (series, truth) = SyntheticCurves.Sphere(seed: 12, frames: 100, dCm2PerS: 5e-12, lNm: 80, relNoise: 0.02);
        var fit = DiffusionFitter.Fit(series, KineticModel.SphereDiffusion, new FitOptions { BootstrapResamples = 300, Parallel = false });
        double d = truth.DNm2PerS * 1e-14;
        foreach (var ci in new[] { fit.ProfileCi95Cm2PerS, fit.JacobianCi95Cm2PerS, fit.BootstrapCi95Cm2PerS })
        {
            Assert.True(ci.Contains(d), $"[{ci.Lo:E3}, {ci.Hi:E3}] misses {d:E3}");
            Assert.True(ci.Lo < fit.DiffusivityCm2PerS && fit.DiffusivityCm2PerS < ci.Hi);
        }
        double wp = Math.Log(fit.ProfileCi95Cm2PerS.Ratio), wj = Math.Log(fit.JacobianCi95Cm2PerS.Ratio), wb = Math.Log(fit.BootstrapCi95Cm2PerS.Ratio);
        Assert.InRange(wj / wp, 0.7, 1.4);
        Assert.InRange(wb / wp, 0.6, 1.6);
        Assert.Equal(fit.ProfileCi95Cm2PerS, fit.Ci95Cm2PerS); // reports lead with the profile
        Assert.True(fit.BootstrapSucceeded >= 290);
    }

    [Fact]
    public void Bootstrap_SameSeed_SameInterval_ParallelOrNot()
    {
        var (series, _) = SyntheticCurves.Sphere(seed: 5, frames: 60);
        var a = DiffusionFitter.Fit(series, options: new FitOptions { BootstrapResamples = 100, ProfileInterval = false, Parallel = true });
        var b = DiffusionFitter.Fit(series, options: new FitOptions { BootstrapResamples = 100, ProfileInterval = false, Parallel = false });
        Assert.Equal(a.BootstrapCi95Cm2PerS, b.BootstrapCi95Cm2PerS);
    }

    [Fact]
    public void Bootstrap_ResampleSeeds_AreAFixedFunctionOfSeedAndResample()
    {
        // SplitMix64 (Steele et al. 2014) of (seed << 32 | rep), low 31 bits, written out here independently of the
        // library: pinned values hold in every process (the old HashCode.Combine seeds changed from run to run).
        static int SplitMix(int seed, int rep)
        {
            ulong z = unchecked(((ulong)(uint)seed << 32 | (uint)rep) + 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
        }
        foreach (var (seed, rep) in new[] { (20240613, 0), (20240613, 1), (20240613, 999), (-1, 5), (0, 0) })
            Assert.Equal(SplitMix(seed, rep), BlockBootstrap.ResampleSeed(seed, rep));
        // Pinned (computed with Python's arbitrary-precision integers).
        Assert.Equal(1062012561, BlockBootstrap.ResampleSeed(20240613, 0));
        Assert.Equal(1517455589, BlockBootstrap.ResampleSeed(20240613, 1));
        Assert.Equal(1950528533, BlockBootstrap.ResampleSeed(20240613, 999));
        Assert.Equal(611664028, BlockBootstrap.ResampleSeed(-1, 5));
    }

    [Fact]
    public void Bootstrap_OtherSeed_OtherInterval()
    {
        var (series, _) = SyntheticCurves.Sphere(seed: 5, frames: 60);
        var a = DiffusionFitter.Fit(series, options: new FitOptions { BootstrapResamples = 100, ProfileInterval = false, Seed = 1 });
        var b = DiffusionFitter.Fit(series, options: new FitOptions { BootstrapResamples = 100, ProfileInterval = false, Seed = 2 });
        Assert.NotEqual(a.BootstrapCi95Cm2PerS, b.BootstrapCi95Cm2PerS);
    }

    [Fact]
    public void PlateauNotReached_Warns_WithFix()
    {
        // Frames stop at t0 + 0.05 L²/D, well short of the 0.18 L²/D that 90 % uptake needs.
        double d = 300, l = 60, t0 = 2;
        var k = new LithiationKinetics(d, l, t0, 0.9);
        var series = SyntheticCurves.FromFraction(k.Fraction, Math.PI * l * l, SyntheticCurves.Times(60, t0 + 0.05 * l * l / d), 0.01, seed: 2);
        var fit = DiffusionFitter.Fit(series, options: Fast);
        Assert.Contains(fit.Warnings, w => w.Contains("plateau not reached") && w.Contains("longer movie"));
    }

    [Fact]
    public void FewFramesInRise_WarnsOfDOnsetTradeOff_AndKnownOnsetRemovesIt()
    {
        // Half uptake 0.03 L²/D = 0.9 s after onset, frames every 2 s: at most one frame in the rise.
        double d = 100, l = 30, t0 = 9.3;
        var k = new LithiationKinetics(d, l, t0, 0.9);
        var series = SyntheticCurves.FromFraction(k.Fraction, Math.PI * l * l, SyntheticCurves.Times(31, 60), 0.01, seed: 3);
        var fit = DiffusionFitter.Fit(series, options: Fast);
        Assert.Contains(fit.Warnings, w => w.Contains("t0 trade off") && w.Contains("--onset-s"));
        // The warning quotes the correlation it tested, above the stated threshold.
        Assert.True(Math.Abs(fit.LogDOnsetCorrelation) > 0.95);
        Assert.Contains(fit.Warnings, w => w.Contains($"corr(log D, t0) = {fit.LogDOnsetCorrelation:F2}") && w.Contains("above 0.95"));
        var known = DiffusionFitter.Fit(series, options: Fast with { OnsetS = t0 });
        Assert.DoesNotContain(known.Warnings, w => w.Contains("t0 trade off"));
        Assert.Equal(t0, known.OnsetS);
        Assert.True(known.Parameters.Single(p => p.Name == "t0_s").Fixed);
        Assert.True(known.ParameterCount == 3);
    }

    [Fact]
    public void PerFrameSigma_DownweightsBadFrames()
    {
        // Every 4th frame is corrupted by +15 % but flagged with a large σ: with the tracker's σ the fit ignores
        // them; with relative weights it cannot.
        double d = 400, l = 70, t0 = 3;
        var k = new LithiationKinetics(d, l, t0, 0.9);
        var clean = SyntheticCurves.FromFraction(k.Fraction, Math.PI * l * l, SyntheticCurves.Times(80, t0 + 0.6 * l * l / d), 0.01, seed: 4);
        var a = clean.AreaNm2.ToArray();
        var sigma = a.Select(x => 0.01 * x).ToArray();
        for (int i = 20; i < a.Length; i += 4) { a[i] *= i < 40 ? 1.15 : 0.85; sigma[i] = 0.3 * a[i]; }
        var weighted = DiffusionFitter.Fit(new AreaSeries("P1", clean.TimeS, a, sigma), options: Fast);
        var unweighted = DiffusionFitter.Fit(new AreaSeries("P1", clean.TimeS, a), options: Fast);
        double errW = Math.Abs(weighted.DiffusivityNm2PerS / d - 1), errU = Math.Abs(unweighted.DiffusivityNm2PerS / d - 1);
        Assert.True(errW < 0.06, $"weighted error {errW:P1}");
        Assert.True(errW < errU, $"weighted {errW:P1} not better than unweighted {errU:P1}");
    }

    [Fact]
    public void AutocorrelatedResiduals_WidenIntervals_AndLengthenBootstrapBlocks()
    {
        double d = 400, l = 70, t0 = 3;
        var k = new LithiationKinetics(d, l, t0, 0.9);
        var t = SyntheticCurves.Times(120, t0 + 0.8 * l * l / d);
        var white = DiffusionFitter.Fit(SyntheticCurves.FromFraction(k.Fraction, Math.PI * l * l, t, 0.01, seed: 6), options: Fast);
        var red = DiffusionFitter.Fit(SyntheticCurves.FromFraction(k.Fraction, Math.PI * l * l, t, 0.01, seed: 6, ar1: 0.8), options: Fast);
        Assert.True(red.ResidualLag1Autocorrelation > 0.5);
        Assert.True(red.BootstrapBlockLength > 1);
        Assert.Contains(red.Warnings, w => w.Contains("autocorrelated"));
        Assert.DoesNotContain(white.Warnings, w => w.Contains("autocorrelated"));
    }

    [Theory]
    [InlineData(KineticModel.CylinderDiffusion)]
    [InlineData(KineticModel.PlaneDiffusion)]
    public void OtherGeometries_RecoverTheirD(KineticModel model)
    {
        double d = 250, l = 50, t0 = 4, fMax = 0.9;
        Func<double, double> shape = model == KineticModel.CylinderDiffusion ? CylinderDiffusion.Uptake : PlaneSheetDiffusion.Uptake;
        double t90 = (model == KineticModel.CylinderDiffusion ? 0.4 : 0.85) * l * l / d;
        var series = SyntheticCurves.FromFraction(t => fMax * shape(d * (t - t0) / (l * l)), Math.PI * l * l, SyntheticCurves.Times(90, t0 + 2 * t90), 0.01, seed: 8);
        var fit = DiffusionFitter.Fit(series, model, Fast);
        Assert.InRange(fit.DiffusivityNm2PerS / d, 0.95, 1.05);
        Assert.True(fit.ProfileCi95Cm2PerS.Contains(d * 1e-14));
    }

    [Fact]
    public void ExplicitDiffusionLength_IsUsed_AndDScalesWithItsSquare()
    {
        var (series, truth) = SyntheticCurves.Sphere(seed: 9, dCm2PerS: 2e-12, lNm: 60, relNoise: 0.01);
        var own = DiffusionFitter.Fit(series, options: Fast);
        var longer = DiffusionFitter.Fit(series, options: Fast with { DiffusionLengthNm = 2 * truth.LNm });
        Assert.Equal(2 * truth.LNm, longer.DiffusionLengthNm);
        Assert.False(longer.DiffusionLengthFromArea);
        Assert.InRange(longer.DiffusivityNm2PerS / own.DiffusivityNm2PerS, 3.9, 4.1);
    }

    [Fact]
    public void SwollenFrameD_IsLambdaSquaredAtHalfUptake()
    {
        var (series, _) = SyntheticCurves.Sphere(seed: 10, relNoise: 0.01);
        var fit = DiffusionFitter.Fit(series, options: Fast);
        double lambda = SiliconSwelling.RadiusRatio(0.5 * fit.MaxFraction, fit.ExpansionRatio);
        Assert.Equal(lambda * lambda, fit.Lambda2AtHalfUptake, 9);
        Assert.Equal(1.0, fit.SwollenFrameDiffusivityCm2PerS / (fit.DiffusivityCm2PerS * lambda * lambda), 12);
    }

    [Fact]
    public void ModelAll_RanksTheGeneratingFrontModelFirst()
    {
        double v = 2, r0 = 60, t0 = 5;
        var series = SyntheticCurves.FromFraction(t => 0.95 * ShrinkingCore.InterfaceConversion(v * (t - t0) / r0), Math.PI * r0 * r0,
            SyntheticCurves.Times(80, t0 + 1.5 * r0 / v), 0.01, seed: 12);
        var fits = DiffusionFitter.FitAll(series, Fast with { ProfileInterval = false });
        var ranking = ModelSelection.Rank(fits);
        Assert.Equal(KineticModel.Interface, ranking.Best);
        Assert.Contains("interface", ranking.Verdict);
        var front = fits.Single(f => f.Model == KineticModel.Interface);
        Assert.InRange(front.FrontVelocityNmPerS!.Value / v, 0.95, 1.05);
        Assert.True(double.IsNaN(front.DiffusivityNm2PerS));
    }

    [Fact]
    public void FlatCurve_NoSignificantSwelling_DNotMeaningful_MessageQuotesTheAreaChange()
    {
        var series = SyntheticCurves.FromFraction(_ => 0, 5000, SyntheticCurves.Times(50, 25), 0.01, seed: 13);
        var fit = DiffusionFitter.Fit(series, options: Fast);
        Assert.False(fit.RateMeaningful);
        var why = Assert.Single(fit.NotMeaningful, r => r.Short == "no significant swelling");
        var (growth, _, frames) = FitWarnings.AreaChange(fit);
        Assert.True(Math.Abs(growth) < 0.02);
        Assert.Contains($"the area changed by {growth.ToString("+0.0%;-0.0%", System.Globalization.CultureInfo.InvariantCulture)} from the first to the last {frames} fitted frames", why.Detail);
        Assert.Contains("below the larger of 2% and 3 x the scatter", why.Detail);
        var (good, _) = SyntheticCurves.Sphere(seed: 13);
        var ok = DiffusionFitter.Fit(good, options: Fast);
        Assert.True(ok.RateMeaningful);
        Assert.DoesNotContain(ok.Warnings, w => w.Contains("swelling"));
    }

    [Fact]
    public void SwellingCurve_WhoseUptakeIsUndetermined_NeverCalledNoSwelling()
    {
        // Frames stop early in the rise (t0 + 0.01 L²/D, 20 % uptake): the area grows clearly, but the plateau (the
        // uptake amplitude) is not fixed by the data. The message must not say "no significant swelling".
        double d = 300, l = 60, t0 = 2;
        var k = new LithiationKinetics(d, l, t0, 0.9);
        var series = SyntheticCurves.FromFraction(k.Fraction, Math.PI * l * l, SyntheticCurves.Times(60, t0 + 0.01 * l * l / d), 0.005, seed: 21);
        var fit = DiffusionFitter.Fit(series, options: Fast);
        var (growth, _, _) = FitWarnings.AreaChange(fit);
        Assert.True(growth > 0.1, $"growth {growth:P1}");
        Assert.DoesNotContain(fit.NotMeaningful, r => r.Detail.Contains("no significant swelling"));
        Assert.DoesNotContain(fit.Warnings, w => w.Contains("no significant swelling"));
        // What it says instead: the uptake amplitude (what was tested) is undetermined, although the area grew by as much as it did.
        Assert.Contains(fit.Warnings, w => w.StartsWith("the final swelling is not determined") && w.Contains("standard errors from zero (needs more than 3)")
            && w.Contains($"although the area changed by {growth.ToString("+0.0%;-0.0%", System.Globalization.CultureInfo.InvariantCulture)}"));
    }

    [Fact]
    public void ClusterSeries_FitsButDIsNotMeaningful_ByKindOrByName()
    {
        var (series, _) = SyntheticCurves.Sphere(seed: 14, relNoise: 0.01);
        Assert.True(DiffusionFitter.Fit(series, options: Fast).RateMeaningful);
        var byKind = DiffusionFitter.Fit(series with { Kind = ParticleKind.Cluster }, options: Fast);
        Assert.False(byKind.RateMeaningful);
        Assert.Equal(ParticleKind.Cluster, byKind.Kind);
        Assert.Equal("cluster outline", byKind.NotMeaningful[0].Short);
        Assert.Contains("union of several particles", byKind.NotMeaningful[0].Detail);
        Assert.True(double.IsFinite(byKind.DiffusivityNm2PerS)); // the fitted number is kept for the library caller, flagged
        var byName = DiffusionFitter.Fit(series with { Particle = "Cluster3" }, options: Fast);
        Assert.False(byName.RateMeaningful);
    }

    [Fact]
    public void OpenInterval_DNotMeaningful_SaysWhichSide()
    {
        // Uptake complete between two frames: any D above some value fits.
        double d = 2000, l = 30, t0 = 10.2;
        var k = new LithiationKinetics(d, l, t0, 0.9);
        var series = SyntheticCurves.FromFraction(k.Fraction, Math.PI * l * l, SyntheticCurves.Times(21, 40), 0.01, seed: 15);
        var fit = DiffusionFitter.Fit(series, options: Fast);
        Assert.False(fit.RateMeaningful);
        Assert.Contains(fit.NotMeaningful, r => r.Short == "95% interval open" && r.Detail.Contains("open above"));
    }

    [Fact]
    public void FMaxFarBeyondBeta_DNotMeaningful_ModestExcess_OnlyWarned()
    {
        // The area grows 4-fold (V/V0 = 8): f_max = 2.5 at beta = 3.75.
        double l = 40, t0 = 2, d = 400;
        Func<double, double> big = t => 2.5 * CrankSphere.Uptake(d * Math.Max(t - t0, 0) / (l * l));
        var far = DiffusionFitter.Fit(SyntheticCurves.FromFraction(big, Math.PI * l * l, SyntheticCurves.Times(60, t0 + 0.6 * l * l / d), 0.005, seed: 16), options: Fast);
        Assert.InRange(far.MaxFraction, 2.2, 2.8);
        Assert.Contains(far.NotMeaningful, r => r.Short.StartsWith("f_max = 2.") && r.Detail.Contains("withheld above 1.25"));
        Func<double, double> some = t => 1.1 * CrankSphere.Uptake(d * Math.Max(t - t0, 0) / (l * l));
        var modest = DiffusionFitter.Fit(SyntheticCurves.FromFraction(some, Math.PI * l * l, SyntheticCurves.Times(60, t0 + 0.6 * l * l / d), 0.005, seed: 16), options: Fast);
        Assert.True(modest.RateMeaningful);
        Assert.Contains(modest.Warnings, w => w.Contains($"f_max = {modest.MaxFraction.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} (above 1.02)"));
    }

    [Fact]
    public void FitAll_LeavesOutModelsWithTooManyParameters()
    {
        var six = new AreaSeries("P6", [0, 1, 2, 3, 4, 5], [100, 101, 150, 190, 200, 201]);
        var fits = DiffusionFitter.FitAll(six, Fast with { ProfileInterval = false });
        Assert.Equal(5, fits.Count);
        Assert.DoesNotContain(fits, f => f.Model == KineticModel.Mixed);
        Assert.Throws<ArgumentException>(() => DiffusionFitter.FitAll(new AreaSeries("P5", [0, 1, 2, 3, 4], [1, 2, 3, 4, 5]), Fast));
    }

    [Fact]
    public void TooFewPoints_OrNonIncreasingTimes_ThrowNamingTheParticle()
    {
        var few = new AreaSeries("P7", [0, 1, 2, 3, 4], [100, 120, 140, 150, 155]);
        var e = Assert.Throws<ArgumentException>(() => DiffusionFitter.Fit(few, options: Fast));
        Assert.Contains("P7", e.Message);
        Assert.Contains("needs at least 6", e.Message);
        var back = new AreaSeries("P8", [0, 1, 1, 3, 4, 5, 6], [100, 120, 140, 150, 155, 156, 157]);
        Assert.Contains("P8", Assert.Throws<ArgumentException>(() => DiffusionFitter.Fit(back, options: Fast)).Message);
    }
}

public class RedistributionTests
{
    private static AreaSeries Cluster(string name, double fc, double feq, int seed, out double tc, double d = 100, double l = 50)
    {
        tc = 20;
        var k = new LithiationKinetics(800, l, 2, fc, ContactLossS: tc, EquilibriumFraction: feq, RedistributionDiffusivityNm2PerS: d);
        return SyntheticCurves.FromFraction(k.Fraction, Math.PI * l * l, SyntheticCurves.Times(121, 60), 0.01, seed, particle: name);
    }

    [Fact]
    public void UptakeModel_OnContractingCurve_PointsToContactLoss()
    {
        var s = Cluster("R1", 0.9, 0.5, seed: 7, out double tc);
        var whole = DiffusionFitter.Fit(s, KineticModel.SphereDiffusion, new FitOptions { BootstrapResamples = 0, ProfileInterval = false });
        Assert.Contains(whole.Warnings, w => w.Contains("--contact-loss-s"));
        var before = DiffusionFitter.Fit(s, KineticModel.SphereDiffusion, new FitOptions { BootstrapResamples = 0, ProfileInterval = false, ContactLossS = tc });
        Assert.DoesNotContain(before.Warnings, w => w.Contains("--contact-loss-s"));
        Assert.All(before.TimeS, t => Assert.True(t <= tc));
        Assert.InRange(before.DiffusivityNm2PerS / 800, 0.8, 1.25);
    }

    [Fact]
    public void Redistribution_RecoversD_FromKnownContactLoss()
    {
        var s = Cluster("R1", 0.9, 0.5, seed: 1, out double tc);
        var fit = DiffusionFitter.Fit(s, KineticModel.Redistribution, new FitOptions { BootstrapResamples = 0, ContactLossS = tc });
        Assert.InRange(fit.DiffusivityNm2PerS / 100, 0.9, 1.1);
        Assert.True(fit.Ci95Cm2PerS.Contains(1e-12));
        Assert.Equal(tc, fit.ContactLossS);
        Assert.InRange(fit.EquilibriumFraction!.Value, 0.45, 0.55);
    }

    [Fact]
    public void DetectContactLoss_FindsEndOfPlateau_AndNothingOnPlainUptake()
    {
        var s = Cluster("R1", 0.9, 0.5, seed: 2, out double tc);
        double? found = DiffusionFitter.DetectContactLossS(s);
        Assert.NotNull(found);
        Assert.InRange(found!.Value, tc - 1.5, tc + 1.5); // within 3 frames of 0.5 s
        var (uptake, _) = SyntheticCurves.Sphere(seed: 3);
        Assert.Null(DiffusionFitter.DetectContactLossS(uptake));
    }

    [Fact]
    public void Conservation_HoldsForExchange_AndFlagsALeak()
    {
        // Two equal particles: one loses what the other gains (0.9 → 0.5, 0.1 → 0.5): Σ V constant.
        var a = Cluster("R1", 0.9, 0.5, seed: 4, out double tc);
        var b = Cluster("R2", 0.1, 0.5, seed: 5, out _);
        var ok = LithiumConservation.Check([a, b], tc);
        Assert.InRange(ok.RelativeDrift, -0.01, 0.01);
        Assert.Contains("holds", ok.Verdict);
        var c = Cluster("R3", 0.1, 0.1, seed: 6, out _); // R1 loses lithium to nowhere
        var leak = LithiumConservation.Check([a, c], tc);
        Assert.True(leak.RelativeDrift < -0.05);
        Assert.Contains("not conserved", leak.Verdict);
    }
}
