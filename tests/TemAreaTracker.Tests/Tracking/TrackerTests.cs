using TemAreaTracker.Pipeline;
using TemAreaTracker.Segmentation;
using TemAreaTracker.Simulation;
using TemAreaTracker.Tracking;
using Xunit;
using Xunit.Abstractions;
using static TemAreaTracker.Tests.Tracking.SphereImages;

namespace TemAreaTracker.Tests.Tracking;

public class TrackerTests(ITestOutputHelper output)
{
    // Rough drawn outline (grown or shrunk, jittered by 1 px) refined on one frame: radius, PSF σ, absorption
    // length λ (optical thickness at the centre 2r/λ), noise. Quantised to 8 bit like most movies.
    [Theory]
    [InlineData(30, 1.0, 60, false, -3)]
    [InlineData(30, 1.0, 60, false, 3)]
    [InlineData(30, 0.0, 60, false, 2)]
    [InlineData(20, 1.5, 60, false, 2)]
    [InlineData(20, 1.5, 200, false, -2)]
    [InlineData(40, 2.0, 60, false, 2)]
    [InlineData(15, 1.0, 60, false, 2)]
    [InlineData(40, 1.2, 100, false, 3)]
    [InlineData(30, 1.0, 60, true, -2)]
    public void FirstFrame_IsolatedSphere_AreaWithin1Percent(double r, double blur, double lambda, bool noise, double grow)
    {
        using var frame = Render(0, 160, 120, [new Sphere(80.3, 60.6, r, lambda)], blur, dosePerPx: noise ? 200 : null);
        using var tracker = new Tracker([Circle("a", 80.3, 60.6, r + grow, jitterPx: 1.0)]);
        var m = tracker.Process(frame, default).Particles[0]; // one frame: no drift
        double truth = Math.PI * r * r;
        output.WriteLine($"r={r} blur={blur} lambda={lambda} noise={noise} grow={grow}: area {m.AreaPx:0.0} vs {truth:0.0} ({(m.AreaPx / truth - 1) * 100:0.00}%) model {tracker.EdgeModels[0]}");
        Assert.Equal(TrackQuality.Ok, m.Quality);
        Assert.InRange(m.AreaPx / truth - 1, -0.01, 0.01);
    }
}

public class TrackerSequenceTests(ITestOutputHelper output)
{
    private static IEnumerable<Frame> SwellingMovie(int frames, Func<int, IReadOnlyList<Sphere>> spheresAt, double driftStepPx,
        bool inverted = false, double? dose = 400, int seed = 11, int width = 200, int height = 150)
    {
        var rng = new Random(seed);
        double dx = 0, dy = 0;
        for (int k = 0; k < frames; k++)
        {
            if (k > 0) { dx += driftStepPx * (rng.NextDouble() * 2 - 1); dy += driftStepPx * (rng.NextDouble() * 2 - 1); }
            var moved = spheresAt(k).Select(s => s with { X = s.X + dx, Y = s.Y + dy }).ToArray();
            yield return Render(k, width, height, moved, 1.2, dosePerPx: dose, seed: seed * 100 + k, inverted: inverted, supersample: 4);
        }
    }

    private static (double median, double max) Errors(IEnumerable<FrameResult> results, string name, Func<int, double> truth, ITestOutputHelper log)
    {
        var errors = new List<double>();
        foreach (var r in results)
        {
            var m = r.Particles.Single(p => p.Particle == name);
            log.WriteLine($"  frame {r.Frame} {m.Quality} {(m.AreaPx / truth(r.Frame) - 1) * 100:0.00}% drift {r.DriftPx.X:0.0},{r.DriftPx.Y:0.0}");
            Assert.Equal(TrackQuality.Ok, m.Quality);
            errors.Add(Math.Abs(m.AreaPx / truth(r.Frame) - 1));
        }
        errors.Sort();
        log.WriteLine($"{name}: median {errors[errors.Count / 2] * 100:0.00}% max {errors[^1] * 100:0.00}%");
        return (errors[errors.Count / 2], errors[^1]);
    }

