using System.Security.Cryptography;
using OpenCvSharp;
using TemAreaTracker.IO;
using TemAreaTracker.Measurement;
using TemAreaTracker.Plotting;
using TemAreaTracker.Reporting;
using TemAreaTracker.Tracking;
using Xunit;

namespace TemAreaTracker.Tests.Reporting;

public class AreaCsvWriterTests
{
    [Fact]
    public void Write_MissingValuesEmpty_QualitySpelledOut_OrderedByParticleThenFrame()
    {
        var rows = new[]
        {
            new ParticleAreaRow("b", 1, 0.5, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, TrackQuality.OutOfView),
            new ParticleAreaRow("b", 0, 0.0, 10, 2.5, 0.1, 1.78, 3, 4, 5, TrackQuality.Weak),
            new ParticleAreaRow("a", 0, 0.0, 12.25, 3.0625, 0.2, 1.9, 6, 7, 8, TrackQuality.Ok),
            new ParticleAreaRow("a", 1, 0.5, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, TrackQuality.Lost),
        };
        var sw = new StringWriter();
        AreaCsvWriter.Write(sw, rows);
        var lines = sw.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(string.Join(",", AreaCsvWriter.Columns), lines[0]);
        Assert.Equal("b,0,0,10,2.5,0.1,1.78,3,4,5,weak,particle", lines[1]);
        Assert.Equal("b,1,0.5,,,,,,,,out_of_view,particle", lines[2]);
        Assert.Equal("a,0,0,12.25,3.0625,0.2,1.9,6,7,8,ok,particle", lines[3]);
        Assert.Equal("a,1,0.5,,,,,,,,lost,particle", lines[4]);
    }

    [Fact]
    public void Write_KindColumnLast_AfterTheEarlierColumnsInTheirOrder()
    {
        Assert.Equal(["particle", "frame", "time_s", "area_px", "area_nm2", "area_sigma_nm2", "equiv_diameter_nm",
            "centroid_x_px", "centroid_y_px", "perimeter_nm", "quality", "kind"], AreaCsvWriter.Columns);
        var sw = new StringWriter();
        AreaCsvWriter.Write(sw, [new ParticleAreaRow("c", 0, 0, 1, 1, 0, 1, 0, 0, 1, TrackQuality.Ok, ParticleKind.Cluster)]);
        Assert.EndsWith(",ok,cluster", sw.ToString().Split('\n')[1]);
    }

    [Fact]
    public void Write_TimeTo1Microsecond_AreasAndLengthsTo7SignificantDigits()
    {
        // Frame 3 at 0.077 s per frame is 0.23099999999999998 in binary: written as 0.231.
        double t = 3 * 0.077;
        Assert.NotEqual("0.231", t.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        var row = new ParticleAreaRow("p", 3, t, 1495.4291234, 3364.71553217, 17.100451, 65.4529512, 56.187431, 123.615349, 205.706221, TrackQuality.Ok);
        var sw = new StringWriter();
        AreaCsvWriter.Write(sw, [row, row with { Frame = 4, TimeS = 12.3456789012 }]);
        var lines = sw.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal("p,3,0.231,1495.429,3364.716,17.10045,65.45295,56.18743,123.6153,205.7062,ok,particle", lines[1]);
        Assert.StartsWith("p,4,12.345679,", lines[2]);
    }

    [Fact]
    public void Write_QuotesParticleNamesWithCommas()
    {
        var sw = new StringWriter();
        AreaCsvWriter.Write(sw, [new ParticleAreaRow("cluster, left", 0, 0, 1, 1, 0, 1, 0, 0, 1, TrackQuality.Ok)]);
        Assert.StartsWith("\"cluster, left\",0,", sw.ToString().Split('\n')[1]);
    }

    [Theory]
    [InlineData(TrackQuality.Ok, "ok")]
    [InlineData(TrackQuality.Weak, "weak")]
    [InlineData(TrackQuality.OutOfView, "out_of_view")]
    [InlineData(TrackQuality.Lost, "lost")]
    public void QualityName_RoundTrips(TrackQuality q, string name)
    {
        Assert.Equal(name, ParticleAreaRow.QualityName(q));
        Assert.Equal(q, ParticleAreaRow.ParseQuality(name));
    }
}

public class ContactSheetSamplerTests
{
    private static ContactSheetPanel Panel(int i) => new(i, i, new Mat(4, 4, MatType.CV_8UC1), []);

    [Fact]
    public void KnownCount_KeepsExactlyEvenlySpacedFrames_FirstAndLast()
    {
        using var s = new ContactSheetSampler(5, 101);
        for (int i = 0; i < 101; i++) if (s.Wants(i)) s.Offer(i, () => Panel(i));
        var picked = s.Pick(101);
        Assert.Equal(new[] { 0, 25, 50, 75, 100 }, picked.Select(p => p.FrameIndex));
        foreach (var p in picked) p.Dispose();
    }

