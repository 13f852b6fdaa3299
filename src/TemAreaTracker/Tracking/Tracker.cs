using OpenCvSharp;
using TemAreaTracker.Registration;
using TemAreaTracker.Segmentation;

namespace TemAreaTracker.Tracking;

/// <summary>
/// Follows outlines through a movie one frame at a time (streaming: memory does not grow with movie length).
/// </summary>
/// <remarks>
/// Each frame: stage drift against the first frame, measured on the specimen support clear of the outlines
/// (<see cref="StageDrift"/>), then each particle's own motion by matching its neighbourhood (<see cref="ParticleMotion"/>); the moved outline is the shape prior from which its nodes
/// search along their normals for the particle's own sub-pixel edge (<see cref="ActiveOutline"/>), with neighbouring
/// particles' rims modelled where they cross. On the first frame the drawn outlines are refined from afar, the PSF σ is
/// chosen jointly for all of them (with one mean free path, so that particle sizes tell blur from rim softness) and then
/// each particle's absorption (the shape of its rim profile), both by the residual of the rim about the smooth outline
/// each candidate model gives (<see cref="RimSamples"/>).
/// A cluster outline drawn around particles that have outlines of their own is their projection: the union of the
/// members' outlines, frame by frame (its own free-shape fit only while a member has no area).
/// </remarks>
/// <example>
/// <code>
/// // A whole movie, stage drift included: TemAreaTracker.Pipeline.TrackPipeline.Track(movie.ReadFrames(), outlines).
/// using var tracker = new Tracker(outlines, new TrackOptions());
/// var r = tracker.Process(frame, driftPx); // driftPx from a StageDrift on frame 0 and these outlines (zero on frame 0)
/// </code>
/// </example>
public sealed class Tracker : IDisposable
{
    private readonly TrackOptions _options;
    private readonly ParticleState[] _particles;
    private Point2d _lastDrift;
    private ImageSampler? _previous;

    /// <summary>Starts tracking from <paramref name="outlines"/> drawn on the first frame (or on their own frame when set).</summary>
    public Tracker(IReadOnlyList<Outline> outlines, TrackOptions? options = null)
    {
        OutlineValidation.RequireTrackable(outlines);
        _options = options ?? new TrackOptions();
        _particles = outlines.Select(o => new ParticleState(o)).ToArray();
        for (int i = 0; i < _particles.Length; i++) _particles[i].Members = MembersOf(i);
        _byArea = Enumerable.Range(0, _particles.Length).OrderBy(i => _particles[i].Drawn.AreaPx).ToArray();
    }

    // Outline indices by drawn area: a cluster outline is made from its members after they are measured.
    private readonly int[] _byArea;

    /// <summary>Edge model chosen for each particle on its first frame (null before then).</summary>
    public IReadOnlyList<EdgeModel?> EdgeModels => _particles.Select(p => p.Model).ToArray();

    /// <summary>
    /// Measures every started outline in <paramref name="frame"/> (frames must come in order), given the stage drift of
    /// <paramref name="frame"/> measured by the caller: a <see cref="StageDrift"/> made from the first frame passed here
    /// and this tracker's outlines, and fed every later frame in order (zero for the first frame). Drift depends only on
    /// the frames and the outlines, so the pipeline measures it on another thread a frame ahead of tracking
    /// (<c>TemAreaTracker.Pipeline.TrackPipeline.Track</c> does both). The drift is ignored when
    /// <see cref="TrackOptions.CorrectDrift"/> is off.
    /// </summary>
    public FrameResult Process(Frame frame, Point2d driftPx) => Track(frame, _options.CorrectDrift ? driftPx : new Point2d(0, 0));

    private FrameResult Track(Frame frame, Point2d drift)
    {
        var step = new Point2d(drift.X - _lastDrift.X, drift.Y - _lastDrift.Y);
        _lastDrift = drift;

        var image = new ImageSampler(frame);
        var previous = _previous;
        Parallel.ForEach(_particles, p =>
        {
            if (p.Model is null || previous is null) return;
            // A cluster made of its members is rebuilt from them; its prior only needs the stage's step.
            var shift = p.Members is not null ? step : _options.CorrectDrift
                ? ParticleMotion.Shift(previous.Pixels, image.Pixels, BoundingBox(p.Current, marginPx: 6), step, searchPx: 8)
                : step;
            p.Unmoved = p.Current;
            p.Current = p.Current.Translate(shift.X, shift.Y);
        });

        var results = new ParticleMeasurement?[_particles.Length];
        bool[] starting = _particles.Select(p => p.Model is null && frame.Index >= (p.Drawn.Frame ?? 0)).ToArray();
        // New outlines first find their edge and edge model alone; then every outline is fitted with its neighbours'
        // rims in view, so that overlapping projections share their edges instead of fighting over them.
        var newcomers = _particles.Where((p, i) => starting[i]).ToArray();
        if (newcomers.Length > 0) StartAll(image, newcomers);
        var neighbours = _particles.Select((p, i) => NeighboursOf(i)).ToArray();
        ParticleMeasurement Fit(int i) => starting[i]
            ? _particles[i].Polish(image, frame.Index, neighbours[i])
            : _particles[i].Follow(image, frame.Index, _options, neighbours[i]);
        Parallel.For(0, _particles.Length, i =>
        {
            var p = _particles[i];
            if (p.Model is null || p.Members is not null) return;
            results[i] = Fit(i);
        });
        // Cluster outlines made of outlined members: the union of the members' outlines once every member has an area
        // (smaller clusters first, so a cluster of clusters finds its parts done); else the cluster's own fit.
        foreach (int i in _byArea)
        {
            var p = _particles[i];
            if (p.Model is null || p.Members is null) continue;
            var parts = p.Members.Select(j => results[j]).ToArray();
            results[i] = parts.All(m => m is { Quality: TrackQuality.Ok or TrackQuality.Weak })
                ? p.MeasureUnion(parts!, frame.Index) ?? Fit(i)
                : Fit(i);
        }
        _previous?.Dispose();
        _previous = image;
        return new FrameResult(frame.Index, drift, results.Where(r => r is not null).Select(r => r!).ToArray());
    }

