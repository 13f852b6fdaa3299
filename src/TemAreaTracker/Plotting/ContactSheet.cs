using System.Globalization;
using OpenCvSharp;
using TemAreaTracker.Measurement;

namespace TemAreaTracker.Plotting;

/// <summary>One frame kept for the contact sheet: its 8-bit display pixels, time and outlines.</summary>
/// <param name="FrameIndex">Zero-based frame index.</param>
/// <param name="TimeS">Time of the frame in s (or frame index when uncalibrated).</param>
/// <param name="Gray8">8-bit display pixels (owned by the panel).</param>
/// <param name="Marks">Outlines to draw.</param>
internal sealed record ContactSheetPanel(int FrameIndex, double TimeS, Mat Gray8, IReadOnlyList<OverlayMark> Marks) : IDisposable
{
    public void Dispose() => Gray8.Dispose();
}

/// <summary>
/// Chooses which frames of a stream go on the contact sheet: evenly spaced over the movie, first and last included.
/// </summary>
/// <remarks>
/// With a known frame count the targets are fixed in advance and only those frames are copied. With an unknown count
/// (some videos) a bounded reservoir keeps every <c>stride</c>-th frame, halving itself and doubling the stride when
/// full, and the last frame is always kept, so memory is bounded whatever the length and the picks stay within one
/// stride of even spacing. A truncated movie falls back on the reservoir in the same way.
/// </remarks>
internal sealed class ContactSheetSampler : IDisposable
{
    private readonly int _panels;
    private readonly int _capacity;
    private readonly HashSet<int> _targets = [];
    private readonly SortedDictionary<int, ContactSheetPanel> _kept = [];
    private ContactSheetPanel? _last;
    private int _stride = 1;

    /// <summary>Starts a sampler for <paramref name="panels"/> frames.</summary>
    /// <param name="panels">Frames on the sheet (≥ 2).</param>
    /// <param name="frameCount">Frames the movie declares, or null when unknown.</param>
    /// <param name="reservoir">Frames the reservoir may hold (≥ 2 × panels).</param>
    public ContactSheetSampler(int panels, int? frameCount, int reservoir = 16)
    {
        if (panels < 2) throw new ArgumentOutOfRangeException(nameof(panels), $"need at least 2 panels, got {panels}");
        _panels = panels;
        _capacity = Math.Max(2 * panels, reservoir);
        FrameCount = frameCount;
        if (frameCount is int n && n > 0)
            foreach (int t in EvenTargets(n, panels)) _targets.Add(t);
    }

    /// <summary>Declared frame count, or null.</summary>
    public int? FrameCount { get; }

    /// <summary>Frames currently held (bounded by the reservoir plus the targets).</summary>
    public int Held => _kept.Count + (_last is null ? 0 : 1);

    /// <summary>Evenly spaced indices over <paramref name="count"/> frames, first and last included, distinct.</summary>
    public static IReadOnlyList<int> EvenTargets(int count, int panels) =>
        Enumerable.Range(0, panels).Select(i => (int)Math.Round(i * (count - 1) / (double)(panels - 1))).Distinct().ToList();

    /// <summary>True when frame <paramref name="index"/> should be offered (so the caller copies only those).</summary>
    public bool Wants(int index) => _targets.Contains(index) || index % _stride == 0 || FrameCount is null;

    /// <summary>True when frame <paramref name="index"/> is currently kept (its pixels now belong to the sampler).</summary>
    public bool Holds(int index) => _kept.ContainsKey(index) || _last?.FrameIndex == index;

    /// <summary>Offers frame <paramref name="index"/>; <paramref name="capture"/> is called only if the frame is kept.</summary>
    public void Offer(int index, Func<ContactSheetPanel> capture)
    {
        bool target = _targets.Contains(index);
        bool reservoir = index % _stride == 0;
        if (target || reservoir)
        {
            _kept[index] = capture();
            if (!target && _kept.Count(k => !_targets.Contains(k.Key)) > _capacity) Thin();
        }
        else if (FrameCount is null)
        {
            _last?.Dispose();
            _last = capture();
        }
        if (_last is not null && _kept.ContainsKey(index)) { _last.Dispose(); _last = null; }
    }

