// Shared by the accuracy tests and the `accuracy` benchmark (linked into bench/TemAreaTracker.Bench): no xunit here.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using TemAreaTracker.Simulation;
using TemAreaTracker.Tracking;
using TemAreaTracker.Pipeline;

namespace TemAreaTracker.Tests.EndToEnd;

/// <summary>Which accuracy target of issue 3 an outline falls under.</summary>
public enum OverlapClass
{
    /// <summary>A particle with nothing within a few px of it: median ≤ 1 %, no frame &gt; 5 %.</summary>
    Isolated,
    /// <summary>A particle touching or overlapping a neighbour or the electrolyte: median ≤ 1.5 %.</summary>
    Touching,
    /// <summary>A cluster outline (union of touching discs): median ≤ 1.5 %.</summary>
    ClusterUnion,
}

/// <summary>One cell of the matrix: the knobs varied on top of a preset scenario.</summary>
/// <param name="Scenario">isolated, cluster (electrochemical-cluster), unseen-blur (isolated, PSF σ 2 px, 256x160),
/// unseen-pair (the chemical pair at 224x288, PSF σ 1.6 px: a frame shape and blur the simulator's presets were not tuned for).</param>
/// <param name="DoseElectronsPerPx">Background electrons per px per frame.</param>
/// <param name="DriftStepPx">σ of the random-walk drift step per frame (plus a steady component, see <see cref="AccuracyMatrix.Build"/>).</param>
/// <param name="Inverted">Bright particles on a dark background.</param>
public sealed record AccuracyCase(string Scenario, double DoseElectronsPerPx, double DriftStepPx, bool Inverted)
{
    public string Label => $"{Scenario} dose {DoseElectronsPerPx:0} drift {DriftStepPx:0.0}{(Inverted ? " inv" : "")}";
}

/// <summary>Per-frame area error of one outline in one movie.</summary>
/// <param name="MedianError">Median over measured frames of |A/A_true − 1|.</param>
/// <param name="MaxError">Largest |A/A_true − 1| over measured frames (Ok and Weak).</param>
/// <param name="MaxOkError">Largest |A/A_true − 1| over frames the tracker called Ok (NaN when none).</param>
/// <param name="Measured">Frames with an area (quality Ok or Weak).</param>
/// <param name="Weak">Frames flagged Weak.</param>
/// <param name="Missing">Frames with the particle fully in view but no area (Lost, or OutOfView wrongly).</param>
/// <param name="OutOfView">Frames where the truth has the particle leaving the frame (not scored).</param>
public sealed record OutlineAccuracy(AccuracyCase Case, int Seed, string Name, OverlapClass Class,
    double MedianError, double MaxError, double MaxOkError, int Measured, int Weak, int Missing, int OutOfView);

/// <summary>
/// Ground-truth accuracy of tracking on simulated movies: simulate, draw rough hand outlines on frame 0, track, and
/// compare each frame's area with <see cref="GroundTruth.AreaPx"/>.
/// </summary>
public static class AccuracyMatrix
{
    /// <summary>Scenario names of the matrix.</summary>
    public static readonly string[] ScenarioNames = ["isolated", "cluster", "unseen-blur", "unseen-pair"];

    /// <summary>The scenario of a case. Small movies (32 frames) so the tests stay fast; the kinetics still spans them.</summary>
    public static SimulationScenario Build(AccuracyCase c, int seed, int frames = 32)
    {
        var s = c.Scenario switch
        {
            "isolated" => Scenarios.IsolatedSphere(seed, frames: frames, width: 200, height: 160),
            "cluster" => Scenarios.ElectrochemicalCluster(seed, frames: frames, width: 256, height: 224),
            "unseen-blur" => Scenarios.IsolatedSphere(seed, r0Nm: 33, frames: frames, width: 256, height: 160) with { BlurSigmaPx = 2.0 },
            "unseen-pair" => Scenarios.ChemicalElectrochemicalPair(seed, frames: frames, width: 224, height: 288).Electrochemical with { BlurSigmaPx = 1.6 },
            _ => throw new ArgumentException($"unknown accuracy scenario '{c.Scenario}'"),
        };
        // A steady component on top of the random walk: slow for the gentle case, a few px over the movie for the rough one.
        (double vx, double vy) = c.DriftStepPx > 1 ? (0.2, -0.12) : (0.05, -0.03);
        return s with
        {
            DoseElectronsPerPx = c.DoseElectronsPerPx,
            DriftStepPx = c.DriftStepPx,
            DriftVelocityXPxPerFrame = vx,
            DriftVelocityYPxPerFrame = vy,
            Inverted = c.Inverted,
        };
    }

