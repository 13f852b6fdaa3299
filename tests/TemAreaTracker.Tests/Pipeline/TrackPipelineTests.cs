using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenCvSharp;
using TemAreaTracker.IO;
using TemAreaTracker.Measurement;
using TemAreaTracker.Pipeline;
using Xunit;

namespace TemAreaTracker.Tests.Pipeline;

public sealed class TrackPipelineTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("trackrun-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string MoviePath => Path.Combine(_root, "movie.bin");

    private TrackResult Run(SyntheticMovie movie, string outName = "out", CalibrationRequest? cal = null, bool force = false,
        IReadOnlyList<Outline>? outlines = null) =>
        TrackPipeline.Run(new TrackRequest
        {
            Movie = movie,
            Outlines = outlines ?? SyntheticMovie.Outlines(),
            OutlineSource = Path.Combine(_root, "RoiSet.zip"),
            Calibration = cal ?? new CalibrationRequest(PixelSizeNm: 0.5, FrameIntervalS: 0.25),
            OutputDirectory = Path.Combine(_root, outName),
            Overwrite = force,
        });

    private static List<string[]> ReadCsv(string path) =>
        File.ReadAllLines(path).Select(l => l.Split(',')).ToList();

    [Fact]
    public void Run_WritesEveryOutput_WithContractNames()
    {
        var r = Run(new SyntheticMovie(MoviePath));
        var files = Directory.GetFiles(r.OutputDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { ".temtrack.json", "areas.csv", "areas.png", "areas.svg", "contact-sheet.png", "outlines.zip", "overlay.avi", "run.json" }, files);
        Assert.Equal(12, r.FramesRead);
        // Nothing else (temporary folders, spool files) is left beside or inside the output.
        Assert.Equal(new[] { "movie.bin", "out" }, Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Order().ToArray());
    }

    [Fact]
    public void Run_AreasCsv_LongForm_CalibratedByPixelArea()
    {
        var r = Run(new SyntheticMovie(MoviePath));
        var csv = ReadCsv(Path.Combine(r.OutputDirectory, "areas.csv"));
        Assert.Equal("particle,frame,time_s,area_px,area_nm2,area_sigma_nm2,equiv_diameter_nm,centroid_x_px,centroid_y_px,perimeter_nm,quality,kind",
            string.Join(",", csv[0]));
        Assert.Equal(1 + 2 * 12, csv.Count);
        var outlines = SyntheticMovie.Outlines();
        foreach (var row in csv.Skip(1))
        {
            double areaPx = double.Parse(row[3], CultureInfo.InvariantCulture);
            double areaNm2 = double.Parse(row[4], CultureInfo.InvariantCulture);
            // Each column holds 7 significant digits (half a unit in the 7th: 5e-7 relative), so two agree to 1e-6.
            Assert.InRange(areaNm2 / (areaPx * 0.25) - 1, -1e-6, 1e-6);
            Assert.Equal(int.Parse(row[1]) * 0.25, double.Parse(row[2], CultureInfo.InvariantCulture), 12);
            Assert.InRange(double.Parse(row[6], CultureInfo.InvariantCulture) / (2 * Math.Sqrt(areaNm2 / Math.PI)) - 1, -1e-6, 1e-6);
            Assert.Equal("ok", row[10]);
            Assert.Equal("particle", row[11]);
        }
        // Sorted by particle (in outline order) then frame.
        Assert.All(csv.Skip(1).Take(12), row => Assert.Equal(outlines[0].Name, row[0]));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i.ToString()), csv.Skip(1).Take(12).Select(row => row[1]));
    }

    [Fact]
    public void Run_OverlayVideo_ColourFrameSizeKept_OutlineDrawnInParticleColour()
    {
        var r = Run(new SyntheticMovie(MoviePath, width: 200, height: 150, frames: 8));
        using var cap = new VideoCapture(Path.Combine(r.OutputDirectory, "overlay.avi"));
        Assert.True(cap.IsOpened());
        Assert.Equal(8, (int)cap.Get(VideoCaptureProperties.FrameCount));
        using var img = new Mat();
        Assert.True(cap.Read(img));
        Assert.Equal(new Size(200, 150), img.Size());
        Assert.Equal(3, img.Channels());
        // Around the first outline (radius 14 about (50, 50)) some pixels are clearly blue (tab10 #1f77b4), none on a grey frame.
        var (rr, gg, bb) = global::TemAreaTracker.Plotting.OverlayStyle.ParticleRgb(0);
        int blue = 0;
        for (int k = 0; k < 96; k++)
        {
            var p = img.At<Vec3b>((int)Math.Round(50 + 14 * Math.Sin(k * Math.PI / 48)), (int)Math.Round(50 + 14 * Math.Cos(k * Math.PI / 48)));
            if (p.Item0 > p.Item2 + 60 && Math.Abs(p.Item0 - bb) < 60 && Math.Abs(p.Item2 - rr) < 60) blue++;
        }
        Assert.True(blue >= 8, $"only {blue} of 96 outline pixels in the particle's colour");
        Assert.True(blue <= 90, "outline is solid, not dotted");
    }

    [Fact]
    public void Run_RunJson_RecordsHashCalibrationDriftTimingsAndParameters()
    {
        var r = Run(new SyntheticMovie(MoviePath, frames: 6));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(r.OutputDirectory, "run.json")))!;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(MoviePath))), (string?)json["input"]!["sha256"]);
        Assert.Equal(6, (int)json["input"]!["frames_read"]!);
        Assert.Equal("--pixel-size-nm", (string?)json["calibration"]!["pixel_size_source"]);
        Assert.Equal(0.5, (double)json["calibration"]!["pixel_width_nm"]!);
        Assert.Equal("--frame-interval-s", (string?)json["calibration"]!["frame_interval_source"]);
        Assert.Equal(6, json["drift_px"]!["dx"]!.AsArray().Count);
        var methods = json["drift_px"]!["method"]!.AsArray().Select(m => (string?)m).ToList();
        Assert.Equal(6, methods.Count);
        Assert.Equal("reference", methods[0]);
        Assert.All(methods.Skip(1), m => Assert.Contains(m, new[] { "support", "whole_frame", "unmeasured" }));
        // Frames not measured on the support are said to be so.
        Assert.Equal(methods.Skip(1).Any(m => m != "support"), r.Warnings.Any(w => w.StartsWith("stage drift:")));
        Assert.Equal(4.0, (double)json["parameters"]!["track_options"]!["MaxEdgeStepPx"]!);
        Assert.False(string.IsNullOrEmpty((string?)json["tool"]!["version"]));
        foreach (var stage in new[] { "hash_s", "decode_s", "track_s", "csv_s", "plot_s", "contact_sheet_s", "outlines_zip_s", "total_s" })
            Assert.True((double)json["timings_s"]![stage]! >= 0, stage);
    }

    [Fact]
    public void Run_NoCalibration_AreasInPx2Only_AndSaysSoLoudly()
    {
        var r = Run(new SyntheticMovie(MoviePath, frames: 4), cal: new CalibrationRequest());
        Assert.Contains(r.Warnings, w => w.StartsWith("no pixel size: areas in px^2 only"));
        Assert.Contains(r.Warnings, w => w.Contains("1 frame = 1 s"));
        var csv = ReadCsv(Path.Combine(r.OutputDirectory, "areas.csv"));
        Assert.All(csv.Skip(1), row => { Assert.NotEqual("", row[3]); Assert.Equal("", row[4]); Assert.Equal("", row[9]); });
        Assert.Equal("3", csv[4][2]); // time_s = frame index
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(r.OutputDirectory, "run.json")))!;
        Assert.Equal("px^2", (string?)json["calibration"]!["area_unit"]);
        Assert.Contains(json["warnings"]!.AsArray(), w => ((string?)w)!.StartsWith("no pixel size"));
    }

    [Fact]
    public void Run_ScaleBarOption_CalibratesFromBurntInBar()
    {
        var r = Run(new SyntheticMovie(MoviePath, frames: 3, scaleBar: true), cal: new CalibrationRequest(ScaleBarNm: 50));
        Assert.Equal("scale-bar", r.Calibration.Calibration.PixelSizeSource);
        Assert.Equal(50.0 / 64, r.Calibration.Calibration.PixelWidthNm!.Value, 0.01 * 50 / 64);
    }

    [Fact]
    public void Run_ExistingOutput_RefusedWithoutForce_ReplacedWithForce_UnlessItHoldsAUsersFile()
    {
        string dir = Path.Combine(_root, "out");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "mine.txt"), "user data");
        var e = Assert.Throws<IOException>(() => Run(new SyntheticMovie(MoviePath, frames: 3)));
        Assert.Contains("--force", e.Message);
        Assert.True(File.Exists(Path.Combine(dir, "mine.txt")));
        e = Assert.Throws<IOException>(() => Run(new SyntheticMovie(MoviePath, frames: 3), force: true));
        Assert.Contains("holds mine.txt, which temtrack did not write", e.Message);
        Assert.True(File.Exists(Path.Combine(dir, "mine.txt")));

        File.Delete(Path.Combine(dir, "mine.txt"));
        Run(new SyntheticMovie(MoviePath, frames: 3), force: true);
        var stamp = File.ReadAllText(Path.Combine(dir, ".temtrack.json"));
        Run(new SyntheticMovie(MoviePath, frames: 3), force: true);
        Assert.NotEqual(stamp, File.ReadAllText(Path.Combine(dir, ".temtrack.json")));
        Assert.True(File.Exists(Path.Combine(dir, "areas.csv")));
        Assert.Equal(new[] { "movie.bin", "out" }, Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Order().ToArray());
    }

    [Fact]
    public void Run_FailsMidStream_LeavesNoPartialOutput_AndKeepsExistingWithForce()
    {
        var e = Assert.Throws<MovieFormatException>(() => Run(new SyntheticMovie(MoviePath, failAt: 5)));
        Assert.Contains("movie.bin", e.Message);
        Assert.Equal(new[] { "movie.bin" }, Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).ToArray());

        string dir = Path.Combine(_root, "out");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "areas.csv"), "an earlier run's");
        Assert.Throws<MovieFormatException>(() => Run(new SyntheticMovie(MoviePath, failAt: 2), force: true));
        Assert.Equal("an earlier run's", File.ReadAllText(Path.Combine(dir, "areas.csv")));
    }

    [Fact]
    public void Run_ZeroFrames_NamesTheMovie_NoOutput()
    {
        var e = Assert.Throws<InvalidDataException>(() => Run(new SyntheticMovie(MoviePath, frames: 0)));
        Assert.Equal($"{MoviePath}: the movie has no frames", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }

    [Fact]
    public void Run_TruncatedMovie_TracksWhatItCan_AndSaysWhereItStopped()
    {
        var r = Run(new SyntheticMovie(MoviePath, frames: 12, truncateAt: 7));
        Assert.Equal(7, r.FramesRead);
        Assert.Contains(r.Warnings, w => w.Contains("truncated at frame 7") && w.Contains("0..6"));
        Assert.Equal(1 + 2 * 7, File.ReadAllLines(Path.Combine(r.OutputDirectory, "areas.csv")).Length);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(r.OutputDirectory, "run.json")))!;
        Assert.Equal("truncated at frame 7 (byte 12345)", (string?)json["input"]!["stopped_early"]);
    }

    [Fact]
    public void Run_OutlineOutsideFrame_NamesRoiFileAndOutline_NoOutput()
    {
        var outside = new Outline("far", new[] { new Point2d(500, 500), new Point2d(520, 500), new Point2d(510, 520) });
        var e = Assert.Throws<InvalidDataException>(() => Run(new SyntheticMovie(MoviePath), outlines: [outside]));
        Assert.StartsWith(Path.Combine(_root, "RoiSet.zip") + ": outline 'far'", e.Message);
        Assert.Contains("outside the 160x120 px frame", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }

    [Fact]
    public void Run_EmptyOutline_IsAnError()
    {
        var line = new Outline("flat", new[] { new Point2d(10, 10), new Point2d(20, 10), new Point2d(30, 10) });
        var e = Assert.Throws<InvalidDataException>(() => Run(new SyntheticMovie(MoviePath), outlines: [line]));
        Assert.Contains("outline 'flat' is empty", e.Message);
    }

    [Fact]
    public void Run_Auto_DetectsOnFirstFrame_NamesP1P2()
    {
        Frame? seen = null;
        var r = TrackPipeline.Run(new TrackRequest
        {
            Movie = new SyntheticMovie(MoviePath, frames: 4),
            DetectOutlines = f => { seen = f; return SyntheticMovie.Outlines(); },
            OutlineSource = "auto",
            OutputDirectory = Path.Combine(_root, "out"),
        });
        Assert.Equal(0, seen!.Index);
        Assert.Equal(new[] { "p1", "p2" }, r.Particles.Select(p => p.Particle));
    }

    [Fact]
    public void Run_OutlineHoldingTwoDetectedParticles_IsKindCluster_InAreasCsv_WithAWarning()
    {
        // The detector (seam) splits particle-A's disc in two: its outline holds two particles.
        var (x, y, r) = SyntheticMovie.Discs[0];
        Outline Half(string name, double dx) => new(name, Enumerable.Range(0, 24)
            .Select(k => new Point2d(x + dx + 0.45 * r * Math.Cos(k * Math.PI / 12), y + 0.45 * r * Math.Sin(k * Math.PI / 12))).ToArray());
        var warnings = new List<string>();
        var result = TrackPipeline.Run(new TrackRequest
        {
            Movie = new SyntheticMovie(MoviePath, frames: 4),
            Outlines = SyntheticMovie.Outlines(),
            DetectOutlines = _ => [Half("a", -0.5 * r), Half("b", 0.5 * r), SyntheticMovie.Outlines()[1]],
            OutputDirectory = Path.Combine(_root, "out"),
            WriteOverlayVideo = false,
            OnWarning = warnings.Add,
        });
        var csv = ReadCsv(Path.Combine(result.OutputDirectory, "areas.csv"));
        Assert.All(csv.Skip(1), row => Assert.Equal(row[0] == "particle-A" ? "cluster" : "particle", row[11]));
        Assert.All(result.Rows, row => Assert.Equal(row.Particle == "particle-A" ? ParticleKind.Cluster : ParticleKind.Particle, row.Kind));
        Assert.Contains(warnings, w => w.Contains("'particle-A' is a cluster") && w.Contains("2 particles found by the particle detector"));
    }

    [Fact]
    public void Run_SixteenBitUnknownLength_ContactSheetHasFivePanels()
    {
        var r = Run(new SyntheticMovie(MoviePath, frames: 40, declareCount: false, sixteenBit: true));
        using var sheet = Cv2.ImRead(Path.Combine(r.OutputDirectory, "contact-sheet.png"));
        Assert.False(sheet.Empty());
        // Five panels of 160 px scaled to 320 px (2x cap) plus six 6-px gaps.
        Assert.Equal(5 * 320 + 6 * 6, sheet.Width);
    }

    [Fact]
    public void Run_WithoutOverlayVideo_WritesTheRest()
    {
        var r = TrackPipeline.Run(new TrackRequest
        {
            Movie = new SyntheticMovie(MoviePath, frames: 30, declareCount: false),
            Outlines = SyntheticMovie.Outlines(),
            OutputDirectory = Path.Combine(_root, "out"),
            WriteOverlayVideo = false,
        });
        Assert.False(File.Exists(Path.Combine(r.OutputDirectory, "overlay.avi")));
        using var sheet = Cv2.ImRead(Path.Combine(r.OutputDirectory, "contact-sheet.png"));
        Assert.Equal(5 * 320 + 6 * 6, sheet.Width);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(r.OutputDirectory, "run.json")))!;
        Assert.DoesNotContain(json["outputs"]!.AsArray(), o => (string?)o == "overlay.avi");
    }

    [Fact]
    public void Run_Progress_ReportedEveryFrame()
    {
        var seen = new List<TrackProgress>();
        TrackPipeline.Run(new TrackRequest
        {
            Movie = new SyntheticMovie(MoviePath, frames: 5),
            Outlines = SyntheticMovie.Outlines(),
            OutputDirectory = Path.Combine(_root, "out"),
            Progress = new SyncProgress(seen.Add),
        });
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, seen.Select(p => p.FramesDone));
        Assert.All(seen, p => Assert.Equal(5, p.FrameCount));
    }

    [Fact]
    public void Run_CalibrationWarnings_ArriveBeforeTracking()
    {
        var events = new List<string>();
        TrackPipeline.Run(new TrackRequest
        {
            Movie = new SyntheticMovie(MoviePath, frames: 3),
            Outlines = SyntheticMovie.Outlines(),
            OutputDirectory = Path.Combine(_root, "out"),
            OnWarning = w => events.Add("warning: " + w),
            Progress = new SyncProgress(p => events.Add($"frame {p.FramesDone}")),
        });
        int firstFrame = events.IndexOf("frame 1");
        Assert.True(events.FindIndex(e => e.StartsWith("warning: no pixel size")) is int i && i >= 0 && i < firstFrame);
    }

    private sealed class SyncProgress(Action<TrackProgress> report) : IProgress<TrackProgress>
    {
        public void Report(TrackProgress value) => report(value);
    }
}
