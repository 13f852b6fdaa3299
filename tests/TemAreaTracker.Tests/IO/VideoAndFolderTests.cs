using OpenCvSharp;
using TemAreaTracker.IO;
using Xunit;

namespace TemAreaTracker.Tests.IO;

public class VideoAndFolderTests
{
    private static Mat Pattern(int k, int w, int h)
    {
        var m = new Mat(h, w, MatType.CV_8UC1);
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            m.Set(y, x, (byte)((x * 3 + y * 5 + k * 17) % 256));
        return m;
    }

    private static string WriteAvi(string dir, string fourcc, int frames, double fps, int w = 64, int h = 48)
    {
        string path = Path.Combine(dir, $"m-{fourcc}.avi");
        using var vw = new VideoWriter(path, VideoWriter.FourCC(fourcc), fps, new Size(w, h), isColor: false);
        Assert.True(vw.IsOpened());
        for (int k = 0; k < frames; k++)
        {
            using var m = Pattern(k, w, h);
            vw.Write(m);
        }
        return path;
    }

    [Fact]
    public void Ffv1GrayAvi_IsLosslessWithContainerFps()
    {
        string path = WriteAvi(TestData.NewFolder("avi"), "FFV1", 7, 4);
        using var movie = MovieReader.Open(path);
        Assert.Equal(("avi", 64, 48, 7, "uint8"), (movie.Format, movie.Width, movie.Height, movie.FrameCount, movie.DataType));
        Assert.Equal(0.25, movie.Calibration.FrameIntervalS!.Value, 9);
        Assert.Equal("container-fps", movie.Calibration.FrameIntervalSource);
        int n = 0;
        foreach (var f in movie.ReadFrames())
        {
            using (f)
            using (var expected = Pattern(f.Index, 64, 48))
            {
                Assert.Equal(MatType.CV_8UC1, f.Pixels.Type());
                Assert.Equal(0, Cv2.Norm(f.Pixels, expected, NormTypes.INF));
                n++;
            }
        }
        Assert.Equal(7, n);
        Assert.Null(movie.StoppedEarly);
    }

    [Fact]
    public void MjpgAvi_DecodesCloseToSource()
    {
        string path = WriteAvi(TestData.NewFolder("avi"), "MJPG", 3, 10);
        using var movie = MovieReader.Open(path);
        foreach (var f in movie.ReadFrames())
        {
            using (f)
            using (var expected = Pattern(f.Index, 64, 48))
            using (var d = new Mat())
            {
                Cv2.Absdiff(f.Pixels, expected, d);
                Assert.True(Cv2.Mean(d).Val0 < 20, $"frame {f.Index}: mean abs error {Cv2.Mean(d).Val0}");
            }
        }
    }

    [Fact]
    public void TruncatedAvi_StopsEarlyOrFailsCleanly()
    {
        string dir = TestData.NewFolder("avi");
        string path = WriteAvi(dir, "MJPG", 20, 10);
        byte[] all = File.ReadAllBytes(path);
        string cut = Path.Combine(dir, "cut.avi");
        File.WriteAllBytes(cut, all.AsSpan(0, all.Length / 2).ToArray());
        try
        {
            using var movie = MovieReader.Open(cut);
            int n = 0;
            foreach (var f in movie.ReadFrames()) { f.Dispose(); n++; }
            Assert.InRange(n, 1, 19);
            if (movie.FrameCount is int declared && declared > n) Assert.StartsWith($"truncated at frame {n}", movie.StoppedEarly);
        }
        catch (MovieFormatException e)
        {
            Assert.Contains("cut.avi", e.Message);
        }
    }

    [Fact]
    public void PngFolder_NaturalOrder_GrayFromRgbaAnd16Bit()
    {
        string dir = TestData.NewFolder("png");
        // frame10 must come after frame2; each frame is a constant so order is visible.
        foreach (int k in new[] { 10, 1, 2 })
        {
            using var g = new Mat(20, 30, MatType.CV_16UC1, new Scalar(1000 * k + 7));
            Cv2.ImWrite(Path.Combine(dir, $"frame{k}.png"), g);
        }
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not a frame");
        using var movie = MovieReader.Open(dir);
        Assert.Equal(("image-sequence", 30, 20, 3, "uint16"), (movie.Format, movie.Width, movie.Height, movie.FrameCount, movie.DataType));
        var values = movie.ReadFrames().Select(f => { using (f) return (int)f.Pixels.At<ushort>(5, 5); }).ToList();
        Assert.Equal(new[] { 1007, 2007, 10007 }, values);

        string rgbaDir = TestData.NewFolder("rgba");
        using (var rgba = new Mat(12, 16, MatType.CV_8UC4, new Scalar(93, 93, 93, 255)))
        {
            rgba.Set(3, 4, new Vec4b(200, 200, 200, 255));
            Cv2.ImWrite(Path.Combine(rgbaDir, "a.png"), rgba);
        }
        using var single = MovieReader.Open(Path.Combine(rgbaDir, "a.png"));
        using var f0 = single.ReadFrames().Single();
        Assert.Equal(MatType.CV_8UC1, f0.Pixels.Type());
        Assert.Equal(200, f0.Pixels.At<byte>(3, 4));
        Assert.Equal(93, f0.Pixels.At<byte>(0, 0));
    }

    [Fact]
    public void NaturalOrder_SortsDigitRunsAsNumbers()
    {
        var names = new[] { "f10.png", "f2.png", "f1.png", "f02b.png", "g1.png" }.OrderBy(s => s, NaturalOrder.Instance).ToArray();
        Assert.Equal(new[] { "f1.png", "f2.png", "f02b.png", "f10.png", "g1.png" }, names);
    }

