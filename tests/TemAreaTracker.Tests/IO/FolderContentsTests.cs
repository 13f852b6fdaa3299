using BitMiracle.LibTiff.Classic;
using OpenCvSharp;
using TemAreaTracker.IO;
using TemAreaTracker.Tests.Architecture;
using Xunit;

namespace TemAreaTracker.Tests.IO;

/// <summary>
/// A folder given as a movie: one stack beside sidecars is that stack; several stacks, or a stack beside frames, are refused
/// in one line naming them; single-frame images stay an image sequence; per-frame DM files stay a DM series.
/// </summary>
public class FolderContentsTests
{
    private static string Stack(string dir, string name, int pages, int width = 20, int height = 14)
    {
        string path = Path.Combine(dir, name);
        TiffMovieTests.WriteTiff(path, width, height, pages, 8, SampleFormat.UINT, (k, x, y) => 10 * k + x + y);
        return path;
    }

    private static void Sidecars(string dir)
    {
        File.WriteAllBytes(Path.Combine(dir, "RoiSet.zip"), [0x50, 0x4B, 0x05, 0x06, .. new byte[18]]); // an empty zip
        File.WriteAllText(Path.Combine(dir, "truth.json"), "{\"pixel_size_nm\": 1.5}");
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "particle p2 leaves the field at frame 40");
        File.WriteAllText(Path.Combine(dir, "areas.csv"), "particle,frame,area_nm2\n");
        File.WriteAllBytes(Path.Combine(dir, ".DS_Store"), [0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]);
        // macOS AppleDouble companion: named like a TIFF, is not one.
        File.WriteAllBytes(Path.Combine(dir, "._movie.tif"), [0x00, 0x05, 0x16, 0x07, 0, 2, 0, 0, .. new byte[64]]);
    }

    [Fact]
    public void SampleRedistributionFolder_IsReadAsItsStack_60Frames()
    {
        // sample-movies/02-redistribution holds movie.tif, RoiSet.zip and truth.json: it used to track as 1 frame.
        string folder = Path.Combine(ArchitectureDoc.RepoRoot(), "sample-movies", "02-redistribution");
        using var movie = MovieReader.Open(folder);
        Assert.Equal(("tiff", 60, 256, 256), (movie.Format, movie.FrameCount, movie.Width, movie.Height));
        Assert.Equal(Path.Combine(folder, "movie.tif"), movie.SourcePath);
        Assert.Equal(1.5, movie.Calibration.PixelWidthNm!.Value, 6); // X/YResolution is a rational of 32-bit integers
        Assert.Equal(60, movie.ReadFrames().Count(f => { f.Dispose(); return true; }));
        Assert.Null(movie.StoppedEarly);
    }

    [Fact]
    public void OneStackBesideSidecars_IsReadAsThatStack()
    {
        string dir = TestData.NewFolder("onestack");
        Stack(dir, "movie.tif", 5);
        Sidecars(dir);
        Assert.Equal(FolderKind.Stack, FolderContents.Of(dir).Kind);
        using var movie = MovieReader.Open(dir);
        Assert.Equal(("tiff", 5), (movie.Format, movie.FrameCount));
        Assert.Equal(new[] { 0, 10, 20, 30, 40 }, movie.ReadFrames().Select(f => { using (f) return (int)f.Pixels.At<byte>(0, 0); }));
    }

    [Fact]
    public void SeveralStacks_AreRefusedInOneLine_NamingThreeAndPointingToBatch()
    {
        string dir = TestData.NewFolder("stacks");
        foreach (string name in new[] { "run10.tif", "run2.tif", "run1.tif", "run3.tif" }) Stack(dir, name, 3);
        Sidecars(dir);
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(dir));
        Assert.Equal(
            $"{dir}: folder: holds 4 movies (run1.tif, run2.tif, run3.tif, … (1 more)): pass one of them, e.g. {Path.Combine(dir, "run1.tif")}, " +
            "or use `temtrack batch` to track them all", e.Message);
    }

    [Fact]
    public void StacksOfDifferentFormats_CountAsSeveral()
    {
        string dir = TestData.NewFolder("mixed");
        Stack(dir, "a.tif", 2);
        BerkeleyEmdWriter.Write(Path.Combine(dir, "b.emd"), ("m", BerkeleyEmdWriter.Group(BerkeleyEmdWriter.Stack16(2, 8, 12))));
        var c = FolderContents.Of(dir);
        Assert.Equal(FolderKind.SeveralStacks, c.Kind);
        Assert.Equal(new[] { "a.tif", "b.emd" }, c.Movies.Select(Path.GetFileName));
    }

    [Fact]
    public void StackBesideSingleFrames_IsRefused_SayingWhich()
    {
        string dir = TestData.NewFolder("stackframes");
        Stack(dir, "movie.tif", 4);
        using (var m = new Mat(14, 20, MatType.CV_8UC1, new Scalar(7)))
        {
            Cv2.ImWrite(Path.Combine(dir, "first-frame.png"), m);
            Cv2.ImWrite(Path.Combine(dir, "preview.png"), m);
        }
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(dir));
        Assert.Equal(
            $"{dir}: folder: holds a movie (movie.tif) beside 2 single-frame images (first-frame.png, preview.png): " +
            $"pass the movie itself, e.g. {Path.Combine(dir, "movie.tif")}, or a folder holding only frames", e.Message);
    }

    [Fact]
    public void SinglePageTiffs_StayAnImageSequence_InNaturalOrder()
    {
        string dir = TestData.NewFolder("frames");
        foreach (int k in new[] { 10, 2, 1 })
            TiffMovieTests.WriteTiff(Path.Combine(dir, $"f{k}.tif"), 20, 14, 1, 8, SampleFormat.UINT, (_, _, _) => k);
        Sidecars(dir);
        using var movie = MovieReader.Open(dir);
        Assert.Equal(("image-sequence", 3), (movie.Format, movie.FrameCount));
        Assert.Equal(new[] { 1, 2, 10 }, movie.ReadFrames().Select(f => { using (f) return (int)f.Pixels.At<byte>(0, 0); }));
        Assert.Equal("f1.tif", movie.Metadata["first_file"]);
    }

    [Fact]
    public void OneSinglePageTiff_IsAOneFrameSequence_AsBefore()
    {
        string dir = TestData.NewFolder("oneframe");
        Stack(dir, "only.tif", 1);
        using var movie = MovieReader.Open(dir);
        Assert.Equal(("image-sequence", 1), (movie.Format, movie.FrameCount));
    }

    [Fact]
    public void OneEmdBesideSidecars_IsThatFile_AndTheDatasetOptionReachesIt()
    {
        string dir = TestData.NewFolder("emdfolder");
        BerkeleyEmdWriter.Write(Path.Combine(dir, "acq.emd"),
            ("a", BerkeleyEmdWriter.Group(BerkeleyEmdWriter.Stack16(2, 8, 12))),
            ("b", BerkeleyEmdWriter.Group(BerkeleyEmdWriter.Stack16(5, 8, 12))));
        Sidecars(dir);
        using (var movie = MovieReader.Open(dir)) Assert.Equal(("emd-berkeley", 2), (movie.Format, movie.FrameCount));
        using (var movie = MovieReader.Open(dir, dataset: "b")) Assert.Equal(5, movie.FrameCount);
    }

    [Fact]
    public void DatasetForAFolderOfFrames_IsRefused()
    {
        string dir = TestData.NewFolder("framesds");
        Stack(dir, "f1.tif", 1);
        Stack(dir, "f2.tif", 1);
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(dir, dataset: "a"));
        Assert.Contains("holds frames, not an EMD file", e.Message);
    }

    [Fact]
    public void OneDmStack_IsThatFile_SeveralDmStacksAreRefused_PerFrameDmFilesStayASeries()
    {
        byte[] Dm(int frames) => DmWriter.Image(4, true, frames > 1 ? [16, 12, frames] : [16, 12], 10,
            (k, x, _) => BitConverter.GetBytes((ushort)(100 * k + x)), frames > 1 ? [(1, "nm"), (1, "nm"), (1, "s")] : [(1, "nm"), (1, "nm")]);

        string one = TestData.NewFolder("dmone");
        File.WriteAllBytes(Path.Combine(one, "stack.dm4"), Dm(6));
        Sidecars(one);
        using (var movie = MovieReader.Open(one)) Assert.Equal(("dm4", 6), (movie.Format, movie.FrameCount));

        string two = TestData.NewFolder("dmtwo");
        File.WriteAllBytes(Path.Combine(two, "a.dm4"), Dm(6));
        File.WriteAllBytes(Path.Combine(two, "b.dm4"), Dm(6));
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(two));
        Assert.Contains("holds 2 movies (a.dm4, b.dm4)", e.Message);

        string series = TestData.NewFolder("dmseries");
        for (int i = 0; i < 3; i++) File.WriteAllBytes(Path.Combine(series, $"Frame_{i:0000}.dm4"), Dm(1));
        using (var movie = MovieReader.Open(series)) Assert.Equal(("dm4-series", 3), (movie.Format, movie.FrameCount));
    }

    [Fact]
    public void OnlySidecars_IsRefused_SayingWhatAMovieFolderHolds()
    {
        string dir = TestData.NewFolder("sidecars");
        Sidecars(dir);
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(dir));
        Assert.StartsWith($"{dir}: folder: no movie and no frames in this folder", e.Message);
    }

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(3, false, true)]
    [InlineData(1, true, false)]
    [InlineData(3, true, true)]
    public void TiffPageProbe_TellsOneFromSeveral_ClassicAndBigTiff(int pages, bool bigTiff, bool several)
    {
        string path = Path.Combine(TestData.NewFolder("probe"), "p.tif");
        TiffMovieTests.WriteTiff(path, 20, 14, pages, 16, SampleFormat.UINT, (k, x, y) => k, bigTiff: bigTiff);
        Assert.Equal(several, TiffFile.HasSeveralPages(path));
    }

    [Fact]
    public void TiffPageProbe_IsNullForDamagedOrForeignFiles()
    {
        string dir = TestData.NewFolder("probe");
        string junk = Path.Combine(dir, "junk.tif");
        File.WriteAllBytes(junk, [(byte)'I', (byte)'I', 42, 0, 0xFF, 0xFF, 0xFF, 0x7F]); // first IFD beyond the end
        Assert.Null(TiffFile.HasSeveralPages(junk));
        string png = Path.Combine(dir, "x.tif");
        File.WriteAllBytes(png, [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        Assert.Null(TiffFile.HasSeveralPages(png));
    }
}
