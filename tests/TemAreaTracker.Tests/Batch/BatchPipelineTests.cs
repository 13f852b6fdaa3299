using System.Text.Json;
using TemAreaTracker.Pipeline.Batch;
using Xunit;

namespace TemAreaTracker.Tests.Batch;

/// <summary>
/// <see cref="BatchPipeline"/> in process on tiny simulated movies with the real readers, tracker and fitter: failures
/// stay per movie, reruns resume, changed inputs are redone, and summary.csv does not depend on jobs or shards.
/// </summary>
public sealed class BatchPipelineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("temtrack-batch-").FullName;
    private string Input => Path.Combine(_dir, "in");
    private static readonly BatchOptions Fast = new() { Jobs = 1, BootstrapResamples = 20, WriteOverlayVideo = false };

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>chemical/a.tif + a.zip, chemical/b.tif + b.zip, electro/movie.tif + RoiSet.zip.</summary>
    private void ThreeMovies()
    {
        BatchFixtures.WriteMovie(Path.Combine(Input, "chemical", "a.tif"), Path.Combine(Input, "chemical", "a.zip"), seed: 1);
        BatchFixtures.WriteMovie(Path.Combine(Input, "chemical", "b.tif"), Path.Combine(Input, "chemical", "b.zip"), seed: 2);
        BatchFixtures.WriteMovie(Path.Combine(Input, "electro", "movie.tif"), Path.Combine(Input, "electro", "RoiSet.zip"), seed: 3);
    }

    private static string Read(string path) => File.ReadAllText(path);

    [Fact]
    public void Batch_ThreeMovies_WritesPerMovieOutputsAndTables()
    {
        ThreeMovies();
        string outDir = Path.Combine(_dir, "out");
        var r = BatchPipeline.Run(Input, outDir, Fast with { Compare = [("chemical", "electro")] });

        Assert.Equal(["chemical__a.tif", "chemical__b.tif", "electro__movie.tif"], r.Movies.Select(m => m.Id));
        Assert.All(r.Movies, m => Assert.Equal(BatchStatus.Done, m.Status));
        foreach (var id in r.Movies.Select(m => m.Id))
        {
            foreach (var f in new[] { "track/areas.csv", "track/run.json", "track/outlines.zip", "track/contact-sheet.png", "fit/fit.json", "fit/fit.png", "status.json", "preview/frames.json" })
                Assert.True(File.Exists(Path.Combine(outDir, id, f)), $"{id}/{f} missing");
        }
        var movies = File.ReadAllLines(Path.Combine(outDir, "movies.csv"));
        Assert.Equal("movie,condition,status,error,frames,elapsed_s", movies[0]);
        Assert.StartsWith("chemical__a.tif,chemical,done,,10,", movies[1]);
        var summary = File.ReadAllLines(Path.Combine(outDir, "summary.csv"));
        Assert.Equal("movie,condition,particle,A0_nm2,A_final_nm2,growth_pct,D_cm2_s,D_ci95_low_cm2_s,D_ci95_high_cm2_s,diffusion_length_nm,model,ok_frames_pct", summary[0]);
        Assert.Equal(4, summary.Length); // one particle per movie
        var electro = summary.Single(l => l.StartsWith("electro__movie.tif,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(["electro__movie.tif", "electro", "p1"], electro[..3]);
        Assert.True(double.Parse(electro[5], System.Globalization.CultureInfo.InvariantCulture) > 5, $"growth {electro[5]} %");
        Assert.True(double.Parse(electro[6], System.Globalization.CultureInfo.InvariantCulture) > 0, $"D {electro[6]}");
        Assert.Equal("sphere-diffusion", electro[10]);
        using var cmp = JsonDocument.Parse(Read(Path.Combine(outDir, "compare", "chemical_vs_electro", "compare.json")));
        Assert.True(File.Exists(Path.Combine(outDir, "compare", "chemical_vs_electro", "compare.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "report.html")));
        Assert.Empty(Directory.GetDirectories(outDir, ".*partial*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Batch_CorruptMovieAndMovieWithoutOutlines_FailAndSkipAlone()
    {
        BatchFixtures.WriteMovie(Path.Combine(Input, "good.tif"), Path.Combine(Input, "good.zip"), seed: 4);
        BatchFixtures.WriteCorruptTiff(Path.Combine(Input, "corrupt.tif"));
        File.Copy(Path.Combine(Input, "good.zip"), Path.Combine(Input, "corrupt.zip"));
        BatchFixtures.WriteMovie(Path.Combine(Input, "bare.tif"), null, seed: 5);
        string outDir = Path.Combine(_dir, "out");

        var r = BatchPipeline.Run(Input, outDir, Fast);

        var byId = r.Movies.ToDictionary(m => m.Id);
        Assert.Equal(BatchStatus.Done, byId["good.tif"].Status);
        Assert.Equal(BatchStatus.Failed, byId["corrupt.tif"].Status);
        Assert.Contains("corrupt.tif", byId["corrupt.tif"].Error);
        Assert.DoesNotContain('\n', byId["corrupt.tif"].Error!);
        Assert.Equal(BatchStatus.Skipped, byId["bare.tif"].Status);
        Assert.Contains("no outlines", byId["bare.tif"].Error);
        Assert.Equal(1, r.Failed);
        var movies = File.ReadAllLines(Path.Combine(outDir, "movies.csv"));
        Assert.Contains(movies, l => l.StartsWith("bare.tif,in,skipped,", StringComparison.Ordinal));
        Assert.Contains(movies, l => l.StartsWith("corrupt.tif,in,failed,", StringComparison.Ordinal));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(outDir, "summary.csv")).Length); // header + good's particle
        Assert.False(Directory.Exists(Path.Combine(outDir, "corrupt.tif", "track")), "no half-written track output for the corrupt movie");
        Assert.Empty(Directory.GetDirectories(outDir, ".*partial*", SearchOption.AllDirectories));

        // --auto runs the movie without outlines instead.
        var auto = BatchPipeline.Run(Input, outDir, Fast with { Auto = true });
        Assert.Equal(BatchStatus.Done, auto.Movies.Single(m => m.Id == "bare.tif").Status);
        Assert.True(auto.Movies.Single(m => m.Id == "good.tif").Reused);
    }

    [Fact]
    public void Batch_Rerun_ReusesUnchanged_RedoesChangedInput_ForceRedoesAll()
    {
        ThreeMovies();
        string outDir = Path.Combine(_dir, "out");
        BatchPipeline.Run(Input, outDir, Fast);
        string runJson(string id) => Path.Combine(outDir, id, "track", "run.json");
        var before = new[] { "chemical__a.tif", "chemical__b.tif", "electro__movie.tif" }.ToDictionary(id => id, id => Read(runJson(id)));

        var again = BatchPipeline.Run(Input, outDir, Fast);
        Assert.All(again.Movies, m => Assert.True(m.Reused, $"{m.Id} was redone"));
        Assert.All(before, kv => Assert.Equal(kv.Value, Read(runJson(kv.Key))));

        // A changed movie (other seed) is redone; the others are not.
        BatchFixtures.WriteMovie(Path.Combine(Input, "chemical", "b.tif"), null, seed: 9);
        var changed = BatchPipeline.Run(Input, outDir, Fast);
        Assert.Equal(["chemical__b.tif"], changed.Movies.Where(m => !m.Reused).Select(m => m.Id));
        Assert.NotEqual(before["chemical__b.tif"], Read(runJson("chemical__b.tif")));

        var forced = BatchPipeline.Run(Input, outDir, Fast with { Force = true });
        Assert.All(forced.Movies, m => Assert.False(m.Reused));
    }

    [Fact]
    public void Batch_SummaryCsv_IsByteIdentical_AcrossJobsAndShards()
    {
        ThreeMovies();
        string one = Path.Combine(_dir, "jobs1"), two = Path.Combine(_dir, "jobs2"), sharded = Path.Combine(_dir, "shards");
        BatchPipeline.Run(Input, one, Fast);
        BatchPipeline.Run(Input, two, Fast with { Jobs = 2 });
        var s1 = BatchPipeline.Run(Input, sharded, Fast with { Shard = new BatchShard(1, 2), Jobs = 2 });
        var s2 = BatchPipeline.Run(Input, sharded, Fast with { Shard = new BatchShard(2, 2) });
        Assert.Null(s1.Report);
        Assert.False(File.Exists(Path.Combine(sharded, "summary.csv")), "a shard writes no summary");
        Assert.Equal(3, s1.Movies.Count + s2.Movies.Count);
        Assert.Empty(s1.Movies.Select(m => m.Id).Intersect(s2.Movies.Select(m => m.Id)));
        BatchReport.Build(sharded);

        byte[] expected = File.ReadAllBytes(Path.Combine(one, "summary.csv"));
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(two, "summary.csv")));
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(sharded, "summary.csv")));
        // Per-movie results too (areas.csv has no time, host or path).
        foreach (var id in new[] { "chemical__a.tif", "chemical__b.tif", "electro__movie.tif" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(one, id, "track", "areas.csv")), File.ReadAllBytes(Path.Combine(sharded, id, "track", "areas.csv")));
            Assert.Equal(File.ReadAllBytes(Path.Combine(one, id, "fit", "fit.csv")), File.ReadAllBytes(Path.Combine(two, id, "fit", "fit.csv")));
        }
    }

    [Fact]
    public void Batch_Manifest_MissingFileAndBadNumber_FailThoseRowsOnly()
    {
        BatchFixtures.WriteMovie(Path.Combine(Input, "x", "ok.tif"), Path.Combine(Input, "x", "ok.zip"), seed: 6);
        BatchFixtures.WriteMovie(Path.Combine(Input, "x", "badnum.tif"), Path.Combine(Input, "x", "badnum.zip"), seed: 7);
        string manifest = Path.Combine(Input, "manifest.csv");
        File.WriteAllText(manifest,
            "movie,rois,pixel_size_nm,frame_interval_s,condition,model\n" +
            "x/ok.tif,x/ok.zip,1.5,,treated,sphere-diffusion\n" +
            "x/missing.tif,,,,treated,\n" +
            "x/badnum.tif,x/badnum.zip,1.5,abc,control,\n");
        string outDir = Path.Combine(_dir, "out");

        var r = BatchPipeline.Run(Input, outDir, Fast with { Manifest = manifest });

        var byId = r.Movies.ToDictionary(m => m.Id);
        Assert.Equal(BatchStatus.Done, byId["x__ok.tif"].Status);
        Assert.Equal(BatchStatus.Failed, byId["x__missing.tif"].Status);
        Assert.Equal("manifest.csv line 3: movie not found: x/missing.tif", byId["x__missing.tif"].Error);
        Assert.Equal(BatchStatus.Failed, byId["x__badnum.tif"].Status);
        Assert.StartsWith("manifest.csv line 4: frame_interval_s 'abc' is not a number", byId["x__badnum.tif"].Error);
        var summary = File.ReadAllLines(Path.Combine(outDir, "summary.csv"));
        Assert.Equal(2, summary.Length);
        Assert.StartsWith("x__ok.tif,treated,p1,", summary[1]);
        Assert.False(Directory.Exists(Path.Combine(outDir, "x__badnum.tif", "track")));
    }

    [Fact]
    public void Batch_RefusesOutputHoldingInput_AndForeignFolder()
    {
        BatchFixtures.WriteMovie(Path.Combine(Input, "a.tif"), Path.Combine(Input, "a.zip"), seed: 1);
        Assert.Throws<IOException>(() => BatchPipeline.Run(Input, _dir, Fast));
        Assert.Throws<IOException>(() => BatchPipeline.Run(Input, Input, Fast));
        string foreign = Path.Combine(_dir, "notes");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "NOTES.txt"), "mine");
        var e = Assert.Throws<IOException>(() => BatchPipeline.Run(Input, foreign, Fast));
        Assert.Contains("not written by `temtrack batch`", e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(foreign, "NOTES.txt")));
    }
}
