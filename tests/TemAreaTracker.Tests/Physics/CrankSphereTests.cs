using TemAreaTracker.Physics;
using Xunit;

namespace TemAreaTracker.Tests.Physics;

public class CrankSphereTests
{
    [Theory]
    [InlineData(1e-6)]
    [InlineData(1e-4)]
    [InlineData(0.002)]
    [InlineData(0.01)]
    [InlineData(0.05)]
    public void Uptake_ShortTimes_FollowsSqrtLaw(double tau)
    {
        // Crank (1975) eq. 6.21: error of the short form below 1e-5 for tau < 0.1.
        Assert.Equal(CrankSphere.ShortTime(tau), CrankSphere.Uptake(tau), 1e-5);
    }

    [Theory]
    [InlineData(0.2, 6e-5)] // second term: (6/pi^2)(1/4)exp(-4 pi^2 0.2) = 5.7e-5
    [InlineData(0.5, 1e-9)]
    [InlineData(1.0, 1e-12)]
    public void Uptake_LongTimes_FollowsFirstTerm(double tau, double tol)
    {
        Assert.Equal(CrankSphere.LongTime(tau), CrankSphere.Uptake(tau), tol);
    }

    [Fact]
    public void Uptake_SeriesAndShortFormJoinSmoothlyAtSwitch()
    {
        // dF/dtau ~ 54 here, so 2e-9 apart in tau is 1e-7 apart in F; a jump at the switch would show.
        Assert.Equal(CrankSphere.Uptake(1e-3 - 1e-9), CrankSphere.Uptake(1e-3 + 1e-9), 1e-6);
    }

    [Theory]
    [InlineData(0.5, 0.0306)]
    [InlineData(0.9, 0.183)]
    public void TauAtUptake_MatchesPublishedLandmarks(double uptake, double tau)
    {
        Assert.Equal(tau, CrankSphere.TauAtUptake(uptake), 3);
    }

    [Fact]
    public void Uptake_IsMonotoneFromZeroToOne()
    {
        double prev = 0;
        for (double tau = 0; tau < 2; tau += 1e-3)
        {
            double f = CrankSphere.Uptake(tau);
            Assert.True(f >= prev - 1e-12 && f <= 1);
            prev = f;
        }
        Assert.Equal(0, CrankSphere.Uptake(-1));
    }
}

public class SiliconSwellingTests
{
    [Fact]
    public void FullLithiation_Li15Si4_GivesPublishedRatios()
    {
        // PHYSICS.md: beta = 3.75 -> R/R0 = 1.55, A/A0 = 2.41.
        Assert.Equal(1.55, SiliconSwelling.RadiusRatio(1), 2);
        Assert.Equal(2.41, SiliconSwelling.AreaRatio(1), 2);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    public void FractionFromAreaRatio_InvertsAreaRatio(double f)
    {
        Assert.Equal(f, SiliconSwelling.FractionFromAreaRatio(SiliconSwelling.AreaRatio(f, 3.2), 3.2), 12);
    }

    [Fact]
    public void AreaRatio_IsVolumeRatioToTwoThirds()
    {
        double v = SiliconSwelling.VolumeRatio(0.4);
        Assert.Equal(Math.Pow(v, 2.0 / 3.0), SiliconSwelling.AreaRatio(0.4), 12);
        Assert.Equal(Math.Pow(SiliconSwelling.RadiusRatio(0.4), 2), SiliconSwelling.AreaRatio(0.4), 12);
    }

    [Fact]
    public void Redistribution_RelaxesTowardEquilibrium()
    {
        var k = new LithiationKinetics(500, 50, 10, 0.8, ContactLossS: 40, EquilibriumFraction: 0.3);
        double fc = k.Fraction(40);
        Assert.True(fc > 0.5);
        Assert.True(k.Fraction(60) < fc);
        Assert.Equal(0.3, k.Fraction(1e5), 6);
        Assert.Equal(0, k.Fraction(5));
    }
}