    [Fact]
    public void BadInputs_GiveCleanErrors()
    {
        string dir = TestData.NewFolder("bad");
        string empty = Path.Combine(dir, "empty.tif");
        File.WriteAllBytes(empty, []);
        var e1 = Assert.Throws<MovieFormatException>(() => MovieReader.Open(empty));
        Assert.Contains("empty.tif", e1.Message);
        string text = Path.Combine(dir, "notes.xyz");
        File.WriteAllText(text, "hello, not a movie");
        Assert.Throws<MovieFormatException>(() => MovieReader.Open(text));
        string fakeTiff = Path.Combine(dir, "fake.tif");
        File.WriteAllBytes(fakeTiff, [(byte)'I', (byte)'I', 42, 0, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3]);
        Assert.Throws<MovieFormatException>(() => MovieReader.Open(fakeTiff));
        string fakeAvi = Path.Combine(dir, "fake.avi");
        File.WriteAllText(fakeAvi, "RIFF....AVI garbage garbage");
        Assert.Throws<MovieFormatException>(() => MovieReader.Open(fakeAvi));
        Assert.Throws<FileNotFoundException>(() => MovieReader.Open(Path.Combine(dir, "missing.tif")));
        Assert.Throws<MovieFormatException>(() => MovieReader.Open(TestData.NewFolder("emptydir")));
    }

    [Fact]
    public void CorruptPng_FailsOnItsCrcWithOffset_AndStopsAFolderThere()
    {
        string dir = TestData.NewFolder("crc");
        using (var m = new Mat(16, 16, MatType.CV_8UC1, new Scalar(50)))
        {
            Cv2.ImWrite(Path.Combine(dir, "f1.png"), m);
            Cv2.ImWrite(Path.Combine(dir, "f2.png"), m);
            var bad = m.ToBytes(".png");
            bad[bad.Length - 20] ^= 0x5A; // inside IDAT
            File.WriteAllBytes(Path.Combine(dir, "f3.png"), bad);
        }
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(Path.Combine(dir, "f3.png")));
        Assert.Contains("CRC", e.Problem);
        Assert.Equal(33, e.ByteOffset); // the IDAT chunk right after the 8-byte signature and 25-byte IHDR
        using var movie = MovieReader.Open(dir);
        Assert.Equal(2, movie.ReadFrames().Count(f => { f.Dispose(); return true; }));
        Assert.StartsWith("stopped at frame 2: f3.png", movie.StoppedEarly);
    }

    [Fact]
    public void Mp4v_CountsFramesWithoutFalseTruncation()
    {
        string dir = TestData.NewFolder("mp4");
        string path = Path.Combine(dir, "m.mp4");
        using (var vw = new VideoWriter(path, VideoWriter.FourCC("mp4v"), 8, new Size(64, 48), isColor: false))
            for (int k = 0; k < 9; k++)
            {
                using var m = Pattern(k, 64, 48);
                vw.Write(m);
            }
        using var movie = MovieReader.Open(path);
        Assert.Equal("mp4", movie.Format);
        Assert.Equal(0.125, movie.Calibration.FrameIntervalS!.Value, 6);
        Assert.Equal(9, movie.ReadFrames().Count(f => { f.Dispose(); return true; }));
        Assert.Null(movie.StoppedEarly);
    }

    [Theory]
    [InlineData("x.dm4", "dm4")]
    [InlineData("x.dm3", "dm3")]
    [InlineData("x_1.ser", "ser")]
    [InlineData("x.emd", "emd")]
    [InlineData("x.tif", "tiff")]
    [InlineData("x.mrc", "mrc")]
    public void GarbageWithNativeExtension_IsJudgedByThatFormatsReader(string name, string format)
    {
        string path = Path.Combine(TestData.NewFolder("garbage"), name);
        var junk = new byte[2048];
        new Random(5).NextBytes(junk);
        junk[0] = (byte)'Z'; // no known magic
        File.WriteAllBytes(path, junk);
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(path));
        Assert.Equal(format, e.Format);
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void JpegWithLyingSize_FailsBeforeDecoding_AndAGoodJpegReadsAsGray()
    {
        string dir = TestData.NewFolder("jpg");
        byte[] jpg;
        using (var m = Pattern(0, 64, 48)) jpg = m.ToBytes(".jpg");
        File.WriteAllBytes(Path.Combine(dir, "good.jpg"), jpg);
        using (var movie = MovieReader.Open(Path.Combine(dir, "good.jpg")))
        using (var f = movie.ReadFrames().Single())
        {
            Assert.Equal(("jpg", 64, 48, "uint8"), (movie.Format, f.Width, f.Height, movie.DataType));
            Assert.Equal(MatType.CV_8UC1, f.Pixels.Type());
        }
        int sof = Enumerable.Range(2, jpg.Length - 10).First(i => jpg[i] == 0xFF && jpg[i + 1] == 0xC0);
        jpg[sof + 5] = 0xFD; jpg[sof + 6] = 0xE8; // height 65000
        jpg[sof + 7] = 0xFD; jpg[sof + 8] = 0xE8; // width 65000: 4.2 Gpx from a ~2 kB file
        File.WriteAllBytes(Path.Combine(dir, "liar.jpg"), jpg);
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(Path.Combine(dir, "liar.jpg")));
        Assert.Contains("65000x65000", e.Problem);
        Assert.Equal(sof, e.ByteOffset);
    }
}
