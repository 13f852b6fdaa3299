using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace TemAreaTracker.Pipeline;

/// <summary>
/// Reads frames on a thread of its own, a bounded few ahead of the consumer, so that decoding (JPEG, LZW, …) overlaps
/// tracking instead of adding to it. Memory stays bounded: at most <c>capacity</c> + 1 decoded frames exist at once.
/// </summary>
/// <remarks>
/// The movie is enumerated entirely on the reader thread (a reader that is not thread-safe is still used from one
/// thread only). An exception from the reader is rethrown to the consumer at the point in the stream where it
/// happened, after the frames read before it. Disposing stops the reader and disposes frames not taken.
/// </remarks>
internal sealed class FramePrefetcher : IDisposable
{
    private readonly BlockingCollection<Frame> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private ExceptionDispatchInfo? _error;

    public FramePrefetcher(IEnumerable<Frame> frames, int capacity = 2)
    {
        _queue = new BlockingCollection<Frame>(Math.Max(1, capacity));
        _reader = Task.Factory.StartNew(() => Read(frames), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Read(IEnumerable<Frame> frames)
    {
        try
        {
            foreach (var f in frames)
            {
                try { _queue.Add(f, _stop.Token); }
                catch (OperationCanceledException) { f.Dispose(); return; }
            }
        }
        catch (Exception e) { _error = ExceptionDispatchInfo.Capture(e); }
        finally { _queue.CompleteAdding(); }
    }

    /// <summary>The next frame (the caller disposes it); false at the end of the movie. Rethrows a reader failure.</summary>
    public bool TryTake(out Frame frame)
    {
        if (_queue.TryTake(out frame!, Timeout.Infinite)) return true;
        _error?.Throw();
        return false;
    }

    public void Dispose()
    {
        _stop.Cancel();
        // Unblock a reader waiting on a full queue, then wait for it to finish before freeing what is left.
        while (!_reader.IsCompleted)
        {
            while (_queue.TryTake(out var f)) f.Dispose();
            _reader.Wait(10);
        }
        while (_queue.TryTake(out var f)) f.Dispose();
        _queue.Dispose();
        _stop.Dispose();
    }
}
