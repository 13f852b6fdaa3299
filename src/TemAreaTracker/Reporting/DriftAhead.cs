using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using OpenCvSharp;
using TemAreaTracker.Registration;

namespace TemAreaTracker.Reporting;

/// <summary>
/// Measures each frame's stage drift (<see cref="StageDrift"/>, against frame 0) on a thread of its own, between the
/// frame reader and the tracker: drift depends only on the frames, so it is measured a frame or two ahead while the
/// tracker works on the previous one, instead of before each frame on the tracking thread.
/// </summary>
/// <remarks>
/// A bounded queue (at most <c>capacity</c> frames waiting, plus the one being measured). A frame whose size differs
/// from frame 0 is passed on unmeasured (NaN drift) for the consumer to reject; a reader failure is rethrown to the
/// consumer after the frames read before it. Disposing stops the thread and disposes the frames not taken.
/// </remarks>
internal sealed class DriftAhead : IDisposable
{
    private readonly BlockingCollection<(Frame Frame, Point2d Drift)> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _error;

    /// <param name="source">Frames in order (taken on this stage's thread).</param>
    /// <param name="measure">False: every drift is zero (drift correction off); nothing is measured.</param>
    /// <param name="capacity">Frames measured ahead of the consumer.</param>
    public DriftAhead(FramePrefetcher source, bool measure, int capacity = 2)
    {
        _queue = new BlockingCollection<(Frame, Point2d)>(Math.Max(1, capacity));
        _thread = new Thread(() => Run(source, measure)) { IsBackground = true, Name = "stage-drift" };
        _thread.Start();
    }

    private void Run(FramePrefetcher source, bool measure)
    {
        StageDrift? drift = null;
        try
        {
            while (!_stop.IsCancellationRequested && source.TryTake(out var frame))
            {
                var d = new Point2d(0, 0);
                try
                {
                    if (measure)
                    {
                        if (drift is null) drift = new StageDrift(frame);
                        else if (frame.Width == drift.Width && frame.Height == drift.Height) d = drift.Estimate(frame);
                        else d = new Point2d(double.NaN, double.NaN);
                    }
                    _queue.Add((frame, d), _stop.Token);
                }
                catch
                {
                    frame.Dispose();
                    throw;
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) { _error = ExceptionDispatchInfo.Capture(e); }
        finally
        {
            drift?.Dispose();
            _queue.CompleteAdding();
        }
    }

    /// <summary>The next frame and its drift (the caller disposes the frame); false at the end. Rethrows a failure.</summary>
    public bool TryTake(out Frame frame, out Point2d driftPx)
    {
        if (_queue.TryTake(out var item, Timeout.Infinite))
        {
            (frame, driftPx) = item;
            return true;
        }
        _error?.Throw();
        frame = null!;
        driftPx = default;
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
