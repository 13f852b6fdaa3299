using TemAreaTracker.Registration;
using TemAreaTracker.Tracking;

namespace TemAreaTracker.Pipeline;

/// <summary>
/// The one path from frames to tracked frames, used by <see cref="TrackPipeline.Track"/> and <see cref="TrackPipeline.Run"/>
/// alike: frames decoded on a reader thread a couple ahead (<see cref="FramePrefetcher"/>), their stage drift against
/// frame 0 measured on a thread of its own a frame or two ahead (<see cref="DriftAhead"/>), then the
/// <see cref="Tracker"/> on the caller's thread.
/// </summary>
/// <remarks>
/// Take frame 0, then <see cref="Start"/> with the outlines drawn on it (they may be read or detected on frame 0 itself):
/// the drift is measured on the support clear of them. The caller disposes each frame it takes.
/// </remarks>
internal sealed class TrackingLoop : IDisposable
{
    private readonly TrackOptions _options;
    private readonly FramePrefetcher _frames;
    private readonly DriftAhead _ahead;
    private Tracker? _tracker;

    public TrackingLoop(IEnumerable<Frame> frames, TrackOptions options)
    {
        _options = options;
        _frames = new FramePrefetcher(frames, capacity: 2);
        try
        {
            _ahead = new DriftAhead(_frames, options.CorrectDrift);
        }
        catch
        {
            _frames.Dispose();
            throw;
        }
    }

    /// <summary>The next frame and its stage drift (NaN when its size differs from frame 0's); false at the end.</summary>
    public bool TryTake(out Frame frame, out DriftEstimate drift) => _ahead.TryTake(out frame, out drift);

    /// <summary>Starts tracking <paramref name="outlines"/> (drawn on frame 0) and measuring the drift clear of them.</summary>
    /// <exception cref="ArgumentException">No outlines, or an empty one (<see cref="OutlineValidation.RequireTrackable"/>).</exception>
    public void Start(IReadOnlyList<Outline> outlines)
    {
        _tracker = new Tracker(outlines, _options);
        _ahead.Begin(outlines);
    }

    /// <summary>Tracks <paramref name="frame"/> (frames in the order taken) with its drift.</summary>
    public FrameResult Track(Frame frame, DriftEstimate drift) =>
        (_tracker ?? throw new InvalidOperationException("Start the loop with the outlines first")).Process(frame, drift.Px);

    public void Dispose()
    {
        _ahead.Dispose();
        _frames.Dispose();
        _tracker?.Dispose();
    }
}
