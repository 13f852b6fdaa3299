using OpenCvSharp;
using TemAreaTracker.Pipeline.Batch;
using Xunit;

namespace TemAreaTracker.Tests.Batch;

/// <summary>
/// <see cref="MovieDiscovery"/> and <see cref="BatchManifest"/> on folders laid out in the test (files recognised by their
/// first bytes, as <c>temtrack info</c> does; single-page TIFF frames written with OpenCV).
/// </summary>
public sealed class MovieDiscoveryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("temtrack-discovery-").FullName;
    private string In => Path.Combine(_root, "in");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string Touch(string rel, byte[]? bytes = null)
    {
        string path = Path.Combine(In, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes ?? [1, 2, 3]);
        return path;
    }

    /// <summary>A file that MovieReader takes for a TIFF (magic bytes) but whose page count cannot be read: a stack.</summary>
    private string Stack(string rel) => Touch(rel, [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

    private string Png(string rel) => Touch(rel, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]);

    private string Zip(string rel) => Touch(rel, [(byte)'P', (byte)'K', 3, 4, 0, 0]);

    private void TiffFrame(string rel)
    {
        string path = Path.Combine(In, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var m = new Mat(20, 30, MatType.CV_8UC1, new Scalar(100));
        Cv2.ImWrite(path, m);
    }

    private IReadOnlyDictionary<string, BatchMovie> Find(bool auto = false, string? outDir = null) =>
        MovieDiscovery.Find(In, outDir, auto).ToDictionary(m => m.Id);

    [Fact]
    public void Find_PairsStemNamedOutlinesAndRoiSet_IdsAndConditionsFromFolders()
    {
        Stack("chemical/movie.tif");
        Zip("chemical/RoiSet.zip");
        Stack("electro/run 1.tif");
        Touch("electro/run 1.json", "{}"u8.ToArray());
        Stack("electro/run2.tif");
        Touch("electro/run2.roi");
        Touch("electro/notes.txt");
        Touch("electro/truth.json", "{}"u8.ToArray());

        var found = Find();

        Assert.Equal(["chemical__movie.tif", "electro__run 1.tif", "electro__run2.tif"], found.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Path.Combine(In, "chemical", "RoiSet.zip"), found["chemical__movie.tif"].OutlinesPath);
        Assert.Equal(Path.Combine(In, "electro", "run 1.json"), found["electro__run 1.tif"].OutlinesPath);
        Assert.Equal(Path.Combine(In, "electro", "run2.roi"), found["electro__run2.tif"].OutlinesPath);
        Assert.Equal("chemical", found["chemical__movie.tif"].Condition);
        Assert.Equal("electro", found["electro__run2.tif"].Condition);
        Assert.Equal("electro/run 1.tif", found["electro__run 1.tif"].RelativePath);
        Assert.All(found.Values, m => Assert.Null(m.NotRun));
    }

    [Fact]
    public void Find_FramesFolder_IsOneMovie_WithOutlinesBesideIt()
    {
        for (int i = 0; i < 12; i++) Png($"cond/frames/f{i}.png");
        Zip("cond/frames.zip");
        TiffFrame("tiffs/cam/0001.tif");
        TiffFrame("tiffs/cam/0002.tif");
        Zip("tiffs/RoiSet.zip");

        var found = Find();

        Assert.Equal(["cond__frames", "tiffs__cam"], found.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Path.Combine(In, "cond", "frames.zip"), found["cond__frames"].OutlinesPath);
        Assert.Equal(Path.Combine(In, "cond", "frames"), found["cond__frames"].MoviePath);
        Assert.Equal("cond", found["cond__frames"].Condition);
        Assert.Equal(Path.Combine(In, "tiffs", "RoiSet.zip"), found["tiffs__cam"].OutlinesPath);
    }

    [Fact]
    public void Find_FolderHoldingOneStack_IsThatFile()
    {
        Stack("run/stack.tif");
        Zip("run/RoiSet.zip");
        var m = Assert.Single(Find().Values);
        Assert.Equal("run__stack.tif", m.Id);
        Assert.Equal(Path.Combine(In, "run", "stack.tif"), m.MoviePath);
        Assert.Equal(Path.Combine(In, "run", "RoiSet.zip"), m.OutlinesPath);
    }

    [Fact]
    public void Find_GatanInSituTree_IsOneMovie()
    {
        Touch("day1/insitu/Hour_00/Minute_00/Second_00/a_Frame_0000.dm4");
        Touch("day1/insitu/Hour_00/Minute_00/Second_01/a_Frame_0001.dm4");
        Zip("day1/insitu.zip");
        var m = Assert.Single(Find().Values);
        Assert.Equal("day1__insitu", m.Id);
        Assert.Equal(Path.Combine(In, "day1", "insitu"), m.MoviePath);
        Assert.Equal(Path.Combine(In, "day1", "insitu.zip"), m.OutlinesPath);
        Assert.Equal("day1", m.Condition);
    }

    [Fact]
    public void Find_NoOutlines_IsSkippedUnlessAuto()
    {
        Stack("a/movie.avi.tif");
        var skipped = Assert.Single(Find().Values);
        Assert.Equal(BatchStatus.Skipped, skipped.NotRun);
        Assert.Contains("no outlines", skipped.Reason);
        Assert.Contains("--auto", skipped.Reason);
        var auto = Assert.Single(Find(auto: true).Values);
        Assert.Null(auto.NotRun);
        Assert.Null(auto.OutlinesPath);
    }

    [Fact]
    public void Find_AmbiguousPairings_AreSkippedWithTheReason()
    {
        Stack("shared/a.tif");
        Stack("shared/b.tif");
        Zip("shared/RoiSet.zip");
        Stack("two/m.tif");
        Zip("two/m.zip");
        Touch("two/m.roi");
        Png("single/only.png");
        Stack("mixed/stack.tif");
        Zip("mixed/stack.zip");
        Png("mixed/a.png");
        Png("mixed/b.png");

        var found = Find();

        Assert.Contains("RoiSet.zip lies beside 2 movies", found["shared__a.tif"].Reason);
        Assert.Equal(BatchStatus.Skipped, found["shared__b.tif"].NotRun);
        Assert.Contains("m.zip and m.roi both name this movie", found["two__m.tif"].Reason);
        Assert.Contains("single image", found["single__only.png"].Reason);
        Assert.Contains("mixes 2 single images", found["mixed"].Reason);
        Assert.Null(found["mixed__stack.tif"].NotRun);
    }

    [Fact]
    public void Find_IdCollision_SkipsBoth_AndOutputFoldersAreNeverSearched()
    {
        Stack("a__b/c.tif");
        Zip("a__b/c.zip");
        Stack("a/b__c.tif");
        Zip("a/b__c.zip");
        Stack("out/x__y.tif");
        Zip("out/x__y.zip");
        // An older batch folder and a track output inside INPUT hold results (videos, frames), not movies.
        Touch("old-batch/.temtrack.json", "{}"u8.ToArray());
        Stack("old-batch/a__m.tif/track/overlay.avi.tif");
        Png("old-batch/a__m.tif/preview/frame-00000.jpg.png");
        Png("old-batch/a__m.tif/preview/frame-00001.jpg.png");
        Touch("tracked/run.json", "{}"u8.ToArray());
        Touch("tracked/areas.csv");
        Stack("tracked/overlay.tif");

        var found = MovieDiscovery.Find(In, Path.Combine(In, "out"), auto: false);

        Assert.Equal(2, found.Count);
        Assert.All(found, m => Assert.Equal("a__b__c.tif", m.Id));
        Assert.All(found, m => Assert.Contains("is shared by a/b__c.tif and a__b/c.tif", m.Reason));
    }

    [Fact]
    public void Manifest_ResolvesRelativePaths_Calibration_Model_Condition()
    {
        Stack("x/m1.tif");
        Zip("x/m1.zip");
        Stack("x/m2.tif");
        Zip("x/RoiSet.zip");
        string manifest = Touch("lists/manifest.csv", System.Text.Encoding.UTF8.GetBytes(
            "movie,rois,pixel_size_nm,frame_interval_s,condition,model,contact_loss_s\n" +
            "../x/m1.tif,../x/m1.zip,1.25,0.5,treated,redistribution,11.9\n" +
            "../x/m2.tif,,,,,,\n"));

        var movies = BatchManifest.Read(manifest, In, auto: false).ToDictionary(m => m.Id);

        var m1 = movies["x__m1.tif"];
        Assert.Null(m1.NotRun);
        Assert.Equal(1.25, m1.PixelSizeNm);
        Assert.Equal(0.5, m1.FrameIntervalS);
        Assert.Equal("treated", m1.Condition);
        Assert.Equal("redistribution", m1.Model);
        Assert.Equal(11.9, m1.ContactLossS);
        Assert.True(m1.FromManifest);
        var m2 = movies["x__m2.tif"];
        Assert.Null(m2.PixelSizeNm);
        Assert.Equal("x", m2.Condition);
        Assert.Equal("sphere-diffusion", m2.Model);
        Assert.Equal(Path.Combine(In, "x", "RoiSet.zip"), m2.OutlinesPath); // m1 has its own, so RoiSet.zip is m2's
    }

    [Fact]
    public void Manifest_RowProblems_FailThatRow_HeaderProblemsThrow()
    {
        Stack("m.tif");
        Zip("m.zip");
        Stack("n.tif");
        Stack("o.tif");
        string manifest = Touch("manifest.csv", System.Text.Encoding.UTF8.GetBytes(
            "movie,rois,pixel_size_nm,frame_interval_s,condition,model\n" +
            "m.tif,m.zip,-1,,c,\n" +
            "gone.tif,,,,c,\n" +
            "n.tif,nope.zip,,,c,\n" +
            ",m.zip,,,c,\n" +
            "o.tif,m.zip,,,c,spherical\n"));
        var rows = BatchManifest.Read(manifest, In, auto: false);
        var reasons = rows.ToDictionary(r => r.Id, r => r.Reason);
        Assert.All(rows, r => Assert.Equal(BatchStatus.Failed, r.NotRun));
        Assert.Equal("manifest.csv line 2: pixel_size_nm must be > 0 (got -1)", reasons["m.tif"]);
        Assert.Equal("manifest.csv line 3: movie not found: gone.tif", reasons["gone.tif"]);
        Assert.Equal("manifest.csv line 4: outlines not found: nope.zip", reasons["n.tif"]);
        Assert.Equal("manifest.csv line 5: the movie cell is empty", reasons["manifest-line-5"]);
        Assert.StartsWith("manifest.csv line 6: model 'spherical' is unknown", reasons["o.tif"]);

        File.WriteAllText(manifest, "movie,rois,pixel_size_nm,frame_interval_s,condition\nm.tif,,,,\nm.tif,,1,,\n");
        Assert.Contains("m.tif is listed twice (lines 2 and 3)", Assert.Throws<InvalidDataException>(() => BatchManifest.Read(manifest, In, auto: false)).Message);
        File.WriteAllText(manifest, "movie,rois,pixel_size,frame_interval_s,condition\n");
        var e = Assert.Throws<InvalidDataException>(() => BatchManifest.Read(manifest, In, auto: false));
        Assert.Contains("lacks the column(s) pixel_size_nm", e.Message);
        File.WriteAllText(manifest, "movie,rois,pixel_size_nm,frame_interval_s,condition,colour\n");
        Assert.Contains("unknown manifest column(s) colour", Assert.Throws<InvalidDataException>(() => BatchManifest.Read(manifest, In, auto: false)).Message);
    }

    [Fact]
    public void Shard_SlicesTheSortedListIntoDisjointContiguousParts()
    {
        var items = Enumerable.Range(0, 7).ToList();
        var parts = Enumerable.Range(1, 3).Select(k => new BatchShard(k, 3).Slice(items)).ToList();
        Assert.Equal(items, parts.SelectMany(p => p));
        Assert.Equal([2, 2, 3], parts.Select(p => p.Count));
        Assert.Empty(new BatchShard(4, 9).Slice([1, 2]));
        Assert.Equal(new BatchShard(2, 4), BatchShard.TryParse("2/4", out _));
        foreach (var bad in new[] { "0/2", "3/2", "2", "a/b", "1/0", "-1/2" })
            Assert.Null(BatchShard.TryParse(bad, out _));
    }

    [Fact]
    public void Tables_NumbersRoundedInvariant()
    {
        Assert.Equal("1.235e-12", BatchTables.Sig(1.23456e-12, 4));
        Assert.Equal("3178.412", BatchTables.Sig(3178.41234, 7));
        Assert.Equal("", BatchTables.Sig(double.NaN, 4));
        Assert.Equal("0.00", BatchTables.Fixed(-0.001, 2));
        Assert.Equal("-12.35", BatchTables.Fixed(-12.345678, 2));
    }
}
