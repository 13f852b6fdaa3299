using TemAreaTracker.Segmentation;
using Xunit;
using static TemAreaTracker.Tests.Tracking.SphereImages;

namespace TemAreaTracker.Tests.Segmentation;

public class ParticleDetectorTests
{
    // Small and large spheres, shot noise, one sphere cut by the frame edge (not a particle to track): the smoothing
    // that tames real bright-field noise must neither lose a small particle nor merge two close ones.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Detect_NoisySpheres_FindsEachOnceAndSkipsTheCutOne(bool inverted)
    {
        Sphere[] spheres = [new(60, 50, 12, 20), new(150, 60, 25, 30), new(90, 125, 18, 25), new(131, 130, 14, 20), new(235, 90, 20, 25)];
        using var frame = Render(0, 240, 180, spheres, 1.2, dosePerPx: 200, seed: 5, inverted: inverted);
        var found = ParticleDetector.Detect(frame);
        Assert.Equal(4, found.Count);
        // The detector's outlines are starting points; what --auto reports is the tracker's first-frame refinement
        // (within 5 % here: the small spheres start 4-5 px inside their rim and are not captured to the 1 % of
        // hand-drawn outlines within 3 px).
        using var tracker = new TemAreaTracker.Tracking.Tracker(found);
        var measured = tracker.Process(frame, default).Particles;
        foreach (var s in spheres.Take(4))
        {
            var m = Assert.Single(measured, o => Math.Abs(o.Outline.Centroid.X - s.X) < 2 && Math.Abs(o.Outline.Centroid.Y - s.Y) < 2);
            Assert.InRange(m.AreaPx / (Math.PI * s.RadiusPx * s.RadiusPx) - 1, -0.05, 0.05);
        }
    }

    [Fact]
    public void Detect_NonPositiveSmoothing_IsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            using var frame = Render(0, 64, 48, [new Sphere(32, 24, 8)]);
            ParticleDetector.Detect(frame, smoothingPx: 0);
        });
}