    /// <summary>
    /// First frame of a set of outlines: each is pulled onto its edge with a default model; the PSF σ (one microscope,
    /// one blur) is then chosen jointly over all of them, each with its own absorption, and the outlines are refined
    /// with their models.
    /// </summary>
    private void StartAll(ImageSampler image, ParticleState[] newcomers)
    {
        Parallel.ForEach(newcomers, p => p.Approach(image, _options));
        EdgeModelChoice.Choose(image, newcomers);
        Parallel.For(0, newcomers.Length, i => newcomers[i].Settle(image));
    }

    /// <summary>
    /// Started outlines near particle <paramref name="index"/> that are not nested in it or it in them (a whole-cluster
    /// outline and its members each measure their own projection; only side-by-side particles share rims).
    /// </summary>
    private IReadOnlyList<Neighbour> NeighboursOf(int index)
    {
        var me = _particles[index];
        if (me.Model is null) return [];
        var box = BoundingBox(me.Current, marginPx: 10);
        var list = new List<Neighbour>();
        for (int j = 0; j < _particles.Length; j++)
        {
            var other = _particles[j];
            if (j == index || other.Model is null) continue;
            if ((BoundingBox(other.Current, 0) & box).Width <= 0) continue;
            if (Contains(me.Current, other.Current.Centroid) || Contains(other.Current, me.Current.Centroid)) continue;
            list.Add(new Neighbour(other.Current.VerticesPx, other.Model));
        }
        return list;
    }

    /// <summary>
    /// The outlines a cluster outline is made of: those drawn on the same frame whose centroids lie inside it, when
    /// together they cover all of it (no stretch of the cluster's outline further outside their union than half the
    /// smallest member's radius, far beyond the roughness of hand drawing, while a particle left without its own
    /// outline sticks out by its diameter). Null when <paramref name="index"/> is not such a cluster.
    /// </summary>
    private int[]? MembersOf(int index)
    {
        var me = _particles[index].Drawn;
        var members = Enumerable.Range(0, _particles.Length)
            .Where(j => j != index && (_particles[j].Drawn.Frame ?? 0) == (me.Frame ?? 0)
                        && _particles[j].Drawn.AreaPx < me.AreaPx && Contains(me, _particles[j].Drawn.Centroid))
            .ToArray();
        if (members.Length == 0) return null;
        var union = OutlineUnion.Union(members.Select(j => _particles[j].Drawn.VerticesPx).ToArray());
        if (union is null) return null;
        double tolerance = Math.Max(3, 0.5 * members.Min(j => Math.Sqrt(_particles[j].Drawn.AreaPx / Math.PI)));
        var nodes = PolygonGeometry.Resample(me.VerticesPx, ActiveOutline.NodeSpacingPx, 24, 2048);
        return OutlineUnion.MaxDistanceOutside(union, nodes) <= tolerance ? members : null;
    }

    private static bool Contains(Outline o, Point2d p) =>
        Cv2.PointPolygonTest(o.VerticesPx.Select(v => new Point2f((float)v.X, (float)v.Y)), new Point2f((float)p.X, (float)p.Y), false) > 0;

    private static Rect BoundingBox(Outline o, int marginPx)
    {
        // One pass (called for every pair of particles every frame).
        double x0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y0 = double.PositiveInfinity, y1 = double.NegativeInfinity;
        foreach (var v in o.VerticesPx)
        {
            x0 = Math.Min(x0, v.X); x1 = Math.Max(x1, v.X);
            y0 = Math.Min(y0, v.Y); y1 = Math.Max(y1, v.Y);
        }
        int l = (int)Math.Floor(x0) - marginPx, t = (int)Math.Floor(y0) - marginPx;
        return new Rect(l, t, (int)Math.Ceiling(x1) + marginPx - l + 1, (int)Math.Ceiling(y1) + marginPx - t + 1);
    }

    public void Dispose()
    {
        _previous?.Dispose();
    }
}
