// End-to-end `temtrack track` on real files written here: the real movie and ROI readers, no seams.
using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;
using OpenCvSharp;
using Spectre.Console.Cli;
using Spectre.Console.Testing;
using TemAreaTracker.Cli.Commands;
using TemAreaTracker.IO;
using Xunit;

namespace TemAreaTracker.Tests.Cli;

public sealed class TrackEndToEndTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tracke2e-").FullName;
    private readonly StringWriter _stderr = new();
    private readonly TestConsole _console = new();

    public TrackEndToEndTests() => TrackCommand.StdErrOverride.Value = _stderr;

    public void Dispose()
    {
        TrackCommand.StdErrOverride.Value = null;
        _console.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private string P(string name) => Path.Combine(_root, name);

    private int Run(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(c => { c.ConfigureConsole(_console); c.PropagateExceptions(); Commands.Register(c); });
        return app.Run(args);
    }

    private static readonly (int X, int Y, int R)[] Discs = [(60, 50, 15), (130, 80, 20)];

    private static Mat Frame(int i)
    {
        var m = new Mat(120, 180, MatType.CV_8UC1, new Scalar(170));
        foreach (var (x, y, r) in Discs) Cv2.Circle(m, new Point(x, y), r + i / 4, new Scalar(60), -1, LineTypes.AntiAlias);
        return m;
    }

    private string Rois()
    {
        string path = P("RoiSet.zip");
        ImageJRoi.WriteRoiSet(path, Discs.Select((d, k) => new Outline($"P{k + 1}",
            Enumerable.Range(0, 40).Select(j => new Point2d(d.X + d.R * Math.Cos(j * Math.PI / 20), d.Y + d.R * Math.Sin(j * Math.PI / 20))).ToArray())));
        return path;
    }

    private string Tiff8(int frames)
    {
        string path = P("movie.tif");
        using var tif = Tiff.Open(path, "w");
        var buf = new byte[180 * 120];
        for (int i = 0; i < frames; i++)
        {
            using var m = Frame(i);
            Marshal.Copy(m.Data, buf, 0, buf.Length);
            tif.SetField(TiffTag.IMAGEWIDTH, 180); tif.SetField(TiffTag.IMAGELENGTH, 120);
            tif.SetField(TiffTag.BITSPERSAMPLE, 8); tif.SetField(TiffTag.SAMPLESPERPIXEL, 1);
            tif.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK); tif.SetField(TiffTag.ROWSPERSTRIP, 120);
            tif.SetField(TiffTag.SUBFILETYPE, FileType.PAGE); tif.SetField(TiffTag.PAGENUMBER, i, frames);
            tif.WriteEncodedStrip(0, buf, buf.Length);
            tif.WriteDirectory();
        }
        return path;
    }

    [Fact]
    public void TiffStack_WritesAllOutputs_OneRoiPerParticlePerFrame()
    {
        string movie = Tiff8(12), rois = Rois();
        Assert.Equal(0, Run("track", movie, "--rois", rois, "--pixel-size-nm", "0.5", "--frame-interval-s", "2", "--out", P("out")));
        Assert.Equal(1 + 2 * 12, File.ReadAllLines(P("out/areas.csv")).Length);
        var back = ImageJRoi.Read(P("out/outlines.zip"));
        Assert.Equal(2 * 12, back.Count);
        Assert.Equal(Enumerable.Range(0, 12), back.Where(o => o.Name.StartsWith("P1")).Select(o => o.Frame ?? -1).Order());
    }

    [Fact]
    public void JsonOutlines_AreReadByTheCli()
    {
        string movie = Tiff8(4), json = P("outlines.json");
        OutlineJson.Write(json, Discs.Select((d, k) => new Outline($"J{k + 1}",
            Enumerable.Range(0, 40).Select(j => new Point2d(d.X + d.R * Math.Cos(j * Math.PI / 20), d.Y + d.R * Math.Sin(j * Math.PI / 20))).ToArray())));
        Assert.Equal(0, Run("track", movie, "--rois", json, "--pixel-size-nm", "1", "--out", P("out")));
        var rows = File.ReadAllLines(P("out/areas.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(2 * 4, rows.Count);
        Assert.Equal(["J1", "J2"], rows.Select(r => r[0]).Distinct().Order());
    }

    [Fact]
    public void PngFolder_IsAMovie()
    {
        string dir = Directory.CreateDirectory(P("frames")).FullName;
        for (int i = 0; i < 6; i++) { using var m = Frame(i); Cv2.ImWrite(Path.Combine(dir, $"f{i}.png"), m); }
        Assert.Equal(0, Run("track", dir, "--rois", Rois(), "--pixel-size-nm", "1", "--out", P("out")));
        Assert.Equal(1 + 2 * 6, File.ReadAllLines(P("out/areas.csv")).Length);
    }

    [Fact]
    public void TruncatedTiff_TracksWhatCanBeRead_ExitZero_SaysWhere()
    {
        string movie = Tiff8(20);
        var bytes = File.ReadAllBytes(movie);
        File.WriteAllBytes(movie, bytes[..(bytes.Length / 2)]);
        Assert.Equal(0, Run("track", movie, "--rois", Rois(), "--pixel-size-nm", "1", "--out", P("out")));
        Assert.Contains("truncated", _stderr.ToString());
        Assert.InRange(File.ReadAllLines(P("out/areas.csv")).Length, 2, 2 * 20);
    }

    [Fact]
    public void NotAnImageJRoi_OneLineNamingFile_NoDir()
    {
        string movie = Tiff8(3), bad = P("notes.roi");
        File.WriteAllText(bad, "this is not a ROI");
        var e = Assert.ThrowsAny<Exception>(() => Run("track", movie, "--rois", bad, "--out", P("out")));
        Assert.True(e is InvalidDataException or IOException or FormatException, e.GetType().Name);
        Assert.Contains(bad, e.Message);
        Assert.False(Directory.Exists(P("out")));
    }

    [Fact]
    public void EmptyMovieFile_OneLineNamingFile_NoDir()
    {
        File.WriteAllBytes(P("empty.avi"), []);
        var e = Assert.ThrowsAny<Exception>(() => Run("track", P("empty.avi"), "--rois", Rois(), "--out", P("out")));
        Assert.Contains("empty.avi", e.Message);
        Assert.False(Directory.Exists(P("out")));
    }

    [Fact]
    public void MjpgAvi_FrameIntervalFromContainer_IsMarked()
    {
        string movie = P("movie.avi");
        using (var vw = new VideoWriter(movie, FourCC.MJPG, 25, new Size(180, 120), isColor: false))
            for (int i = 0; i < 8; i++) { using var m = Frame(i); vw.Write(m); }
        Assert.Equal(0, Run("track", movie, "--rois", Rois(), "--pixel-size-nm", "1", "--out", P("out")));
        Assert.Contains("container fps", _stderr.ToString());
        Assert.Equal("0.04", File.ReadAllLines(P("out/areas.csv"))[2].Split(',')[2]);
    }
}
