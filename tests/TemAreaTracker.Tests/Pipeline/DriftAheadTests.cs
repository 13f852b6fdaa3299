using OpenCvSharp;
using TemAreaTracker.Registration;
using TemAreaTracker.Pipeline;
using Xunit;

namespace TemAreaTracker.Tests.Pipeline;

public class DriftAheadTests
{
    /// <summary>Blurred noise moving (1.5, −1) px a frame, 8-bit, 256² (or another size from frame <paramref name="resizeAt"/> on).</summary>
    private static IEnumerable<Frame> Moving(int count, bool failAtEnd = false, int resizeAt = -1)
    {
        using var texture = new Mat(400, 400, MatType.CV_32FC1);
        Cv2.Randu(texture, 0, 255);
        Cv2.GaussianBlur(texture, texture, new Size(0, 0), 3);
        Cv2.Normalize(texture, texture, 20, 235, NormTypes.MinMax);
        for (int i = 0; i < count; i++)
        {
            int size = resizeAt >= 0 && i >= resizeAt ? 200 : 256;
            using var crop = new Mat(texture, new Rect(40 + (int)(1.5 * i), 60 - i, size, size));
            var f = new Mat();
            crop.ConvertTo(f, MatType.CV_8UC1);
            yield return new Frame(i, f);
        }
        if (failAtEnd) throw new InvalidDataException("truncated at frame " + count);
    }

    [Fact]
    public void DeliversEveryFrameInOrderWithTheDriftAStageDriftGives()
    {
        var expected = new List<Point2d>();
        using (var serial = new FramePrefetcher(Moving(12)))
        {
            StageDrift? d = null;
            while (serial.TryTake(out var f))
                using (f)
                {
                    if (d is null) { d = new StageDrift(f, []); expected.Add(new Point2d(0, 0)); }
                    else expected.Add(d.Estimate(f).Px);
                }
            d?.Dispose();
        }
        using var frames = new FramePrefetcher(Moving(12));
        using var ahead = new DriftAhead(frames, measure: true);
        int k = 0;
        while (ahead.TryTake(out var f, out var drift))
            using (f)
            {
                if (k == 0) ahead.Begin([]);
                Assert.Equal(k, f.Index);
                Assert.Equal(expected[k], drift.Px);
                Assert.Equal(k == 0 ? DriftMethod.Reference : DriftMethod.Support, drift.Method);
                k++;
            }
        Assert.Equal(12, k);
        Assert.InRange(expected[^1].X, 11 * -1.5 - 1, 11 * -1.5 + 1); // content moves left as the crop moves right
    }

    /// <summary>The support patches keep clear of the outlines, which the consumer reads or detects on frame 0.</summary>
    [Fact]
    public async Task LaterFramesWaitForTheOutlines()
    {
        using var frames = new FramePrefetcher(Moving(4));
        using var ahead = new DriftAhead(frames, measure: true);
        Assert.True(ahead.TryTake(out var first, out var zero));
        first.Dispose();
        Assert.Equal(DriftMethod.Reference, zero.Method);
        var next = Task.Run(() => { bool got = ahead.TryTake(out var f, out var d); f?.Dispose(); return (got, d); });
        Assert.NotSame(next, await Task.WhenAny(next, Task.Delay(300))); // frame 1 is not measured before the outlines are known
        ahead.Begin([]);
        var (got, d) = await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(got);
        Assert.Equal(DriftMethod.Support, d.Method);
    }

    [Fact]
    public void WithoutMeasuringEveryDriftIsZero()
    {
        using var frames = new FramePrefetcher(Moving(4));
        using var ahead = new DriftAhead(frames, measure: false);
        while (ahead.TryTake(out var f, out var drift)) using (f) Assert.Equal(new Point2d(0, 0), drift.Px);
    }

    [Fact]
    public void AFrameOfAnotherSizeIsPassedOnUnmeasured()
    {
        using var frames = new FramePrefetcher(Moving(5, resizeAt: 3));
        using var ahead = new DriftAhead(frames, measure: true);
        var drifts = new List<Point2d>();
        while (ahead.TryTake(out var f, out var drift))
            using (f)
            {
                if (drifts.Count == 0) ahead.Begin([]);
                drifts.Add(drift.Px);
            }
        Assert.Equal(5, drifts.Count);
        Assert.True(double.IsFinite(drifts[2].X));
        Assert.True(double.IsNaN(drifts[3].X) && double.IsNaN(drifts[4].Y));
    }

    [Fact]
    public void AReaderFailureComesAfterTheFramesReadBeforeIt()
    {
        using var frames = new FramePrefetcher(Moving(5, failAtEnd: true));
        using var ahead = new DriftAhead(frames, measure: true);
        int taken = 0;
        var e = Assert.Throws<InvalidDataException>(() => { while (ahead.TryTake(out var f, out _)) { f.Dispose(); if (taken++ == 0) ahead.Begin([]); } });
        Assert.Equal(5, taken);
        Assert.Contains("frame 5", e.Message);
    }

    [Fact]
    public void DisposingEarlyStopsAndFreesQueuedFrames()
    {
        var made = new List<Frame>();
        IEnumerable<Frame> Endless() { foreach (var f in Moving(int.MaxValue)) { lock (made) made.Add(f); yield return f; } }
        var frames = new FramePrefetcher(Endless());
        var ahead = new DriftAhead(frames, measure: true);
        Assert.True(ahead.TryTake(out var first, out _));
        first.Dispose();
        ahead.Dispose();
        frames.Dispose();
        lock (made)
        {
            Assert.InRange(made.Count, 1, 9); // bounded read-ahead
            Assert.All(made, f => Assert.True(f.Pixels.IsDisposed));
        }
    }
}
