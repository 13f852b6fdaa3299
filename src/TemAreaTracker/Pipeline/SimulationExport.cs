using TemAreaTracker.IO;
using TemAreaTracker.Simulation;

namespace TemAreaTracker.Pipeline;

/// <summary>What <see cref="SimulationExport.Write"/> produced.</summary>
/// <param name="MoviePath">movie.tif / movie.avi / the movie/ folder of PNGs.</param>
/// <param name="RoiSetPath">RoiSet.zip with the hand-drawn outlines of frame 0.</param>
/// <param name="TruthPath">truth.json.</param>
/// <param name="Truth">The ground truth written.</param>
/// <param name="Outlines">The outlines written to RoiSet.zip.</param>
public sealed record SimulationOutput(string MoviePath, string RoiSetPath, string TruthPath, GroundTruth Truth, IReadOnlyList<Outline> Outlines);

/// <summary>Renders a scenario and writes movie, RoiSet.zip and truth.json into a folder.</summary>
internal static class SimulationExport
{
    /// <summary>
    /// Writes <paramref name="scenario"/> into the existing folder <paramref name="dir"/>: the movie (named "movie" +
    /// extension, or a "movie" folder of PNGs), RoiSet.zip and truth.json. Frames are streamed.
    /// </summary>
    /// <param name="scenario">What to render.</param>
    /// <param name="dir">Existing folder to write into (the CLI passes a temporary folder and renames it).</param>
    /// <param name="format">Movie container.</param>
    /// <param name="progress">Called after each frame with its index (may be null).</param>
    public static SimulationOutput Write(SimulationScenario scenario, string dir, MovieFileFormat format, Action<int>? progress = null)
    {
        var truth = GroundTruth.Compute(scenario);
        string moviePath = Path.Combine(dir, "movie" + MovieWriter.Extension(format));
        using (var writer = MovieWriter.Create(moviePath, format, scenario.Width, scenario.Height, scenario.BitDepth,
                   scenario.Frames, scenario.PixelSizeNm, scenario.FrameIntervalS))
        {
            foreach (var frame in MovieSimulator.Render(scenario, truth))
                using (frame)
                {
                    writer.Write(frame);
                    progress?.Invoke(frame.Index);
                }
        }
        var outlines = HandOutlines.Draw(truth, frame: 0);
        string roiPath = Path.Combine(dir, "RoiSet.zip");
        ImageJRoi.WriteRoiSet(roiPath, outlines);
        string truthPath = Path.Combine(dir, "truth.json");
        TruthJson.Write(truthPath, truth, outlines.Select(o => o.Name));
        return new SimulationOutput(moviePath, roiPath, truthPath, truth, outlines);
    }
}
