using TemAreaTracker.IO;
using TemAreaTracker.Simulation;

namespace TemAreaTracker.Pipeline;

/// <summary>Everything a simulate run needs.</summary>
public sealed record SimulateRequest
{
    /// <summary>What to render.</summary>
    public required SimulationScenario Scenario { get; init; }

    /// <summary>Output folder for the movie, RoiSet.zip and truth.json; must not exist unless <see cref="Overwrite"/>.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Replace an existing output folder (only once the new one is complete).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Movie container.</summary>
    public MovieFileFormat Format { get; init; } = MovieFileFormat.Tiff;
}

/// <summary>
/// The <c>simulate</c> stage: renders a TEM movie of lithiating Si particles with its ground truth and writes the movie,
/// RoiSet.zip (hand-drawn outlines of frame 0) and truth.json into an output folder, written atomically.
/// </summary>
public static class SimulatePipeline
{
    /// <summary>
    /// Everything a simulate run may write into its folder, whatever the format (an unmarked folder holding only these may
    /// be replaced): movie.tif, movie.avi or a movie/ folder of PNGs, RoiSet.zip, truth.json.
    /// </summary>
    public static IReadOnlyList<string> OutputFiles { get; } = ["movie.tif", "movie.avi", "movie/", "RoiSet.zip", "truth.json"];

    /// <summary>Runs the simulation; the paths returned are in the finished output folder.</summary>
    /// <exception cref="ArgumentException">The scenario is invalid.</exception>
    /// <exception cref="IOException">The output exists and <see cref="SimulateRequest.Overwrite"/> is false, or writing failed.</exception>
    /// <exception cref="RunInterruptedException"><paramref name="cancellationToken"/> was cancelled; nothing was written.</exception>
    public static SimulationOutput Run(SimulateRequest request, CancellationToken cancellationToken = default)
    {
        var output = new OutputFolder(request.OutputDirectory, request.Overwrite, "simulate", OutputFiles);
        output.EnsureFree();
        var scenario = request.Scenario;
        if (scenario.Validate() is string problem) throw new ArgumentException($"scenario {scenario.Name}: {problem}");
        int framesDone = 0;
        var written = output.Write(tmp => SimulationExport.Write(scenario, tmp, request.Format, k =>
        {
            framesDone = k + 1;
            if (cancellationToken.IsCancellationRequested)
                throw new RunInterruptedException($"interrupted at frame {framesDone} of {scenario.Frames}", cancellationToken);
        }), cancellationToken);
        string In(string path) => Path.Combine(output.FullPath, Path.GetFileName(path));
        return written with { MoviePath = In(written.MoviePath), RoiSetPath = In(written.RoiSetPath), TruthPath = In(written.TruthPath) };
    }
}
