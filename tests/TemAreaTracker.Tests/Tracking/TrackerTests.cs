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
        var m = tracker.Process(frame).Particles[0];
        double truth = Math.PI * r * r;
        output.WriteLine($"r={r} blur={blur} lambda={lambda} noise={noise} grow={grow}: area {m.AreaPx:0.0} vs {truth:0.0} ({(m.AreaPx / truth - 1) * 100:0.00}%) model {tracker.EdgeModels[0]}");
        Assert.Equal(TrackQuality.Ok, m.Quality);
        Assert.InRange(m.AreaPx / truth - 1, -0.01, 0.01);
    }
}
