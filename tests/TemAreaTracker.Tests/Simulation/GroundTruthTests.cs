using TemAreaTracker.Physics;
using TemAreaTracker.Simulation;
using Xunit;

namespace TemAreaTracker.Tests.Simulation;

public sealed class GroundTruthTests
{
    [Fact]
    public void CircleUnion_TwoDiscs_MatchesLensFormula()
    {
        // Union = 2πr² − lens; lens of two radius-r discs at distance d: 2r² acos(d/2r) − (d/2)√(4r² − d²).
        double r = 10, d = 12;
        double lens = 2 * r * r * Math.Acos(d / (2 * r)) - d / 2 * Math.Sqrt(4 * r * r - d * d);
        double union = CircleUnion.Area([(0, 0, r), (d, 0, r)]);
        Assert.Equal(2 * Math.PI * r * r - lens, union, 1e-9);
    }

    [Fact]
    public void CircleUnion_Cluster_MatchesFineGrid()
    {
        var discs = new List<(double X, double Y, double R)> { (0, 0, 10), (15, 3, 8), (7, 14, 9), (30, 0, 5), (2, 1, 3) };
        // Grid estimate at 0.025 px spacing (midpoint rule).
        const double h = 0.025;
        long inside = 0;
        for (int j = 0; j < 37 / h; j++)
        {
            double y = -12 + (j + 0.5) * h;
            for (int i = 0; i < 49 / h; i++)
            {
                double x = -12 + (i + 0.5) * h;
                foreach (var c in discs)
                    if ((x - c.X) * (x - c.X) + (y - c.Y) * (y - c.Y) < c.R * c.R) { inside++; break; }
            }
        }
        double grid = inside * h * h;
        Assert.Equal(grid, CircleUnion.Area(discs), 2e-4 * grid);
    }

    [Fact]
    public void TruthArea_FollowsCrankAndVolumeExpansion()
    {
        var s = Scenarios.IsolatedSphere(seed: 3);
        var t = GroundTruth.Compute(s);
        var p = t.Particles[0];
        var k = s.Particles[0].Kinetics;
        double a0 = Math.PI * s.Particles[0].R0Nm * s.Particles[0].R0Nm;
        for (int i = 0; i < s.Frames; i++)
        {
            double tau = k.DiffusivityNm2PerS * (t.TimeS[i] - k.OnsetS) / (k.DiffusionLengthNm * k.DiffusionLengthNm);
            double f = k.MaxFraction * CrankSphere.Uptake(tau);
            double expected = a0 * Math.Pow(1 + (s.ExpansionRatio - 1) * f, 2.0 / 3.0);
            Assert.Equal(expected, p.AreaNm2[i], 1e-9 * expected);
            Assert.Equal(expected / (s.PixelSizeNm * s.PixelSizeNm), p.AreaPx[i], 1e-9 * expected);
        }
        // The preset's frame interval makes τ reach ~0.3 at the end: the curve spans the movie.
        double tauEnd = k.DiffusivityNm2PerS * (t.TimeS[^1] - k.OnsetS) / (k.DiffusionLengthNm * k.DiffusionLengthNm);
        Assert.InRange(tauEnd, 0.25, 0.35);
        Assert.Equal(p.AreaNm2[0], a0, 1e-9);
    }

    [Fact]
    public void Cluster_ParticlesTouchAtStart_AndOverlapGrowsAsTheySwell()
    {
        var s = Scenarios.ElectrochemicalCluster(seed: 5);
        var t = GroundTruth.Compute(s);
        var cl = t.Clusters.Single();
        double sum0 = t.Particles.Sum(p => p.AreaPx[0]), sumEnd = t.Particles.Sum(p => p.AreaPx[^1]);
        // Touching, not overlapping, at t = 0: union = sum of discs.
        Assert.Equal(sum0, cl.AreaPx[0], 1e-6 * sum0);
        Assert.True(sumEnd - cl.AreaPx[^1] > 0.03 * sumEnd, "swollen discs should overlap by several %");
        // Far particles start later: onset grows with the diffusion length.
        var byL = t.Particles.OrderBy(p => p.Kinetics.DiffusionLengthNm).ToList();
        for (int i = 1; i < byL.Count; i++) Assert.True(byL[i].Kinetics.OnsetS >= byL[i - 1].Kinetics.OnsetS);
        Assert.True(byL[0].Kinetics.DiffusionLengthNm < byL[^1].Kinetics.DiffusionLengthNm);
    }

