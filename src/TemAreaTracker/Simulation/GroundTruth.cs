using OpenCvSharp;
using TemAreaTracker.Physics;

namespace TemAreaTracker.Simulation;

/// <summary>What is true about one simulated particle, frame by frame.</summary>
/// <param name="Name">Particle name (as in RoiSet.zip and truth.json).</param>
/// <param name="R0Nm">Radius before lithiation in nm.</param>
/// <param name="Kinetics">The lithiation model it follows (D in nm²/s, L in nm, t0 in s, f_max, contact loss).</param>
/// <param name="Fraction">Lithiated fraction f per frame.</param>
/// <param name="RadiusNm">Radius R = R0 (V/V0)^(1/3) per frame in nm.</param>
/// <param name="AreaNm2">True projected area π R² per frame in nm² (the whole disc, also where it lies over a neighbour).</param>
/// <param name="AreaPx">The same in px².</param>
/// <param name="CentrePx">Centre per frame in camera px, drift included (and, for an anchored particle, its swelling away from the anchor).</param>
/// <param name="InView">Per frame: the whole disc lies inside the frame (pixel edges at −0.5 and W − 0.5). When false,
/// a tracker should flag the frame rather than report an area.</param>
public sealed record ParticleTruth(
    string Name, double R0Nm, LithiationKinetics Kinetics,
    double[] Fraction, double[] RadiusNm, double[] AreaNm2, double[] AreaPx, Point2d[] CentrePx, bool[] InView)
{
    /// <summary>D in cm²/s (1 nm²/s = 1e-14 cm²/s).</summary>
    public double DiffusivityCm2PerS => Kinetics.DiffusivityNm2PerS * 1e-14;
}

/// <summary>True area of a named cluster outline: the area of the union of its members' discs (exact, <see cref="CircleUnion"/>).</summary>
public sealed record ClusterTruth(string Name, IReadOnlyList<string> Members, double[] AreaNm2, double[] AreaPx);

/// <summary>Where the burnt-in scale bar is (camera px, fixed: it is drawn on the image, not the specimen).</summary>
/// <param name="LengthNm">What the label says.</param>
/// <param name="LengthPx">Bar length in px (LengthNm / pixel size, rounded to whole px as acquisition software does).</param>
/// <param name="Label">Label text, e.g. "50 nm".</param>
/// <param name="Rect">Bar rectangle in px (x, y, width, height).</param>
public sealed record ScaleBarTruth(double LengthNm, int LengthPx, string Label, Rect Rect);

/// <summary>
/// The ground truth of a <see cref="SimulationScenario"/>: computed from the scenario alone (pure, no rendering), and
/// the same numbers <see cref="MovieSimulator"/> draws from.
/// </summary>
public sealed class GroundTruth
{
    private GroundTruth(SimulationScenario scenario, double[] timeS, Point2d[] driftPx, double[] brightness,
        IReadOnlyList<ParticleTruth> particles, IReadOnlyList<ClusterTruth> clusters, ScaleBarTruth? scaleBar)
    {
        Scenario = scenario; TimeS = timeS; DriftPx = driftPx; Brightness = brightness;
        Particles = particles; Clusters = clusters; ScaleBar = scaleBar;
    }

    public SimulationScenario Scenario { get; }
    public double PixelSizeNm => Scenario.PixelSizeNm;
    public double FrameIntervalS => Scenario.FrameIntervalS;
    public int Frames => Scenario.Frames;
    /// <summary>Time of each frame in s (k · frame interval).</summary>
    public double[] TimeS { get; }
    /// <summary>Stage drift of each frame in px relative to frame 0 (+x right, +y down): specimen content at p in frame 0 is at p + drift.</summary>
    public Point2d[] DriftPx { get; }
    /// <summary>Beam brightness of each frame relative to nominal (flicker).</summary>
    public double[] Brightness { get; }
    public IReadOnlyList<ParticleTruth> Particles { get; }
    public IReadOnlyList<ClusterTruth> Clusters { get; }
    /// <summary>The burnt-in scale bar, or null when none is drawn.</summary>
    public ScaleBarTruth? ScaleBar { get; }

    /// <summary>True area per frame in px² of a particle or cluster by name.</summary>
    /// <exception cref="KeyNotFoundException">No particle or cluster has that name.</exception>
    public double[] AreaPx(string name) =>
        Particles.FirstOrDefault(p => p.Name == name)?.AreaPx
        ?? Clusters.FirstOrDefault(c => c.Name == name)?.AreaPx
        ?? throw new KeyNotFoundException($"no particle or cluster named '{name}'");

    /// <summary>True area per frame in nm² of a particle or cluster by name.</summary>
    public double[] AreaNm2(string name) =>
        Particles.FirstOrDefault(p => p.Name == name)?.AreaNm2
        ?? Clusters.FirstOrDefault(c => c.Name == name)?.AreaNm2
        ?? throw new KeyNotFoundException($"no particle or cluster named '{name}'");

