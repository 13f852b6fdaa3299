namespace TemAreaTracker.Tracking;

/// <summary>
/// Follows outlines through a movie one frame at a time (streaming: memory does not grow with movie length).
/// </summary>
/// <example>
/// <code>
/// var tracker = new Tracker(outlines, new TrackOptions());
/// foreach (var frame in movie.ReadFrames()) using (frame) { var r = tracker.Process(frame); ... }
/// </code>
/// </example>
public sealed class Tracker
{
    private readonly List<Outline> _current;
    private readonly TrackOptions _options;

    /// <summary>Starts tracking from <paramref name="outlines"/> drawn on the first frame.</summary>
    public Tracker(IReadOnlyList<Outline> outlines, TrackOptions? options = null)
    {
        if (outlines.Count == 0) throw new ArgumentException("no outlines to track", nameof(outlines));
        _current = outlines.ToList();
        _options = options ?? new TrackOptions();
    }

    /// <summary>Measures every outline in <paramref name="frame"/> (frames must come in order).</summary>
    public FrameResult Process(Frame frame)
    {
        // PLACEHOLDER: returns the prior outlines; the real edge-model tracker replaces this body.
        var ms = _current.Select(o => new ParticleMeasurement(o.Name, frame.Index, o, o.AreaPx, double.NaN, TrackQuality.Ok)).ToList();
        return new FrameResult(frame.Index, new OpenCvSharp.Point2d(0, 0), ms);
    }

    /// <summary>Tracks a whole frame sequence (streams; disposes each frame after use).</summary>
    public static IEnumerable<FrameResult> Track(IEnumerable<Frame> frames, IReadOnlyList<Outline> outlines, TrackOptions? options = null)
    {
        var tracker = new Tracker(outlines, options);
        foreach (var frame in frames)
            using (frame)
                yield return tracker.Process(frame);
    }
}