    /// <summary>Simulates and tracks one case with one seed; one row per outline.</summary>
    public static IReadOnlyList<OutlineAccuracy> Measure(AccuracyCase c, int seed, int frames = 32)
    {
        var scenario = Build(c, seed, frames);
        var truth = GroundTruth.Compute(scenario);
        var outlines = HandOutlines.Draw(truth);
        var errors = outlines.ToDictionary(o => o.Name, _ => new List<double>());
        var okErrors = outlines.ToDictionary(o => o.Name, _ => new List<double>());
        var weak = outlines.ToDictionary(o => o.Name, _ => 0);
        var missing = outlines.ToDictionary(o => o.Name, _ => 0);
        var outOfView = outlines.ToDictionary(o => o.Name, _ => 0);
        foreach (var r in TrackPipeline.Track(MovieSimulator.Render(scenario, truth), outlines))
        {
            foreach (var m in r.Particles)
            {
                if (!InView(truth, m.Particle, r.Frame)) { outOfView[m.Particle]++; continue; }
                if (m.Quality is TrackQuality.Lost or TrackQuality.OutOfView || double.IsNaN(m.AreaPx)) { missing[m.Particle]++; continue; }
                double error = Math.Abs(m.AreaPx / truth.AreaPx(m.Particle)[r.Frame] - 1);
                errors[m.Particle].Add(error);
                if (m.Quality == TrackQuality.Weak) weak[m.Particle]++;
                else okErrors[m.Particle].Add(error);
            }
        }
        return outlines.Select(o =>
        {
            var e = errors[o.Name];
            e.Sort();
            double median = e.Count == 0 ? double.NaN : e.Count % 2 == 1 ? e[e.Count / 2] : 0.5 * (e[e.Count / 2 - 1] + e[e.Count / 2]);
            return new OutlineAccuracy(c, seed, o.Name, Classify(truth, o.Name), median, e.Count == 0 ? double.NaN : e[^1],
                okErrors[o.Name].Count == 0 ? double.NaN : okErrors[o.Name].Max(),
                e.Count, weak[o.Name], missing[o.Name], outOfView[o.Name]);
        }).ToList();
    }

    /// <summary>The one-factor-at-a-time design around a baseline (dose 1000, drift 0.2, normal contrast), plus the worst combination.</summary>
    public static IEnumerable<AccuracyCase> OneFactorAtATime(string scenario) =>
    [
        new(scenario, 1000, 0.2, false),
        new(scenario, 300, 0.2, false),
        new(scenario, 1000, 1.5, false),
        new(scenario, 1000, 0.2, true),
        new(scenario, 300, 1.5, true),
    ];

    /// <summary>The full factorial over dose {1000, 300} × drift {0.2, 1.5} × contrast for one scenario.</summary>
    public static IEnumerable<AccuracyCase> FullFactorial(string scenario) =>
        from dose in new[] { 1000.0, 300.0 }
        from drift in new[] { 0.2, 1.5 }
        from inv in new[] { false, true }
        select new AccuracyCase(scenario, dose, drift, inv);

    /// <summary>A whole particle disc inside the frame in this frame (the truth's own flag; clusters: all members).</summary>
    private static bool InView(GroundTruth truth, string name, int frame)
    {
        var p = truth.Particles.FirstOrDefault(q => q.Name == name);
        if (p is not null) return p.InView[frame];
        var c = truth.Clusters.First(q => q.Name == name);
        return c.Members.All(m => truth.Particles.First(q => q.Name == m).InView[frame]);
    }

    /// <summary>
    /// Isolated when, over the whole movie, the disc stays more than 3 px (a PSF's reach) from every other disc and from
    /// the electrolyte (its particles are anchored to it, i.e. touching).
    /// </summary>
    private static OverlapClass Classify(GroundTruth truth, string name)
    {
        var p = truth.Particles.FirstOrDefault(q => q.Name == name);
        if (p is null) return OverlapClass.ClusterUnion;
        var sp = truth.Scenario.Particles.First(q => q.Name == name);
        if (sp.AnchorPx is not null) return OverlapClass.Touching;
        double px = truth.PixelSizeNm;
        foreach (var q in truth.Particles)
        {
            if (q.Name == name) continue;
            for (int k = 0; k < truth.Frames; k++)
            {
                double d = Math.Sqrt(Math.Pow(p.CentrePx[k].X - q.CentrePx[k].X, 2) + Math.Pow(p.CentrePx[k].Y - q.CentrePx[k].Y, 2));
                if (d - (p.RadiusNm[k] + q.RadiusNm[k]) / px < 3) return OverlapClass.Touching;
            }
        }
        return OverlapClass.Isolated;
    }