    /// <summary>Computes the truth of <paramref name="s"/>.</summary>
    /// <exception cref="ArgumentException">The scenario does not validate.</exception>
    public static GroundTruth Compute(SimulationScenario s)
    {
        if (s.Validate() is string problem) throw new ArgumentException($"scenario '{s.Name}': {problem}", nameof(s));
        int n = s.Frames;
        var time = new double[n];
        for (int k = 0; k < n; k++) time[k] = k * s.FrameIntervalS;

        // Drift: random walk plus a steady component; frame 0 is the reference (0, 0).
        var drift = new Point2d[n];
        var rd = new SimRandom(s.NoiseSeed ?? s.Seed, 1);
        for (int k = 1; k < n; k++)
            drift[k] = new Point2d(
                drift[k - 1].X + s.DriftVelocityXPxPerFrame + s.DriftStepPx * rd.NextNormal(),
                drift[k - 1].Y + s.DriftVelocityYPxPerFrame + s.DriftStepPx * rd.NextNormal());

        // Flicker: mostly white, a little memory (AR(1), ρ = 0.5) as a real gun/filament wanders.
        var bright = new double[n];
        var rf = new SimRandom(s.NoiseSeed ?? s.Seed, 2);
        double e = 0;
        for (int k = 0; k < n; k++)
        {
            e = 0.5 * e + Math.Sqrt(1 - 0.25) * rf.NextNormal();
            bright[k] = Math.Max(0.05, 1 + s.FlickerFraction * e);
        }

        double px2 = s.PixelSizeNm * s.PixelSizeNm;
        var particles = new List<ParticleTruth>();
        foreach (var p in s.Particles)
        {
            var f = new double[n]; var r = new double[n]; var a = new double[n]; var apx = new double[n]; var c = new Point2d[n];
            var inView = new bool[n];
            for (int k = 0; k < n; k++)
            {
                f[k] = p.Kinetics.Fraction(time[k]);
                r[k] = p.R0Nm * SiliconSwelling.RadiusRatio(f[k], s.ExpansionRatio);
                a[k] = Math.PI * r[k] * r[k];
                apx[k] = a[k] / px2;
                double cx = p.CentreXPx, cy = p.CentreYPx;
                if (p.AnchorPx is (double ax, double ay))
                {
                    double stretch = r[k] / p.R0Nm;
                    cx = ax + (p.CentreXPx - ax) * stretch;
                    cy = ay + (p.CentreYPx - ay) * stretch;
                }
                c[k] = new Point2d(cx + drift[k].X, cy + drift[k].Y);
                double rp = r[k] / s.PixelSizeNm;
                inView[k] = c[k].X - rp >= -0.5 && c[k].X + rp <= s.Width - 0.5 && c[k].Y - rp >= -0.5 && c[k].Y + rp <= s.Height - 0.5;
            }
            particles.Add(new ParticleTruth(p.Name, p.R0Nm, p.Kinetics, f, r, a, apx, c, inView));
        }

        var clusters = new List<ClusterTruth>();
        foreach (var cl in s.Clusters)
        {
            var members = cl.Members.Select(m => particles.First(p => p.Name == m)).ToList();
            var a = new double[n]; var apx = new double[n];
            for (int k = 0; k < n; k++)
            {
                var discs = members.Select(m => (m.CentrePx[k].X, m.CentrePx[k].Y, m.RadiusNm[k] / s.PixelSizeNm)).ToList();
                apx[k] = CircleUnion.Area(discs);
                a[k] = apx[k] * px2;
            }
            clusters.Add(new ClusterTruth(cl.Name, cl.Members.ToArray(), a, apx));
        }

        return new GroundTruth(s, time, drift, bright, particles, clusters, s.ScaleBar ? PlanScaleBar(s) : null);
    }

    /// <summary>A round length (1-2-5 series) near a fifth of the frame width, in the bottom-right corner.</summary>
    private static ScaleBarTruth PlanScaleBar(SimulationScenario s)
    {
        double target = 0.2 * s.Width * s.PixelSizeNm;
        double decade = Math.Pow(10, Math.Floor(Math.Log10(target)));
        double nm = new[] { 1, 2, 5, 10 }.Select(m => m * decade).OrderBy(v => Math.Abs(Math.Log(v / target))).First();
        int lengthPx = (int)Math.Round(nm / s.PixelSizeNm);
        int thick = Math.Max(3, (int)Math.Round(s.Height / 70.0));
        int margin = Math.Max(6, s.Width / 40);
        var rect = new Rect(s.Width - margin - lengthPx, s.Height - margin - thick, lengthPx, thick);
        string label = nm >= 1000 ? $"{nm / 1000:0.#} um" : $"{nm:0.#} nm";
        return new ScaleBarTruth(nm, lengthPx, label, rect);
    }
}
