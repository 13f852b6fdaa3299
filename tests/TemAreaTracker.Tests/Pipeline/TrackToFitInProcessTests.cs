using TemAreaTracker.Fitting;
using TemAreaTracker.IO;
using TemAreaTracker.Measurement;
using TemAreaTracker.Pipeline;
using TemAreaTracker.Tests.Measurement;
using Xunit;

namespace TemAreaTracker.Tests.Pipeline;

/// <summary>sample-movies/03-chemical-vs-electrochemical/chemical tracked once for the tests of this class.</summary>
public sealed class TrackedChemicalSample : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("track-fit-").FullName;
    public TrackResult Track { get; }
    public string AreasCsv => Path.Combine(Track.OutputDirectory, TrackPipeline.AreasCsv);

    public TrackedChemicalSample()
    {
        string sample = Path.Combine(TrackToFitInProcessTests.SampleMovies(), "03-chemical-vs-electrochemical", "chemical");
        using var movie = MovieReader.Open(Path.Combine(sample, "movie.tif"));
        Track = TrackPipeline.Run(new TrackRequest
        {
            Movie = movie,
            Outlines = ImageJRoi.Read(Path.Combine(sample, "RoiSet.zip")),
            OutputDirectory = Path.Combine(Root, "track"),
            WriteOverlayVideo = false,
        });
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>
/// Track → fit in one process: the curves built from a run's rows are those its areas.csv reads back as, and they fit
/// to the same fit.json, on a sample movie of the repository.
/// </summary>
public sealed class TrackToFitInProcessTests(TrackedChemicalSample sample) : IClassFixture<TrackedChemicalSample>
{
    /// <summary>sample-movies/ of the repository (found upward from the test binaries).</summary>
    internal static string SampleMovies()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "sample-movies"))) return Path.Combine(d.FullName, "sample-movies");
        throw new DirectoryNotFoundException("sample-movies/ not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void SampleMovie_InProcessCurves_EqualTheCsvRoundTrip_AndFitTheSame()
    {
        string csv = sample.AreasCsv;
        var curves = AreaCurves.FromRows(sample.Track.Rows, csv);
        AreaCurvesTests.AssertSame(AreaCsvReader.Read(csv), curves);
        Assert.Equal(2, curves.Series.Count);
        Assert.All(curves.Series, s => Assert.Equal(60, s.Count));

        var options = new FitOptions { BootstrapResamples = 0 };
        var viaCsv = FitPipeline.Run(new FitRequest { AreasCsv = csv, OutputDirectory = Path.Combine(sample.Root, "fit-csv"), Options = options });
        var inProcess = FitPipeline.Run(new FitRequest { AreasCsv = csv, Areas = curves, OutputDirectory = Path.Combine(sample.Root, "fit-mem"), Options = options });
        foreach (var file in new[] { FitPipeline.FitJsonFile, FitPipeline.FitCsv })
            Assert.Equal(File.ReadAllText(Path.Combine(viaCsv.OutputDirectory, file)), File.ReadAllText(Path.Combine(inProcess.OutputDirectory, file)));
        Assert.Equal(viaCsv.Fits.Select(f => f.DiffusivityCm2PerS), inProcess.Fits.Select(f => f.DiffusivityCm2PerS));
    }

    [Fact]
    public void SampleMovie_FitOfTheRoundedCsv_MatchesTheFitOfFullPrecisionRows_RelativeDWithin1e4()
    {
        // areas.csv holds times to 1 µs and areas to 7 significant digits; fitting the tracker's full-precision
        // numbers instead must give the same D to far better than any interval.
        var options = new FitOptions { BootstrapResamples = 0, Parallel = false };
        var rounded = AreaCsvReader.Read(sample.AreasCsv).Series;
        foreach (var name in rounded.Select(s => s.Particle))
        {
            var rows = sample.Track.Rows.Where(r => r.Particle == name && r.HasArea).OrderBy(r => r.Frame).ToList();
            var full = new AreaSeries(name, rows.Select(r => r.TimeS).ToArray(), rows.Select(r => r.AreaNm2).ToArray(), rows.Select(r => r.AreaSigmaNm2).ToArray());
            Assert.Contains(full.TimeS, t => t.ToString("R", System.Globalization.CultureInfo.InvariantCulture).Length > 12); // not already round
            double dFull = DiffusionFitter.Fit(full, options: options).DiffusivityNm2PerS;
            double dCsv = DiffusionFitter.Fit(rounded.Single(s => s.Particle == name), options: options).DiffusivityNm2PerS;
            Assert.True(Math.Abs(dCsv / dFull - 1) < 1e-4, $"{name}: D {dCsv:R} from areas.csv vs {dFull:R} at full precision");
        }
    }
}