    [Fact]
    public void UnknownCount_BoundedMemory_PicksNearEvenSpacingWithLastFrame()
    {
        using var s = new ContactSheetSampler(5, null, reservoir: 16);
        int maxHeld = 0;
        for (int i = 0; i < 5000; i++)
        {
            if (s.Wants(i)) s.Offer(i, () => Panel(i));
            maxHeld = Math.Max(maxHeld, s.Held);
        }
        Assert.True(maxHeld <= 18, $"held {maxHeld} frames");
        var picked = s.Pick(5000).Select(p => p.FrameIndex).ToArray();
        Assert.Equal(5, picked.Length);
        Assert.Equal(0, picked[0]);
        Assert.Equal(4999, picked[^1]);
        var even = ContactSheetSampler.EvenTargets(5000, 5);
        for (int k = 0; k < 5; k++) Assert.InRange(picked[k], even[k] - 5000 / 8, even[k] + 5000 / 8);
    }

    [Fact]
    public void TruncatedKnownCount_FallsBackOnReservoir()
    {
        using var s = new ContactSheetSampler(5, 1000);
        for (int i = 0; i < 300; i++) if (s.Wants(i)) s.Offer(i, () => Panel(i));
        var picked = s.Pick(300).Select(p => p.FrameIndex).ToArray();
        Assert.Equal(5, picked.Length);
        Assert.Equal(0, picked[0]);
        Assert.InRange(picked[^1], 250, 299);
    }

    [Fact]
    public void FewerFramesThanPanels_PicksEachOnce()
    {
        using var s = new ContactSheetSampler(5, 3);
        for (int i = 0; i < 3; i++) if (s.Wants(i)) s.Offer(i, () => Panel(i));
        Assert.Equal(new[] { 0, 1, 2 }, s.Pick(3).Select(p => p.FrameIndex));
    }
}

public sealed class InputHashTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hash-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void File_IsSha256OfBytes()
    {
        string f = Path.Combine(_root, "a.bin");
        var bytes = Enumerable.Range(0, 3_000_000).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(f, bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), InputHash.Sha256(f));
    }

    [Fact]
    public void Folder_ChangesWithNamesAndContents_NotWithCreationOrder()
    {
        string d1 = Directory.CreateDirectory(Path.Combine(_root, "d1")).FullName;
        string d2 = Directory.CreateDirectory(Path.Combine(_root, "d2")).FullName;
        File.WriteAllText(Path.Combine(d1, "f001.png"), "one");
        File.WriteAllText(Path.Combine(d1, "f002.png"), "two");
        File.WriteAllText(Path.Combine(d2, "f002.png"), "two");
        File.WriteAllText(Path.Combine(d2, "f001.png"), "one");
        Assert.Equal(InputHash.Sha256(d1), InputHash.Sha256(d2));
        File.Move(Path.Combine(d2, "f002.png"), Path.Combine(d2, "f003.png"));
        Assert.NotEqual(InputHash.Sha256(d1), InputHash.Sha256(d2));
        File.WriteAllText(Path.Combine(d1, "f001.png"), "uno");
        File.Move(Path.Combine(d2, "f003.png"), Path.Combine(d2, "f002.png"));
        Assert.NotEqual(InputHash.Sha256(d1), InputHash.Sha256(d2));
    }
}

public sealed class AreaPlotTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("plot-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void Save_WritesPngAndSvg_LegendNamesEachParticle()
    {
        var rows = Enumerable.Range(0, 20).SelectMany(f => new[]
        {
            new ParticleAreaRow("p1", f, f * 0.5, 100 + f, 25 + f / 4.0, 0, 0, 0, 0, 0, TrackQuality.Ok),
            new ParticleAreaRow("p2", f, f * 0.5, 200 + f, 50 + f / 4.0, 0, 0, 0, 0, 0, f == 7 ? TrackQuality.Lost : TrackQuality.Ok),
        }).ToList();
        var plot = AreaPlot.Create(rows, ["p1", "p2"], calibrated: true, timeIsFrameIndex: false);
        string png = Path.Combine(_root, "areas.png"), svg = Path.Combine(_root, "areas.svg");
        AreaPlot.Save(plot, png, svg);
        using var img = Cv2.ImRead(png);
        Assert.Equal(new Size(900, 560), img.Size());
        string text = File.ReadAllText(svg);
        Assert.Contains("Projected area (nm²)", text);
        Assert.Contains("Time (s)", text);
        Assert.Matches(@">\s*p2\s*<", text);
        // The lost frame splits p2 into two runs; the legend still lists it once.
        Assert.Equal(3, plot.GetPlottables().Count());
        Assert.Equal(2, plot.GetPlottables().SelectMany(p => p.LegendItems).Count(li => !string.IsNullOrEmpty(li.LabelText)));
    }

    [Fact]
    public void Create_Uncalibrated_AxesSaySo()
    {
        var rows = new[] { new ParticleAreaRow("p1", 0, 0, 100, double.NaN, double.NaN, double.NaN, 1, 1, double.NaN, TrackQuality.Ok) };
        var plot = AreaPlot.Create(rows, ["p1"], calibrated: false, timeIsFrameIndex: true);
        Assert.Contains("px²", plot.Axes.Left.Label.Text);
        Assert.Contains("1 frame = 1 s", plot.Axes.Bottom.Label.Text);
    }
}