    [Theory]
    [InlineData(false, 2.0)]
    [InlineData(true, 3.0)]
    public void SwellingSphere_WithDriftAndNoise_TrackedWithin1Percent(bool inverted, double drift)
    {
        static double R(int k) => 22 + 0.8 * k;
        var movie = SwellingMovie(12, k => [new Sphere(100, 75, R(k))], drift, inverted);
        var results = TrackPipeline.Track(movie, [Circle("p", 101, 74, 25, jitterPx: 1)]).ToList();
        var (median, max) = Errors(results, "p", k => Math.PI * R(k) * R(k), output);
        Assert.True(median <= 0.01, $"median {median:P2}");
        Assert.True(max <= 0.05, $"max {max:P2}");
    }

    [Fact]
    public void OverlappingSpheres_EachKeepsItsWholeProjectedArea()
    {
        // Centres 44 px apart; radii grow from 21 to 28 px, so the overlap grows from none to 12 px deep.
        static double R(int k) => 21 + 0.7 * k;
        var movie = SwellingMovie(11, k => [new Sphere(75, 75, R(k)), new Sphere(119, 75, R(k) * 0.95)], 1.5);
        var results = TrackPipeline.Track(movie, [Circle("left", 75, 75, 23, jitterPx: 1), Circle("right", 119, 76, 20, jitterPx: 1, seed: 5)]).ToList();
        var (ml, xl) = Errors(results, "left", k => Math.PI * R(k) * R(k), output);
        var (mr, xr) = Errors(results, "right", k => Math.PI * Math.Pow(R(k) * 0.95, 2), output);
        Assert.True(Math.Max(ml, mr) <= 0.015, $"median {ml:P2} / {mr:P2}");
        Assert.True(Math.Max(xl, xr) <= 0.05, $"max {xl:P2} / {xr:P2}");
    }

    /// <summary>Outline around the union of circles (x, y, r), grown by <paramref name="growPx"/>, as a cluster is drawn.</summary>
    private static Outline ClusterOutline(string name, (double X, double Y, double R)[] discs, double growPx)
    {
        var grown = discs.Select(d => Circle(name, d.X, d.Y, d.R + growPx, n: 90).VerticesPx).ToArray();
        return new Outline(name, OutlineUnion.Union(grown)!);
    }

    [Fact]
    public void ClusterOutlineAroundOutlinedMembers_IsTheirUnion()
    {
        // Three touching spheres swelling into each other; the cluster outline is drawn 2 px wide of them.
        static double R(int k) => 20 + 0.6 * k;
        (double X, double Y)[] centres = [(70, 75), (110, 75), (90, 110)];
        var movie = SwellingMovie(10, k => centres.Select(c => new Sphere(c.X, c.Y, R(k))).ToArray(), 1.0);
        var outlines = centres.Select((c, i) => Circle($"p{i + 1}", c.X + 0.5, c.Y - 0.5, 21, jitterPx: 1, seed: i))
            .Append(ClusterOutline("cluster", centres.Select(c => (c.X, c.Y, 20.0)).ToArray(), growPx: 2)).ToList();
        var results = TrackPipeline.Track(movie, outlines).ToList();
        var (median, max) = Errors(results, "cluster", k => CircleUnion.Area(centres.Select(c => (c.X, c.Y, R(k))).ToArray()), output);
        Assert.True(median <= 0.015, $"median {median:P2}");
        Assert.True(max <= 0.05, $"max {max:P2}");
        // Made of its members: its area is that of their outlines' union, frame by frame.
        foreach (var r in results)
        {
            var union = OutlineUnion.Union(r.Particles.Where(m => m.Particle != "cluster").Select(m => m.Outline.VerticesPx).ToArray());
            Assert.Equal(Math.Abs(Outline.SignedAreaPx(union!)), r.Particles.Single(m => m.Particle == "cluster").AreaPx, 6);
        }
    }

