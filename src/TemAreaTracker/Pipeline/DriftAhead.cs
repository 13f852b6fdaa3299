using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using OpenCvSharp;
using TemAreaTracker.Registration;

namespace TemAreaTracker.Pipeline;

/// <summary>
/// Measures each frame's stage drift (<see cref="StageDrift"/>, against frame 0) on a thread of its own, between the
/// frame reader and the tracker: drift depends only on the frames and the outlines drawn on frame 0, so it is measured a
/// frame or two ahead while the tracker works on the previous one, instead of before each frame on the tracking thread.
/// </summary>
/// <remarks>
/// A bounded queue (at most <c>capacity</c> frames waiting, plus the one being measured). Frame 0 is passed on at once
/// (drift zero); the stage then waits for the outlines (<see cref="Begin"/>: the consumer reads or detects them on frame
/// 0), since the drift is measured on the support clear of them. A frame whose size differs from frame 0 is passed on
/// unmeasured (NaN drift) for the consumer to reject; a reader failure is rethrown to the consumer after the frames read
/// before it. Disposing stops the thread and disposes the frames not taken.
/// </remarks>
internal sealed class DriftAhead : IDisposable
{
    private readonly BlockingCollection<(Frame Frame, DriftEstimate Drift)> _queue;
    private readonly TaskCompletionSource<IReadOnlyList<Outline>> _outlines = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _error;

    /// <param name="source">Frames in order (taken on this stage's thread).</param>
    /// <param name="measure">False: every drift is zero (drift correction off, <see cref="DriftMethod.Unmeasured"/>); nothing is measured.</param>
    /// <param name="capacity">Frames measured ahead of the consumer.</param>
    public DriftAhead(FramePrefetcher source, bool measure, int capacity = 2)
    {
        _queue = new BlockingCollection<(Frame, DriftEstimate)>(Math.Max(1, capacity));
        _thread = new Thread(() => Run(source, measure)) { IsBackground = true, Name = "stage-drift" };
        _thread.Start();
    }

    /// <summary>
    /// The outlines drawn on frame 0 (the particles the drift's support patches keep clear of). Call once, after taking
    /// frame 0; the drift of later frames is measured from then on.
    /// </summary>
    public void Begin(IReadOnlyList<Outline> outlines) => _outlines.TrySetResult(outlines);

    private void Run(FramePrefetcher source, bool measure)
    {
        StageDrift? drift = null;
        Frame? reference = null;
        var unmeasured = new DriftEstimate(new Point2d(double.NaN, double.NaN), DriftMethod.Unmeasured, 0);
        var zero = new DriftEstimate(new Point2d(0, 0), measure ? DriftMethod.Reference : DriftMethod.Unmeasured, 0);
        try
        {
            while (!_stop.IsCancellationRequested && source.TryTake(out var frame))
            {
                bool first = drift is null && reference is null;
                try
                {
                    var d = zero;
                    if (measure && first) reference = new Frame(frame.Index, frame.Pixels.Clone());
                    else if (measure) d = frame.Width == drift!.Width && frame.Height == drift.Height ? drift.Estimate(frame) : unmeasured;
                    _queue.Add((frame, d), _stop.Token);
                }
                catch
                {
                    frame.Dispose();
                    throw;
                }
                if (measure && first)
                {
                    var outlines = _outlines.Task.WaitAsync(_stop.Token).GetAwaiter().GetResult();
                    drift = new StageDrift(reference!, outlines);
                    reference!.Dispose();
                    reference = null;
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) { _error = ExceptionDispatchInfo.Capture(e); }
        finally
        {
            reference?.Dispose();
            drift?.Dispose();
            _queue.CompleteAdding();
        }
    }

    /// <summary>The next frame and its drift (the caller disposes the frame); false at the end. Rethrows a failure.</summary>
    public bool TryTake(out Frame frame, out DriftEstimate drift)
    {
        if (_queue.TryTake(out var item, Timeout.Infinite))
        {
            (frame, drift) = item;
            return true;
        }
        _error?.Throw();
        frame = null!;
        drift = default;
        return false;
    }

    public void Dispose()
    {
        _stop.Cancel();
        // Unblock a stage waiting on a full queue, then wait for it before freeing what is left.
        while (_thread.IsAlive)
        {
            while (_queue.TryTake(out var item)) item.Frame.Dispose();
            _thread.Join(10);
        }
        while (_queue.TryTake(out var item)) item.Frame.Dispose();
        _queue.Dispose();
        _stop.Dispose();
    }
}
