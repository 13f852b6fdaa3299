using BitMiracle.LibTiff.Classic;
using OpenCvSharp;
using Spectre.Console.Cli;
using TemAreaTracker.Cli;
using TemAreaTracker.Cli.Commands;
using TemAreaTracker.IO;
using TemAreaTracker.Pipeline;
using TemAreaTracker.Simulation;
using Xunit;

namespace TemAreaTracker.Tests.Pipeline;

public sealed class SimulationExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sim-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SimulationScenario Small() => Scenarios.ElectrochemicalCluster(seed: 3, frames: 4);

    [Fact]
    public void Export_RoiSetReadsBack_WithTruthNames_OnFrameZero_NearTheTrueArea()
    {
        var s = Small();
        var result = SimulationExport.Write(s, _dir, MovieFileFormat.Tiff);

        var rois = ImageJRoi.Read(result.RoiSetPath);
        var truth = TruthJson.Read(result.TruthPath);
        Assert.Equal(truth.Rois, rois.Select(r => r.Name));
        Assert.Equal(s.Particles.Select(p => p.Name).Append("cluster"), rois.Select(r => r.Name));
        foreach (var r in rois)
        {
            Assert.Equal(0, r.Frame);
            Assert.InRange(r.VerticesPx.Count, 30, 60);
            double want = truth.AreaPx(r.Name)[0];
            Assert.InRange(r.AreaPx, 0.8 * want, 1.25 * want); // hand-drawn: roughly, not exactly, the particle
        }
        Assert.Equal(s.PixelSizeNm, truth.PixelSizeNm);
        Assert.Equal(s.Frames, truth.Particles[0].AreaNm2.Length);
        Assert.Equal(truth.Particles[0].AreaNm2[3] / (s.PixelSizeNm * s.PixelSizeNm), truth.Particles[0].AreaPx[3], 1e-6);
    }

    [Fact]
    public void Tiff_ReadsBackWithLibTiff_WithImageJCalibration_AndTheRenderedPixels()
    {
        var s = Small() with { BitDepth = 16 };
        var result = SimulationExport.Write(s, _dir, MovieFileFormat.Tiff);

        using var tif = Tiff.Open(result.MoviePath, "r");
        Assert.NotNull(tif);
        Assert.Equal(s.Frames, tif.NumberOfDirectories());
        string desc = tif.GetField(TiffTag.IMAGEDESCRIPTION)[0].ToString()!;
        Assert.Contains("ImageJ=", desc);
        Assert.Contains($"images={s.Frames}\n", desc);
        Assert.Contains($"frames={s.Frames}\n", desc);
        Assert.Contains("unit=nm\n", desc);
        Assert.Contains($"finterval={s.FrameIntervalS.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n", desc);
        double xres = tif.GetField(TiffTag.XRESOLUTION)[0].ToDouble();
        Assert.Equal(1 / s.PixelSizeNm, xres, 1e-5);
        Assert.Equal(16, tif.GetField(TiffTag.BITSPERSAMPLE)[0].ToInt());

        // Frame 2's pixels are the renderer's.
        tif.SetDirectory(2);
        var buf = new byte[s.Width * s.Height * 2];
        Assert.Equal(buf.Length, tif.ReadEncodedStrip(0, buf, 0, -1)); // one Deflate strip per page
        using var f2 = MovieSimulator.RenderFrame(s, 2);
        for (int y = 0; y < s.Height; y += 7)
            for (int x = 0; x < s.Width; x += 5)
                Assert.Equal(f2.Pixels.At<ushort>(y, x), BitConverter.ToUInt16(buf, 2 * (y * s.Width + x)));
    }

    [Fact]
    public void Ffv1Avi_IsLossless_AndPngSequenceHasEveryFrame()
    {
        var s = Small();
        string avi = Path.Combine(_dir, "m.avi"), png = Path.Combine(_dir, "frames");
        using (var w = MovieWriter.Create(avi, MovieFileFormat.AviFfv1, s.Width, s.Height, 8, s.Frames, s.PixelSizeNm, s.FrameIntervalS))
        using (var p = MovieWriter.Create(png, MovieFileFormat.PngSequence, s.Width, s.Height, 8, s.Frames, null, null))
            foreach (var f in MovieSimulator.Render(s))
                using (f) { w.Write(f); p.Write(f); }

        Assert.Equal(s.Frames, Directory.GetFiles(png, "*.png").Length);
        using var cap = new VideoCapture(avi);
        using var got = new Mat();
        Assert.True(cap.Read(got));
        using var gray = new Mat();
        Cv2.CvtColor(got, gray, ColorConversionCodes.BGR2GRAY);
        using var want = MovieSimulator.RenderFrame(s, 0);
        Assert.Equal(0, Cv2.Norm(gray, want.Pixels, NormTypes.INF));
    }

    [Fact]
    public void Avi_Refuses16Bit()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            MovieWriter.Create(Path.Combine(_dir, "x.avi"), MovieFileFormat.AviMjpg, 64, 64, 16, 3, null, 0.1));
        Assert.Contains("8-bit", e.Message);
    }

    private static int RunCli(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(c => { c.PropagateExceptions(); Commands.Register(c); });
        return CliRunner.Run(app, args);
    }

    [Fact]
    public void Cli_Simulate_WritesTheThreeFiles_AndRefusesAnExistingFolderWithoutForce()
    {
        string outDir = Path.Combine(_dir, "run");
        Assert.Equal(0, RunCli("simulate", "--scenario", "isolated", "--frames", "6", "--size", "96x80", "--out", outDir));
        Assert.True(File.Exists(Path.Combine(outDir, "movie.tif")));
        Assert.True(File.Exists(Path.Combine(outDir, "RoiSet.zip")));
        Assert.True(File.Exists(Path.Combine(outDir, "truth.json")));
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(outDir, "truth.json"));

        Assert.Equal(CliRunner.BadInput, RunCli("simulate", "--scenario", "isolated", "--frames", "6", "--out", outDir));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(outDir, "truth.json")));
        Assert.Empty(Directory.GetDirectories(_dir, ".run.*"));

        Assert.Equal(0, RunCli("simulate", "--scenario", "isolated", "--frames", "6", "--size", "96x80", "--format", "png", "--force", "--out", outDir));
        Assert.Equal(6, Directory.GetFiles(Path.Combine(outDir, "movie"), "*.png").Length);
    }

    [Theory]
    [InlineData("--scenario", "nope")]
    [InlineData("--format", "gif")]
    [InlineData("--bit-depth", "12")]
    [InlineData("--size", "12x")]
    [InlineData("--drift-velocity", "0.5")]
    public void Cli_Simulate_RejectsBadOptions_BeforeWritingAnything(string option, string value)
    {
        string outDir = Path.Combine(_dir, "bad");
        Assert.Equal(CliRunner.BadInput, RunCli("simulate", option, value, "--out", outDir));
        Assert.False(Directory.Exists(outDir));
    }
}
