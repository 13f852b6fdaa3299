using TemAreaTracker.Physics;
using Xunit;

namespace TemAreaTracker.Tests.Physics;

public class CylinderDiffusionTests
{
    [Fact]
    public void Uptake_HalfAtTau0p063_AsCrankTable()
    {
        // Crank (1975) table 5.2 / PHYSICS.md: half uptake of a cylinder at Dt/a² ≈ 0.063.
        Assert.InRange(CylinderDiffusion.Uptake(0.063), 0.495, 0.505);
        Assert.True(CylinderDiffusion.Uptake(0.06) < 0.5 && CylinderDiffusion.Uptake(0.066) > 0.5);
    }

    [Fact]
    public void BesselZeros_McMahonContinuesTheTable()
    {
        // A&S table 9.5: j_{0,11} = 33.77582021, j_{0,20} = 62.04846919.
        Assert.Equal(33.77582021, CylinderDiffusion.BesselJ0Zero(11), 7);
        Assert.Equal(62.04846919, CylinderDiffusion.BesselJ0Zero(20), 7);
        Assert.Equal(2.404825558, CylinderDiffusion.BesselJ0Zero(1), 8);
    }

    [Fact]
    public void Uptake_ShortFormAndSeriesJoinAtSwitch()
    {
        Assert.Equal(CylinderDiffusion.Uptake(1e-3 - 1e-9), CylinderDiffusion.Uptake(1e-3 + 1e-9), 5);
        // Short form against the series a little above the switch (series used there).
        Assert.Equal(CylinderDiffusion.ShortTime(2e-3), CylinderDiffusion.Uptake(2e-3), 5);
    }

    [Fact]
    public void Uptake_LongTimes_FollowFirstTerm()
    {
        double a1 = CylinderDiffusion.BesselJ0Zero(1);
        double tau = 0.5;
        Assert.Equal(1 - 4 / (a1 * a1) * Math.Exp(-a1 * a1 * tau), CylinderDiffusion.Uptake(tau), 6);
    }
}

public class PlaneSheetDiffusionTests
{
    [Fact]
    public void Uptake_HalfAtTau0p197_AsCrank()
    {
        Assert.InRange(PlaneSheetDiffusion.Uptake(0.197), 0.499, 0.502);
    }

    [Fact]
    public void Uptake_ShortFormAndSeriesJoinAtSwitch()
    {
        // The short form is exact up to ierfc(1/√τ) terms (~1e-10 at τ = 0.05); a jump here would show.
        Assert.Equal(PlaneSheetDiffusion.Uptake(0.05 - 1e-9), PlaneSheetDiffusion.Uptake(0.05 + 1e-9), 8);
    }

    [Fact]
    public void Uptake_OrdersGeometriesBySurfaceToVolume()
    {
        // Same D and length: a sphere (3 faces per radius) fills faster than a cylinder (2) than a sheet (1).
        foreach (double tau in new[] { 0.005, 0.03, 0.1 })
        {
            Assert.True(CrankSphere.Uptake(tau) > CylinderDiffusion.Uptake(tau));
            Assert.True(CylinderDiffusion.Uptake(tau) > PlaneSheetDiffusion.Uptake(tau));
        }
    }
}

