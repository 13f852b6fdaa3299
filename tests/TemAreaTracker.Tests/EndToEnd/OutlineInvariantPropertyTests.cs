using TemAreaTracker.IO;
using TemAreaTracker.Pipeline;
using TemAreaTracker.Simulation;
using TemAreaTracker.Tests.Segmentation;
using TemAreaTracker.Tracking;
using Xunit;

namespace TemAreaTracker.Tests.EndToEnd;

/// <summary>
/// Every outline the tracker emits obeys the outline invariant (simple, clockwise on screen, shoelace area = filled
/// mask area): over simulated accuracy cases (isolated, touching cluster with its whole-cluster outline, overlapping
/// pair; both contrasts, two doses) and over --auto runs on every sample movie (where outlines used to wind round their
/// particle two or three times while flagged ok).
/// </summary>
public class OutlineInvariantPropertyTests
{
    private static void AssertEveryOutline(IEnumerable<FrameResult> frames, string what)
    {
        int checkedOutlines = 0;
        foreach (var r in frames)
            foreach (var m in r.Particles)
            {
                if (m.Quality is TrackQuality.Lost or TrackQuality.OutOfView) continue;
                OutlineInvariantTests.AssertHolds(m.Outline.VerticesPx, $"{what} {m.Particle} frame {r.Frame}");
                Assert.Equal(Math.Abs(Outline.SignedAreaPx(m.Outline.VerticesPx)), m.AreaPx, 6);
                checkedOutlines++;
            }
        Assert.True(checkedOutlines > 0, $"{what}: no outline tracked");
    }

    [Theory]
    [InlineData("isolated", 1000, false)]
    [InlineData("cluster", 1000, false)]
    [InlineData("cluster", 300, true)]
    [InlineData("unseen-pair", 300, false)]
    public void SimulatedCases_EveryTrackedOutlineHoldsTheInvariant(string scenario, double dose, bool inverted)
    {
        var c = new AccuracyCase(scenario, dose, 0.2, inverted);
        var s = AccuracyMatrix.Build(c, seed: 2, frames: 16);
        var truth = GroundTruth.Compute(s);
        AssertEveryOutline(TrackPipeline.Track(MovieSimulator.Render(s, truth), HandOutlines.Draw(truth)), c.Label);
    }

    public static TheoryData<string> SampleMovies() => new()
    {
        "01-electrochemical-cluster", "02-redistribution", "03-chemical-vs-electrochemical/chemical", "03-chemical-vs-electrochemical/electrochemical",
    };

    [Theory]
    [MemberData(nameof(SampleMovies))]
    public void AutoOnSampleMovies_EveryTrackedOutlineHoldsTheInvariant(string sample)
    {
        string dir = Path.Combine(Pipeline.TrackToFitInProcessTests.SampleMovies(), sample);
        using var movie = MovieReader.Open(Path.Combine(dir, "movie.tif"));
        using var first = movie.ReadFrames().First();
        var detected = global::TemAreaTracker.Segmentation.ParticleDetector.Detect(first);
        Assert.NotEmpty(detected);
        using var again = MovieReader.Open(Path.Combine(dir, "movie.tif"));
        AssertEveryOutline(TrackPipeline.Track(again.ReadFrames(), detected), "--auto " + sample);
    }
}