    private void Thin()
    {
        _stride *= 2;
        foreach (var k in _kept.Keys.Where(k => !_targets.Contains(k) && k % _stride != 0).ToList())
        {
            _kept[k].Dispose();
            _kept.Remove(k);
        }
    }

    /// <summary>Picks the panels for a movie of which <paramref name="framesRead"/> frames were read (ownership passes to the caller).</summary>
    public IReadOnlyList<ContactSheetPanel> Pick(int framesRead)
    {
        var pool = new SortedDictionary<int, ContactSheetPanel>(_kept);
        if (_last is not null) pool[_last.FrameIndex] = _last;
        _kept.Clear();
        _last = null;
        var picked = new List<ContactSheetPanel>();
        if (framesRead <= 0 || pool.Count == 0) return picked;
        foreach (int t in EvenTargets(framesRead, _panels))
        {
            var best = pool.Keys.OrderBy(k => Math.Abs(k - t)).FirstOrDefault(-1);
            if (best < 0) break;
            picked.Add(pool[best]);
            pool.Remove(best);
        }
        foreach (var p in pool.Values) p.Dispose();
        return picked.OrderBy(p => p.FrameIndex).ToList();
    }

    public void Dispose()
    {
        foreach (var p in _kept.Values) p.Dispose();
        _kept.Clear();
        _last?.Dispose();
        _last = null;
    }
}

/// <summary>Renders a row of frames with their outlines and time labels, like the paper's Figure 2a–e.</summary>
internal static class ContactSheet
{
    /// <summary>
    /// Draws <paramref name="panels"/> side by side, each scaled to <paramref name="panelWidthPx"/>, lettered (a), (b), …
    /// and captioned with its time above the frame, and saves a PNG.
    /// </summary>
    /// <param name="path">Output .png.</param>
    /// <param name="panels">Frames in order.</param>
    /// <param name="timeUnit">Unit shown after the time ("s", or "frame" when uncalibrated).</param>
    /// <param name="panelWidthPx">Width of each panel in px (frames are scaled, aspect kept, never enlarged above 2×).</param>
    /// <param name="nmPerPixel">Pixel size for a scale bar on the first panel (unless it has a burnt-in one), or null for none.</param>
    /// <param name="burntInScaleBar">
    /// The scale bar burnt into the first panel's frame (<see cref="ScaleBarDetector.Find"/> on its pixels), or null: a
    /// frame that carries one keeps it, and ours is not drawn over it.
    /// </param>
    public static void Save(string path, IReadOnlyList<ContactSheetPanel> panels, string timeUnit = "s", int panelWidthPx = 360, double? nmPerPixel = null,
        Measurement.ScaleBar? burntInScaleBar = null)
    {
        if (panels.Count == 0) throw new ArgumentException("no panels to draw", nameof(panels));
        int fw = panels[0].Gray8.Width, fh = panels[0].Gray8.Height;
        double scale = Math.Min(2.0, panelWidthPx / (double)fw);
        int pw = (int)Math.Round(fw * scale), ph = (int)Math.Round(fh * scale);
        const int gap = 6;
        // Letter and time go in a caption strip above each panel, not on the frame: movies carry burnt-in time stamps,
        // scale bars and detector labels in their corners, and a label of ours would cover them.
        double fontScale = Math.Max(0.45, pw / 520.0);
        int thickness = Math.Max(1, (int)Math.Round(fontScale * 1.5));
        var textSize = Cv2.GetTextSize("(a) t = 0.0 s", HersheyFonts.HersheySimplex, fontScale, thickness, out int baseline);
        int caption = textSize.Height + baseline + gap;
        int width = panels.Count * pw + (panels.Count + 1) * gap, height = caption + ph + 2 * gap;
        using var sheet = new Mat(height, width, MatType.CV_8UC3, Scalar.White);
        for (int i = 0; i < panels.Count; i++)
        {
            var p = panels[i];
            using var small = new Mat();
            Cv2.Resize(p.Gray8, small, new Size(pw, ph), 0, 0, scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Cubic);
            using var bgr = new Mat();
            Cv2.CvtColor(small, bgr, ColorConversionCodes.GRAY2BGR);
            OverlayStyle.DrawMarks(bgr, p.Marks, scale);
            // A frame that already carries a burnt-in scale bar keeps it: ours would cover it (and say the same).
            if (i == 0 && nmPerPixel is double nm && nm > 0 && burntInScaleBar is null) ScaleBar(bgr, nm / scale);
            int left = gap + i * (pw + gap);
            using var dst = new Mat(sheet, new Rect(left, gap + caption, pw, ph));
            bgr.CopyTo(dst);

            string letter = $"({(char)('a' + i % 26)})";
            string time = timeUnit == "s"
                ? $"t = {p.TimeS.ToString(p.TimeS >= 100 ? "F0" : "0.##", CultureInfo.InvariantCulture)} s"
                : $"frame {p.FrameIndex}";
            int textY = gap + textSize.Height;
            Cv2.PutText(sheet, letter, new Point(left, textY), HersheyFonts.HersheySimplex, fontScale, Scalar.Black, thickness, LineTypes.AntiAlias);
            int timeWidth = Cv2.GetTextSize(time, HersheyFonts.HersheySimplex, fontScale, thickness, out _).Width;
            Cv2.PutText(sheet, time, new Point(left + pw - gap - timeWidth, textY), HersheyFonts.HersheySimplex, fontScale, Scalar.Black, thickness, LineTypes.AntiAlias);
        }
        // Encoded here and written by .NET: OpenCV's imwrite reports a full disk only as "libpng error" on stderr.
        Cv2.ImEncode(".png", sheet, out byte[] png);
        File.WriteAllBytes(path, png);
    }