    [Fact]
    public void Redistribution_ConservesTotalVolume_RichParticleContracts_PoorOneSwells()
    {
        var s = Scenarios.RedistributionAfterContactLoss(seed: 2);
        var t = GroundTruth.Compute(s);
        double tc = s.Particles[0].Kinetics.ContactLossS!.Value;
        int kc = t.TimeS.ToList().FindIndex(x => x > tc);
        double Volume(int k) => t.Particles.Sum(p => Math.Pow(p.RadiusNm[k], 3));
        for (int k = kc; k < s.Frames; k++) Assert.Equal(Volume(kc - 1), Volume(k), 1e-9 * Volume(k));
        var near = t.Particles[0];
        var far = t.Particles[^1];
        Assert.True(near.AreaNm2[^1] < near.AreaNm2[kc - 1] * 0.95, "the lithium-rich particle at the contact contracts");
        Assert.True(far.AreaNm2[^1] > far.AreaNm2[kc - 1] * 1.05, "the far, poorer particle keeps swelling");
    }

    [Fact]
    public void ChemicalElectrochemicalPair_DiffersOnlyInD()
    {
        var (chem, ec) = Scenarios.ChemicalElectrochemicalPair(seed: 4);
        Assert.Equal(chem.FrameIntervalS, ec.FrameIntervalS);
        Assert.Equal(0.66, chem.Particles[0].Kinetics.DiffusivityNm2PerS / ec.Particles[0].Kinetics.DiffusivityNm2PerS, 1e-9);
        Assert.Equal(chem.Particles.Select(p => p.R0Nm), ec.Particles.Select(p => p.R0Nm));
    }

    [Fact]
    public void Drift_IsRandomWalkPlusSteadyComponent_StartingAtZero()
    {
        var s = Scenarios.IsolatedSphere(seed: 9) with { Frames = 400, DriftStepPx = 0.1, DriftVelocityXPxPerFrame = 0.2, DriftVelocityYPxPerFrame = -0.1 };
        var d = GroundTruth.Compute(s).DriftPx;
        Assert.Equal(0, d[0].X); Assert.Equal(0, d[0].Y);
        // Mean step = velocity within 4σ/√n.
        Assert.Equal(0.2, d[^1].X / 399, 4 * 0.1 / Math.Sqrt(399));
        Assert.Equal(-0.1, d[^1].Y / 399, 4 * 0.1 / Math.Sqrt(399));
    }

    [Fact]
    public void InView_TurnsFalse_WhenDriftCarriesTheParticleOut()
    {
        var s = Scenarios.IsolatedSphere(seed: 1, frames: 40, width: 160, height: 120) with { DriftStepPx = 0, DriftVelocityXPxPerFrame = 3, DriftVelocityYPxPerFrame = 0 };
        var p = GroundTruth.Compute(s).Particles[0];
        Assert.True(p.InView[0]);
        Assert.False(p.InView[^1]);
        int first = Array.IndexOf(p.InView, false);
        double rPx = p.RadiusNm[first] / s.PixelSizeNm;
        Assert.True(p.CentrePx[first].X + rPx > s.Width - 0.5);
        Assert.True(p.CentrePx[first - 1].X + p.RadiusNm[first - 1] / s.PixelSizeNm <= s.Width - 0.5);
    }

    [Fact]
    public void ParticleAtTheElectrolyte_SwellsAwayFromIt_KeepingItsContactPointOnTheRim()
    {
        var s = Scenarios.ElectrochemicalCluster(seed: 6) with { DriftStepPx = 0, DriftVelocityXPxPerFrame = 0, DriftVelocityYPxPerFrame = 0 };
        var t = GroundTruth.Compute(s);
        var spec = s.Particles[0];
        var (ax, ay) = spec.AnchorPx!.Value;
        var p = t.Particles[0];
        for (int k = 0; k < s.Frames; k += 7)
        {
            double d = Math.Sqrt((p.CentrePx[k].X - ax) * (p.CentrePx[k].X - ax) + (p.CentrePx[k].Y - ay) * (p.CentrePx[k].Y - ay));
            Assert.Equal(p.RadiusNm[k] / s.PixelSizeNm, d, 1e-6);
        }
        Assert.True(p.CentrePx[^1].X > p.CentrePx[0].X + 3, "moves away from the left-edge electrolyte as it swells");
        // At the contact the electrolyte boundary is within a pixel of the anchor.
        Assert.Equal(s.Electrolyte!.BoundaryPx(ay), ax, 1.0);
        Assert.All(s.Particles.Skip(1), q => Assert.Null(q.AnchorPx));
    }
}
