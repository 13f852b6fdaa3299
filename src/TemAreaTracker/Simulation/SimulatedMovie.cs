namespace TemAreaTracker.Simulation;

/// <summary>
/// A simulated movie read like any other <see cref="Movie"/>, rendered on the fly (nothing written to disk): for
/// feeding the tracker in tests and benchmarks, with <see cref="Truth"/> beside it.
/// </summary>
/// <example><code>
/// using var movie = new SimulatedMovie(Scenarios.ElectrochemicalCluster(seed: 7));
/// var outlines = HandOutlines.Draw(movie.Truth);
/// foreach (var r in TrackPipeline.Track(movie.ReadFrames(), outlines)) { ... movie.Truth.AreaPx(name)[r.Frame] ... }
/// </code></example>
public sealed class SimulatedMovie : Movie
{
    /// <summary>Wraps <paramref name="scenario"/> (validated; its truth is computed once).</summary>
    public SimulatedMovie(SimulationScenario scenario) : base(HeaderOf(scenario))
    {
        Scenario = scenario;
        Truth = GroundTruth.Compute(scenario);
    }

    public SimulationScenario Scenario { get; }

    /// <summary>The ground truth of every frame.</summary>
    public GroundTruth Truth { get; }

    private static MovieHeader HeaderOf(SimulationScenario scenario) =>
        new($"simulation:{scenario.Name}:seed={scenario.Seed}", "simulation", scenario.Width, scenario.Height, scenario.Frames,
            scenario.BitDepth == 16 ? "uint16" : "uint8",
            new Calibration
            {
                PixelWidthNm = scenario.PixelSizeNm,
                PixelHeightNm = scenario.PixelSizeNm,
                PixelSizeSource = "simulation",
                FrameIntervalS = scenario.FrameIntervalS,
                FrameIntervalSource = "simulation",
            });

    /// <summary>Renders the frames in order (each call starts again from frame 0, with the same bytes).</summary>
    public override IEnumerable<Frame> ReadFrames() => MovieSimulator.Render(Scenario, Truth);
}
