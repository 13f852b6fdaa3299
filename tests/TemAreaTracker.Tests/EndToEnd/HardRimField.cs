using TemAreaTracker.Physics;
using TemAreaTracker.Simulation;
using TemAreaTracker.Tracking;

namespace TemAreaTracker.Tests.EndToEnd;

/// <summary>
/// One simulated 512² frame like the real bright-field nanoparticle images (<c>RealData/MsaNanoparticles</c>): ten
/// strongly scattering particles (mean free path 5 nm, so their rims are blurred steps) of radius 12-50 px, well apart,
/// under a wide PSF and few electrons, optionally out of focus. None of the simulator's presets looks like this, and
/// the tracker was not tuned on it.
/// </summary>
public static class HardRimField
{
    /// <param name="seed">Layout, texture and noise.</param>
    /// <param name="dosePerPx">Background electrons per px.</param>
    /// <param name="blurSigmaPx">PSF σ in px.</param>
    /// <param name="fringeStrength">Simulator's defocus fringe strength (0 = in focus).</param>
    /// <param name="fringeWidthPx">Simulator's defocus fringe width in px.</param>
    public static SimulationScenario Build(int seed, double dosePerPx = 30, double blurSigmaPx = 3.3, double fringeStrength = 0, double fringeWidthPx = 3)
    {
        const double pixelNm = 1.5;
        var rnd = new Random(seed);
        var particles = new List<SimulatedParticle>();
        // Never lithiates within the frame: the area is the drawn particle's.
        var still = new LithiationKinetics(500, 50, OnsetS: 1e9, MaxFraction: 1.0);
        for (int tries = 0; particles.Count < 10 && tries < 2000; tries++)
        {
            double r = 12 + 38 * rnd.NextDouble();
            // 20 px clear of the frame's edge: a wide PSF's edge windows reach ~15 px beyond the rim, and nodes whose
            // windows leave the frame are bridged by the rest of the rim (an outline within σ of the border has no area).
            double x = r + 20 + (512 - 2 * r - 40) * rnd.NextDouble(), y = r + 20 + (512 - 2 * r - 40) * rnd.NextDouble();
            // At least 14 px of background between rims: these are isolated particles.
            if (particles.Any(p => Math.Sqrt((p.CentreXPx - x) * (p.CentreXPx - x) + (p.CentreYPx - y) * (p.CentreYPx - y)) < p.R0Nm / pixelNm + r + 14)) continue;
            particles.Add(new SimulatedParticle($"p{particles.Count + 1}", x, y, r * pixelNm, still) { Crystalline = false });
        }
        return new SimulationScenario
        {
            Name = "hard-rim-field",
            Width = 512, Height = 512, Frames = 1, PixelSizeNm = pixelNm, Particles = particles, Seed = seed,
            SiMeanFreePathNm = 5, BlurSigmaPx = blurSigmaPx, DoseElectronsPerPx = dosePerPx,
            DefocusFringeStrength = fringeStrength, DefocusFringeWidthPx = fringeWidthPx,
            DriftStepPx = 0, DriftVelocityXPxPerFrame = 0, DriftVelocityYPxPerFrame = 0,
        };
    }

    /// <summary>Tracks the frame from hand outlines (grown or shrunk by up to 3 px): per particle, found area / true area − 1 (1 when lost), and the edge models chosen.</summary>
    public static (List<double> Errors, IReadOnlyList<TemAreaTracker.Segmentation.EdgeModel?> Models) Track(SimulationScenario scenario)
    {
        var truth = GroundTruth.Compute(scenario);
        using var frame = MovieSimulator.RenderFrame(scenario, 0);
        using var tracker = new Tracker(HandOutlines.Draw(truth, 0, 3.0));
        var result = tracker.Process(frame, default); // one frame: no drift
        var errors = result.Particles.Select(m => double.IsFinite(m.AreaPx) ? m.AreaPx / truth.AreaPx(m.Particle)[0] - 1 : 1.0).ToList();
        return (errors, tracker.EdgeModels);
    }

    public static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToArray();
        if (s.Length == 0) return double.NaN;
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
