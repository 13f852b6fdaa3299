using TemAreaTracker.Fitting;
using TemAreaTracker.IO;
using TemAreaTracker.Measurement;
using TemAreaTracker.Pipeline;
using TemAreaTracker.Tests.Measurement;
using Xunit;

namespace TemAreaTracker.Tests.Pipeline;

/// <summary>
/// Track → fit in one process: the curves built from a run's rows are those its areas.csv reads back as, and they fit
/// to the same fit.json, on a sample movie of the repository.
/// </summary>
public sealed class TrackToFitInProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("track-fit-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>sample-movies/ of the repository (found upward from the test binaries).</summary>
    private static string SampleMovies()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "sample-movies"))) return Path.Combine(d.FullName, "sample-movies");
        throw new DirectoryNotFoundException("sample-movies/ not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void SampleMovie_InProcessCurves_EqualTheCsvRoundTrip_AndFitTheSame()
    {
        string sample = Path.Combine(SampleMovies(), "03-chemical-vs-electrochemical", "chemical");
        using var movie = MovieReader.Open(Path.Combine(sample, "movie.tif"));
        var track = TrackPipeline.Run(new TrackRequest
        {
            Movie = movie,
            Outlines = ImageJRoi.Read(Path.Combine(sample, "RoiSet.zip")),
            OutputDirectory = Path.Combine(_root, "track"),
            WriteOverlayVideo = false,
        });
        string csv = Path.Combine(track.OutputDirectory, TrackPipeline.AreasCsv);
        var curves = AreaCurves.FromRows(track.Rows, csv);
        AreaCurvesTests.AssertSame(AreaCsvReader.Read(csv), curves);
        Assert.Equal(2, curves.Series.Count);
        Assert.All(curves.Series, s => Assert.Equal(60, s.Count));

        var options = new FitOptions { BootstrapResamples = 0 };
        var viaCsv = FitPipeline.Run(new FitRequest { AreasCsv = csv, OutputDirectory = Path.Combine(_root, "fit-csv"), Options = options });
        var inProcess = FitPipeline.Run(new FitRequest { AreasCsv = csv, Areas = curves, OutputDirectory = Path.Combine(_root, "fit-mem"), Options = options });
        foreach (var file in new[] { FitPipeline.FitJsonFile, FitPipeline.FitCsv })
            Assert.Equal(File.ReadAllText(Path.Combine(viaCsv.OutputDirectory, file)), File.ReadAllText(Path.Combine(inProcess.OutputDirectory, file)));
        Assert.Equal(viaCsv.Fits.Select(f => f.DiffusivityCm2PerS), inProcess.Fits.Select(f => f.DiffusivityCm2PerS));
    }
}