    [Fact]
    public void ClusterOutlineWithAParticleNotOutlined_IsFittedOnItsOwn()
    {
        // Only two of the three spheres have outlines: the cluster is not their union but its own whole projection.
        static double R(int k) => 20 + 0.6 * k;
        (double X, double Y)[] centres = [(70, 75), (110, 75), (90, 110)];
        var movie = SwellingMovie(4, k => centres.Select(c => new Sphere(c.X, c.Y, R(k))).ToArray(), 0.5);
        var outlines = centres.Take(2).Select((c, i) => Circle($"p{i + 1}", c.X, c.Y, 21, jitterPx: 1, seed: i))
            .Append(ClusterOutline("cluster", centres.Select(c => (c.X, c.Y, 20.0)).ToArray(), growPx: 2)).ToList();
        foreach (var r in TrackPipeline.Track(movie, outlines))
        {
            var cluster = r.Particles.Single(m => m.Particle == "cluster");
            double truth = CircleUnion.Area(centres.Select(c => (c.X, c.Y, R(r.Frame))).ToArray());
            output.WriteLine($"frame {r.Frame}: cluster {cluster.AreaPx:0} px² vs {truth:0} px²");
            Assert.InRange(cluster.AreaPx / truth, 0.9, 1.1);
        }
    }

    [Fact]
    public void ParticleLeavingTheFrame_IsFlaggedNotMeasured()
    {
        var movie = SwellingMovie(8, k => [new Sphere(150 + 8 * k, 75, 20)], 0, dose: null);
        var results = TrackPipeline.Track(movie, [Circle("p", 150, 75, 21)]).ToList();
        var last = results[^1].Particles[0];
        Assert.Equal(TrackQuality.OutOfView, last.Quality);
        Assert.True(double.IsNaN(last.AreaPx));
        Assert.Equal(TrackQuality.Ok, results[0].Particles[0].Quality);
    }

    /// <summary>
    /// The pipeline (frames read, and their drift measured, a frame or two ahead on threads of their own) tracks exactly
    /// as measuring the drift serially on the tracking thread: a StageDrift made from frame 0 and the drawn outlines, fed
    /// every later frame in order (what the tracker once did itself).
    /// </summary>
    [Fact]
    public void PipelineDrift_SameResultsAsSerialDrift()
    {
        static double R(int k) => 21 + 0.7 * k;
        IEnumerable<Frame> Movie() => SwellingMovie(6, k => [new Sphere(100, 75, R(k)), new Sphere(150, 80, 0.8 * R(k))], 1.5, width: 220);
        Outline[] outlines = [Circle("p", 100, 75, 23, jitterPx: 1), Circle("q", 150, 80, 18, jitterPx: 1, seed: 3)];
        var piped = TrackPipeline.Track(Movie(), outlines).ToList();
        using var serial = new Tracker(outlines);
        global::TemAreaTracker.Registration.StageDrift? drift = null;
        int i = 0;
        foreach (var f in Movie())
            using (f)
            {
                var d = drift is null ? new OpenCvSharp.Point2d(0, 0) : drift.Estimate(f).Px;
                drift ??= new global::TemAreaTracker.Registration.StageDrift(f, outlines);
                var b = serial.Process(f, d);
                Assert.Equal(b.Frame, piped[i].Frame);
                Assert.Equal(b.DriftPx, piped[i].DriftPx);
                Assert.Equal(b.Particles.Select(m => (m.Particle, m.AreaPx, m.Quality)), piped[i].Particles.Select(m => (m.Particle, m.AreaPx, m.Quality)));
                i++;
            }
        drift?.Dispose();
        Assert.Equal(6, i);
        Assert.Equal(6, piped.Count);
    }
}