    /// <summary>A white bar of a round length (1, 2 or 5 × 10^k nm) about a fifth of the panel wide, bottom right.</summary>
    private static void ScaleBar(Mat bgr, double nmPerPanelPx)
    {
        double target = bgr.Width / 5.0 * nmPerPanelPx;
        double pow = Math.Pow(10, Math.Floor(Math.Log10(target)));
        double nice = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * pow).Last(v => v <= target);
        int len = (int)Math.Round(nice / nmPerPanelPx);
        string text = nice >= 1000 ? $"{nice / 1000:0.#} um" : $"{nice:0.#} nm";
        double fs = Math.Max(0.45, bgr.Width / 520.0);
        int thick = Math.Max(1, (int)Math.Round(fs * 1.5));
        var size = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, fs, thick, out int baseline);
        int barH = Math.Max(3, bgr.Height / 90);
        int x1 = bgr.Width - 10, x0 = x1 - len, y1 = bgr.Height - 10, y0 = y1 - barH;
        // The label is centred over the bar, but never past the panel's right edge (a short bar's label is wider).
        int textX = Math.Min(x1 - (len + size.Width) / 2, bgr.Width - 10 - size.Width);
        var box = new Rect(Math.Min(x0, textX) - 6, y0 - size.Height - baseline - 10, Math.Max(x1, textX + size.Width) - Math.Min(x0, textX) + 12,
            y1 - y0 + size.Height + baseline + 16);
        Cv2.Rectangle(bgr, box, Scalar.Black, -1);
        Cv2.Rectangle(bgr, new Point(x0, y0), new Point(x1, y1), Scalar.White, -1);
        Cv2.PutText(bgr, text, new Point(textX, y0 - baseline - 4), HersheyFonts.HersheySimplex, fs, Scalar.White, thick, LineTypes.AntiAlias);
    }
}