public sealed class OverlayVideoWriterTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("overlay-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void Add_ParallelEncoding_KeepsFrameOrderAndSize()
    {
        string path = Path.Combine(_root, "overlay.avi");
        var outline = new Outline("p1", Enumerable.Range(0, 32).Select(k => new Point2d(60 + 20 * Math.Cos(k * Math.PI / 16), 40 + 20 * Math.Sin(k * Math.PI / 16))).ToArray());
        using (var w = new OverlayVideoWriter(path, 150, 100, 10, queueLength: 4))
        {
            Assert.True(w.IsRawMuxing, "FFmpeg raw muxing unavailable: the slow fallback is in use");
            for (int i = 0; i < 20; i++)
                w.Add(new Mat(100, 150, MatType.CV_8UC1, new Scalar(10 * i)), [new OverlayMark(outline, 1, "p1")]);
            w.Complete();
            Assert.Equal(20, w.FramesWritten);
        }
        using var cap = new VideoCapture(path);
        using var f = new Mat();
        for (int i = 0; i < 20; i++)
        {
            Assert.True(cap.Read(f), $"frame {i} missing");
            Assert.Equal(new Size(150, 100), f.Size());
            // A corner far from the outline keeps the frame's own grey: frames come back in the order given.
            Assert.InRange(f.At<Vec3b>(95, 145).Item1, 10 * i - 3, 10 * i + 3);
        }
        Assert.False(cap.Read(f) && !f.Empty());
    }

    [Fact]
    public void Add_LargeFrames_ScaledToTheCap_OutlineAtItsScaledPosition()
    {
        string path = Path.Combine(_root, "big.avi");
        // A circle of radius 200 about (500, 380) on a 1000x760 frame: at the 512 px cap (scale 0.512) it is a
        // circle of radius 102.4 about (256, 194.6) in the video.
        var outline = new Outline("p1", Enumerable.Range(0, 256).Select(k => new Point2d(500 + 200 * Math.Cos(k * Math.PI / 128), 380 + 200 * Math.Sin(k * Math.PI / 128))).ToArray());
        using (var w = new OverlayVideoWriter(path, 1000, 760, 10, maxSidePx: 512))
        {
            Assert.Equal(new Size(512, 389), w.VideoSize);
            Assert.Equal(0.512, w.Scale, 12);
            for (int i = 0; i < 3; i++) w.Add(new Mat(760, 1000, MatType.CV_8UC1, new Scalar(128)), [new OverlayMark(outline, 0, "p1")]);
            w.Complete();
        }
        using var cap = new VideoCapture(path);
        using var f = new Mat();
        Assert.True(cap.Read(f));
        Assert.Equal(new Size(512, 389), f.Size());
        // Coloured pixels lie on the scaled circle (within the dot radius and JPEG blur), none far from it.
        int on = 0, off = 0, rows = f.Rows, cols = f.Cols;
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++)
            {
                var p = f.At<Vec3b>(y, x);
                if (Math.Max(p.Item0, Math.Max(p.Item1, p.Item2)) - Math.Min(p.Item0, Math.Min(p.Item1, p.Item2)) < 50) continue;
                double r = Math.Sqrt((x - 256.0) * (x - 256.0) + (y - 194.56) * (y - 194.56));
                if (Math.Abs(r - 102.4) <= 2.5) on++;
                else if (Math.Abs(r - 102.4) > 6 && y > 95) off++; // the label sits above the outline
            }
        Assert.True(on >= 100, $"only {on} coloured pixels on the scaled outline");
        Assert.True(off < on / 10, $"{off} coloured pixels away from the outline");
    }

    [Fact]
    public void Add_WrongFrameSize_Refused()
    {
        using var w = new OverlayVideoWriter(Path.Combine(_root, "x.avi"), 150, 100, 10);
        Assert.Throws<ArgumentException>(() => w.Add(new Mat(50, 50, MatType.CV_8UC1), []));
    }
}

