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
    public SimulatedMovie(SimulationScenario scenario)
    {
        Scenario = scenario;
        Truth = GroundTruth.Compute(scenario);
        Calibration = new Calibration
        {
            PixelWidthNm = scenario.PixelSizeNm,
            PixelHeightNm = scenario.PixelSizeNm,
            PixelSizeSource = "simulation",
            FrameIntervalS = scenario.FrameIntervalS,
            FrameIntervalSource = "simulation",
        };
    }

    public SimulationScenario Scenario { get; }

    /// <summary>The ground truth of every frame.</summary>
    public GroundTruth Truth { get; }

    public override string SourcePath => $"simulation:{Scenario.Name}:seed={Scenario.Seed}";
    public override string Format => "simulation";
    public override int Width => Scenario.Width;
    public override int Height => Scenario.Height;
    public override int? FrameCount => Scenario.Frames;
    public override string DataType => Scenario.BitDepth == 16 ? "uint16" : "uint8";
    public override Calibration Calibration { get; }

    /// <summary>Renders the frames in order (each call starts again from frame 0, with the same bytes).</summary>
    public override IEnumerable<Frame> ReadFrames() => MovieSimulator.Render(Scenario, Truth);
}