public class ShrinkingCoreTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Interface_InvertsFrontLaw(double s)
    {
        // (t − t0)/t_end = 1 − (1 − X)^{1/3}.
        double x = ShrinkingCore.InterfaceConversion(s);
        Assert.Equal(s, 1 - Math.Cbrt(1 - x), 12);
        Assert.Equal(1, ShrinkingCore.InterfaceConversion(1.2));
        Assert.Equal(0, ShrinkingCore.InterfaceConversion(-1));
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.05)]
    [InlineData(0.15)]
    public void ShellDiffusion_SatisfiesGinstlingBrounshtein(double tau)
    {
        // t − t0 = R0²/(6 D*) (1 − 3ξ² + 2ξ³), ξ = (1 − X)^{1/3}.
        double xi = Math.Cbrt(1 - ShrinkingCore.ShellDiffusionConversion(tau));
        Assert.Equal(6 * tau, 1 - 3 * xi * xi + 2 * xi * xi * xi, 9);
        Assert.Equal(1, ShrinkingCore.ShellDiffusionConversion(1.0 / 6 + 1e-9));
    }

    [Fact]
    public void Mixed_WithoutShellResistance_IsInterfaceControl()
    {
        foreach (double s in new[] { 0.05, 0.3, 0.7, 0.99 })
            Assert.Equal(ShrinkingCore.InterfaceConversion(s), ShrinkingCore.MixedConversion(s, 0, 3.75), 4);
    }

    [Fact]
    public void Mixed_ShellDominated_BetaOne_IsShellDiffusion()
    {
        // k = v R0/D* → ∞ with β = 1: s(ξ) ≈ k (1 − 3ξ² + 2ξ³)/6, i.e. the shell-diffusion law with τ = s/k.
        double k = 1e4;
        var table = new MixedCoreTable(k, 1);
        foreach (double tau in new[] { 0.01, 0.05, 0.12 })
            Assert.InRange(table.Conversion(tau * k) - ShrinkingCore.ShellDiffusionConversion(tau), -1e-3, 1e-3); // finite k: the (1 − ξ)/k term
    }

    [Fact]
    public void Mixed_ThickerShellSlowsCompletion()
    {
        // With β > 1 the shell a(b − a)/b is thicker, so diffusion through it takes longer.
        Assert.True(new MixedCoreTable(20, 3.75).CompletionTime > new MixedCoreTable(20, 1).CompletionTime);
    }

    [Fact]
    public void OuterRadius_FollowsVolumeLaw()
    {
        // b³ = a³ + β (R0³ − a³) ⇔ (b/R0)³ = 1 + (β − 1) X: the same area law as uniform lithiation.
        double beta = 3.75, xi = 0.6, x = 1 - xi * xi * xi;
        double b3 = xi * xi * xi + beta * (1 - xi * xi * xi);
        Assert.Equal(SiliconSwelling.VolumeRatio(x, beta), b3, 12);
        Assert.Equal(SiliconSwelling.AreaRatio(x, beta), Math.Pow(b3, 2.0 / 3.0), 12);
    }
}

public class LargeTauTests
{
    [Fact]
    public void Uptake_FarPastThePlateau_IsOne_WithoutSummingThousandsOfTerms()
    {
        // Once exp(−π² τ) underflows, sum and term are both 0; the series must still stop at once (it used to run
        // all 10 000 terms, which made fits with a large trial D crawl). Timed against τ = 0.1 (a few terms),
        // interleaved, so that a loaded machine slows both alike.
        foreach (var f in new Func<double, double>[] { CrankSphere.Uptake, CylinderDiffusion.Uptake, PlaneSheetDiffusion.Uptake })
        {
            Assert.Equal(1.0, f(1e3));
            var large = new System.Diagnostics.Stopwatch();
            var small = new System.Diagnostics.Stopwatch();
            double sink = 0;
            for (int rep = 0; rep < 20; rep++)
            {
                large.Start(); for (int i = 0; i < 500; i++) sink += f(1e3 + i); large.Stop();
                small.Start(); for (int i = 0; i < 500; i++) sink += f(0.1 + 1e-6 * i); small.Stop();
            }
            Assert.True(sink > 0);
            Assert.True(large.Elapsed.TotalMilliseconds < 20 * small.Elapsed.TotalMilliseconds + 5,
                $"large tau {large.Elapsed.TotalMilliseconds:F1} ms vs small {small.Elapsed.TotalMilliseconds:F1} ms");
        }
    }
}

public class CrankSphereSwitchTests
{
    [Theory]
    [InlineData(1e-3)]
    [InlineData(0.01)]
    [InlineData(0.03)]
    [InlineData(0.0499)]
    [InlineData(0.0501)]
    public void ShortForm_MatchesSeries_BelowAndAtTheSwitch(double tau)
    {
        // The short form is exact up to ierfc(1/√τ) terms: 1e-10 at the τ = 0.05 switch.
        Assert.Equal(CrankSphere.Series(tau), CrankSphere.ShortTime(tau), 9);
        Assert.Equal(CrankSphere.Series(tau), CrankSphere.Uptake(tau), 9);
    }
}