public sealed class ContactSheetTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sheet-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    /// <summary>The sheet's first panel at its bottom-right corner, where our scale bar's black box goes.</summary>
    private Vec3b CornerOfFirstPanel(bool burntInBar)
    {
        var frame = new Mat(200, 200, MatType.CV_8UC1);
        Cv2.Randn(frame, new Scalar(128), new Scalar(4));
        if (burntInBar) Cv2.Rectangle(frame, new Rect(12, 186, 60, 4), Scalar.All(255), -1);
        string path = Path.Combine(_root, $"sheet-{burntInBar}.png");
        using (var panel = new ContactSheetPanel(0, 0, frame, []))
            ContactSheet.Save(path, [panel], nmPerPixel: 0.5, burntInScaleBar: ScaleBarDetector.Find(frame)); // as the pipeline finds it
        using var sheet = Cv2.ImRead(path);
        const int gap = 6, panelPx = 360; // 200 px frames drawn 1.8× into 360 px panels, under a caption strip
        return sheet.At<Vec3b>(sheet.Height - gap - 7, gap + panelPx - 7);
    }

    /// <summary>Panel letters and times sit in a caption above the frames, so a burnt-in time stamp stays readable.</summary>
    [Fact]
    public void Captions_DoNotCoverABurntInTimeStamp()
    {
        var frame = new Mat(200, 200, MatType.CV_8UC1, Scalar.All(128));
        Cv2.Rectangle(frame, new Rect(0, 0, 50, 14), Scalar.All(255), -1); // a white stamp box, top left
        string path = Path.Combine(_root, "sheet-stamp.png");
        using (var panel = new ContactSheetPanel(0, 12.5, frame, []))
            ContactSheet.Save(path, [panel]);
        using var sheet = Cv2.ImRead(path);
        const int gap = 6, panelPx = 360;
        int top = sheet.Height - gap - panelPx;
        Assert.True(top > gap, "no caption strip above the panel");
        for (int y = top + 2; y < top + 20; y += 4)
            for (int x = gap + 2; x < gap + 80; x += 8)
                Assert.True(sheet.At<Vec3b>(y, x).Item0 > 240, $"stamp covered at ({x},{y})");
        // The caption strip carries dark text.
        bool ink = false;
        for (int y = gap; y < top; y++)
            for (int x = gap; x < gap + panelPx; x++)
                ink |= sheet.At<Vec3b>(y, x).Item0 < 100;
        Assert.True(ink, "caption strip is empty");
    }

    /// <summary>
    /// A short bar's label ("50 nm") is wider than the bar: it must stay inside the panel (it used to be centred over
    /// the bar and lose its last letter past the right edge), with the black box all round it.
    /// </summary>
    [Theory]
    [InlineData(1.5, 256)]   // sample movie 02: 256 px at 1.5 nm, 50 nm bar
    [InlineData(0.37, 200)]
    [InlineData(3.0, 96)]
    public void ScaleBarLabel_StaysInsideThePanel(double nmPerPixel, int sizePx)
    {
        var frame = new Mat(sizePx, sizePx, MatType.CV_8UC1, Scalar.All(128));
        string path = Path.Combine(_root, $"sheet-label-{sizePx}.png");
        using (var panel = new ContactSheetPanel(0, 0, frame, []))
            ContactSheet.Save(path, [panel], nmPerPixel: nmPerPixel);
        using var sheet = Cv2.ImRead(path);
        const int gap = 6;
        int panelPx = (int)Math.Round(sizePx * Math.Min(2.0, 360.0 / sizePx));
        int height = sheet.Height;
        int right = gap + panelPx - 1, top = height - gap - panelPx;
        // White text or bar ink in the panel's last two columns means the label ran into the edge.
        for (int y = top; y < height - gap; y++)
            for (int x = right - 1; x <= right; x++)
                Assert.True(sheet.At<Vec3b>(y, x).Item0 < 200, $"white ink at the panel's right edge ({x},{y})");
        // Past the panel, the sheet's white margin is untouched ink-wise (nothing drawn beyond the panel).
        Assert.Equal(new Vec3b(255, 255, 255), sheet.At<Vec3b>(sheet.Height - gap - 20, right + 3));
    }

    [Fact]
    public void ScaleBar_DrawnOnPlainFrame_NotOverABurntInOne()
    {
        Assert.Equal(new Vec3b(0, 0, 0), CornerOfFirstPanel(burntInBar: false));
        var kept = CornerOfFirstPanel(burntInBar: true);
        Assert.InRange((int)kept.Item0, 100, 160); // the frame's own grey: no box of ours drawn
    }
}