    /// <summary>Runs <paramref name="cases"/> × <paramref name="seeds"/> (movies in parallel when asked) and returns all rows in a stable order.</summary>
    public static IReadOnlyList<OutlineAccuracy> Run(IEnumerable<AccuracyCase> cases, IEnumerable<int> seeds, int frames = 32, bool parallel = false)
    {
        var jobs = (from c in cases from s in seeds select (c, s)).ToList();
        var results = new IReadOnlyList<OutlineAccuracy>[jobs.Count];
        if (parallel) System.Threading.Tasks.Parallel.For(0, jobs.Count, i => results[i] = Measure(jobs[i].c, jobs[i].s, frames));
        else for (int i = 0; i < jobs.Count; i++) results[i] = Measure(jobs[i].c, jobs[i].s, frames);
        return results.SelectMany(r => r).ToList();
    }

    /// <summary>One line per outline and movie, then a summary per scenario and class (median of medians, worst median, worst frame).</summary>
    public static string Table(IReadOnlyList<OutlineAccuracy> rows)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(ci, $"{"case",-36} {"seed",4} {"outline",-8} {"class",-12} {"median%",8} {"max%",7} {"maxOk%",7} {"n",3} {"weak",4} {"miss",4} {"oov",4}");
        foreach (var r in rows)
            sb.AppendLine(ci, $"{r.Case.Label,-36} {r.Seed,4} {r.Name,-8} {r.Class,-12} {r.MedianError * 100,8:0.00} {r.MaxError * 100,7:0.00} {r.MaxOkError * 100,7:0.00} {r.Measured,3} {r.Weak,4} {r.Missing,4} {r.OutOfView,4}");
        sb.AppendLine();
        sb.AppendLine(ci, $"{"case / class (over seeds)",-50} {"outlines",8} {"med of med%",11} {"worst med%",10} {"worst frame%",12} {"worst Ok%",9} {"missing",7}");
        foreach (var g in rows.GroupBy(r => (r.Case, r.Class)))
            sb.AppendLine(ci, $"{g.Key.Case.Label + " / " + g.Key.Class,-50} {Summary(g.ToList())}");
        sb.AppendLine();
        sb.AppendLine(ci, $"{"scenario / class",-28} {"outlines",8} {"med of med%",11} {"worst med%",10} {"worst frame%",12} {"worst Ok%",9} {"missing",7}  target");
        foreach (var g in rows.GroupBy(r => (r.Case.Scenario, r.Class)).OrderBy(g => Array.IndexOf(ScenarioNames, g.Key.Scenario)).ThenBy(g => g.Key.Class))
        {
            var med = g.Select(r => r.MedianError).Where(double.IsFinite).Order().ToList();
            string target = g.Key.Class == OverlapClass.Isolated ? "med<=1%, max<=5%" : "med<=1.5%";
            sb.AppendLine(ci, $"{g.Key.Scenario + " / " + g.Key.Class,-28} {g.Count(),8} {(med.Count > 0 ? med[med.Count / 2] * 100 : double.NaN),11:0.00} " +
                              $"{g.Max(r => r.MedianError) * 100,10:0.00} {g.Max(r => r.MaxError) * 100,12:0.00} {g.Max(r => double.IsNaN(r.MaxOkError) ? 0 : r.MaxOkError) * 100,9:0.00} {g.Sum(r => r.Missing),7}  {target}");
        }
        return sb.ToString();
    }

    private static string Summary(IReadOnlyList<OutlineAccuracy> g)
    {
        var med = g.Select(r => r.MedianError).Where(double.IsFinite).Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{g.Count,8} {(med.Count > 0 ? med[med.Count / 2] * 100 : double.NaN),11:0.00} {g.Max(r => r.MedianError) * 100,10:0.00} " +
            $"{g.Max(r => r.MaxError) * 100,12:0.00} {g.Max(r => double.IsNaN(r.MaxOkError) ? 0 : r.MaxOkError) * 100,9:0.00} {g.Sum(r => r.Missing),7}");
    }
}
