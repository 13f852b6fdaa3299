using OpenCvSharp;
using TemAreaTracker.Pipeline;
using Xunit;

namespace TemAreaTracker.Tests.Pipeline;

public class FramePrefetcherTests
{
    private static Frame MakeFrame(int i) => new(i, new Mat(4, 4, MatType.CV_8UC1, Scalar.All(i)));

    private static IEnumerable<Frame> Frames(int count, bool failAtEnd)
    {
        for (int i = 0; i < count; i++) yield return MakeFrame(i);
        if (failAtEnd) throw new InvalidDataException("truncated at frame " + count);
    }

    [Fact]
    public void DeliversEveryFrameInOrder()
    {
        using var p = new FramePrefetcher(Frames(20, failAtEnd: false), capacity: 2);
        int expected = 0;
        while (p.TryTake(out var f)) using (f) Assert.Equal(expected++, f.Index);
        Assert.Equal(20, expected);
        Assert.False(p.TryTake(out _));
    }

    [Fact]
    public void AReaderFailureComesAfterTheFramesReadBeforeIt()
    {
        using var p = new FramePrefetcher(Frames(5, failAtEnd: true), capacity: 2);
        int taken = 0;
        var e = Assert.Throws<InvalidDataException>(() => { while (p.TryTake(out var f)) { f.Dispose(); taken++; } });
        Assert.Equal(5, taken);
        Assert.Contains("frame 5", e.Message);
    }

    [Fact]
    public void DisposingEarlyStopsTheReaderAndFreesQueuedFrames()
    {
        var made = new List<Frame>();
        IEnumerable<Frame> Endless() { for (int i = 0; ; i++) { var f = MakeFrame(i); lock (made) made.Add(f); yield return f; } }
        var p = new FramePrefetcher(Endless(), capacity: 2);
        Assert.True(p.TryTake(out var first));
        first.Dispose();
        p.Dispose();
        lock (made)
        {
            Assert.InRange(made.Count, 1, 5); // bounded read-ahead
            Assert.All(made, f => Assert.True(f.Pixels.IsDisposed));
        }
    }
}
