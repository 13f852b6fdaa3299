using System.Globalization;
using System.Text;
using TemAreaTracker.IO;
using TemAreaTracker.Pipeline;
using TemAreaTracker.Simulation;
using TemAreaTracker.Tests.Fitting;

namespace TemAreaTracker.Tests.Safety;

/// <summary>
/// Inputs made once for the safety tests: simulated TIFF movies with their RoiSet.zip (a short one for runs that end, a
/// long one to interrupt at 20 %), and an areas.csv of several long curves for a fit whose bootstrap takes seconds.
/// </summary>
/// <remarks>
/// 224x192 px frames: the support around the particle is wide enough to register the drift on, so a complete run prints
/// no warning and stderr holds only the line under test.
/// </remarks>
public sealed class SafetyInputs : IDisposable
{
    public SafetyInputs()
    {
        Short = Simulate("short", frames: 30);
        Long = Simulate("long", frames: 200);
        var sb = new StringBuilder("particle,frame,time_s,area_px,area_nm2,quality\n");
        for (int k = 1; k <= 4; k++)
        {
            var (s, _) = SyntheticCurves.Sphere(seed: k, frames: 150, dCm2PerS: 5e-12, lNm: 50, relNoise: 0.02, particle: $"p{k}");
            for (int i = 0; i < s.Count; i++)
                sb.Append(CultureInfo.InvariantCulture, $"p{k},{i},{s.TimeS[i]:R},{s.AreaNm2[i] / 4:R},{s.AreaNm2[i]:R},ok\n");
        }
        AreasCsv = Path.Combine(Dir, "areas.csv");
        File.WriteAllText(AreasCsv, sb.ToString());
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("temtrack-safety-inputs-").FullName;

    /// <summary>30 frames: a run that completes in a second or two.</summary>
    public (string Movie, string Rois) Short { get; }

    /// <summary>200 frames: long enough to interrupt reliably at 20 %.</summary>
    public (string Movie, string Rois) Long { get; }

    /// <summary>4 particles x 150 points: with --bootstrap 20000, ~10 s of CPU.</summary>
    public string AreasCsv { get; }

    private (string Movie, string Rois) Simulate(string name, int frames)
    {
        var scenario = Scenarios.ByName("isolated", seed: 5, frames: frames, width: 224, height: 192);
        var written = SimulationExport.Write(scenario, Directory.CreateDirectory(Path.Combine(Dir, name)).FullName, MovieFileFormat.Tiff);
        return (written.MoviePath, written.RoiSetPath);
    }

    /// <summary>Copies the movie and ROIs into <paramref name="dir"/> under the given names.</summary>
    public static (string Movie, string Rois) CopyTo((string Movie, string Rois) from, string dir, string movieName = "movie.tif", string roisName = "RoiSet.zip")
    {
        Directory.CreateDirectory(dir);
        string movie = Path.Combine(dir, movieName), rois = Path.Combine(dir, roisName);
        File.Copy(from.Movie, movie);
        File.Copy(from.Rois, rois);
        return (movie, rois);
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
