using OpenCvSharp;

namespace TemAreaTracker.Plotting;

/// <summary>
/// How tracked outlines are drawn on frames (overlay video, contact sheet) and which colour each particle gets,
/// shared with the area plot so a particle has one colour everywhere.
/// </summary>
internal static class OverlayStyle
{
    // Category10 (matplotlib "tab10", ScottPlot's default palette) as 0xRRGGBB: distinct on grey TEM frames and in print.
    private static readonly int[] Rgb =
    [
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    ];

    /// <summary>Colour of particle number <paramref name="index"/> (order of the outlines) as (r, g, b) bytes.</summary>
    public static (byte R, byte G, byte B) ParticleRgb(int index)
    {
        int c = Rgb[((index % Rgb.Length) + Rgb.Length) % Rgb.Length];
        return ((byte)(c >> 16), (byte)(c >> 8), (byte)c);
    }

    /// <summary>Colour of particle <paramref name="index"/> as an OpenCV BGR scalar.</summary>
    public static Scalar ParticleBgr(int index)
    {
        var (r, g, b) = ParticleRgb(index);
        return new Scalar(b, g, r);
    }

    /// <summary>Colour of particle <paramref name="index"/> for ScottPlot.</summary>
    public static ScottPlot.Color ParticleColor(int index)
    {
        var (r, g, b) = ParticleRgb(index);
        return new ScottPlot.Color(r, g, b);
    }

    private const int SubPixelBits = 4, SubPixelScale = 1 << SubPixelBits;

    /// <summary>
    /// Draws every mark of one frame: outlines that enclose two or more of the others (a whole-cluster outline) first, as
    /// a translucent band, then the rest as dotted lines on top. A cluster's outline runs along its members' outer rims,
    /// and two dotted lines on one path alternate colours dot by dot so that neither reads; the band under the dots
    /// keeps both visible.
    /// </summary>
    /// <param name="bgr">Image to draw on (3-channel, 8-bit).</param>
    /// <param name="marks">The frame's outlines with colour and label.</param>
    /// <param name="scale">Image px per outline px.</param>
    public static void DrawMarks(Mat bgr, IReadOnlyList<OverlayMark> marks, double scale = 1)
    {
        var labels = new List<Rect>();
        var containers = marks.Where(m => Encloses(m, marks) >= 2).ToList();
        foreach (var m in containers)
            DrawBand(bgr, m.Outline, ParticleBgr(m.ColorIndex), m.Label, scale, labels);
        foreach (var m in marks)
            if (!containers.Contains(m)) DrawDotted(bgr, m.Outline, ParticleBgr(m.ColorIndex), m.Label, scale, labels);
    }

    /// <summary>How many other marks have their centroid inside <paramref name="mark"/>'s outline.</summary>
    private static int Encloses(OverlayMark mark, IReadOnlyList<OverlayMark> marks)
    {
        if (mark.Outline.VerticesPx.Count < 3) return 0;
        var poly = mark.Outline.VerticesPx.Select(v => new Point2f((float)v.X, (float)v.Y)).ToArray();
        return marks.Count(o => !ReferenceEquals(o, mark) && o.Outline.VerticesPx.Count >= 3
            && Cv2.PointPolygonTest(poly, new Point2f((float)o.Outline.Centroid.X, (float)o.Outline.Centroid.Y), false) > 0);
    }

    /// <summary>
    /// Draws <paramref name="outline"/> as a translucent band whose inner edge lies on the outline (so it shows beside,
    /// not under, the members' dots along the shared rim), with its name below.
    /// </summary>
    private static void DrawBand(Mat bgr, Outline outline, Scalar color, string? label, double scale, List<Rect> placedLabels)
    {
        var v = outline.VerticesPx;
        if (v.Count < 3) return;
        int size = Math.Max(bgr.Width, bgr.Height);
        int width = Math.Max(4, (int)Math.Round(size / 70.0));
        // Outward normal at each vertex from its neighbours; the sign of the signed area says which side is out.
        double sign = Outline.SignedAreaPx(v) > 0 ? 1 : -1;
        double offset = width / 2.0 + 1;
        var pts = new Point[v.Count];
        for (int i = 0; i < v.Count; i++)
        {
            var a = v[(i - 1 + v.Count) % v.Count];
            var b = v[(i + 1) % v.Count];
            double tx = b.X - a.X, ty = b.Y - a.Y, norm = Math.Max(1e-9, Math.Sqrt(tx * tx + ty * ty));
            // Screen coordinates (+y down): for a clockwise outline (positive signed area) (ty, -tx) points outward.
            double nx = ty / norm * sign, ny = -tx / norm * sign;
            pts[i] = new Point((int)Math.Round((v[i].X * scale + nx * offset) * SubPixelScale), (int)Math.Round((v[i].Y * scale + ny * offset) * SubPixelScale));
        }
        using var layer = bgr.Clone();
        Cv2.Polylines(layer, [pts], true, color, width, LineTypes.AntiAlias, SubPixelBits);
        Cv2.AddWeighted(layer, 0.6, bgr, 0.4, 0, bgr);
        if (label is not null) DrawLabel(bgr, outline, color, label, scale, radius: width, placedLabels, below: true);
    }

    /// <summary>
    /// Draws <paramref name="outline"/> as a dotted line of round dots in <paramref name="bgr"/> (3-channel, 8-bit),
    /// scaled by <paramref name="scale"/> (panel px per frame px), with its name above it.
    /// </summary>
    /// <param name="bgr">Image to draw on.</param>
    /// <param name="outline">Outline in frame px.</param>
    /// <param name="color">BGR colour.</param>
    /// <param name="label">Text written above the outline (null: none).</param>
    /// <param name="scale">Image px per outline px (for downscaled panels).</param>
    /// <param name="placedLabels">Boxes of labels already drawn on this image; the label goes where it covers none of
    /// them (above the outline, else below, left or right), and its box is added.</param>
    public static void DrawDotted(Mat bgr, Outline outline, Scalar color, string? label, double scale = 1, List<Rect>? placedLabels = null)
    {
        var v = outline.VerticesPx;
        if (v.Count == 0) return;
        int size = Math.Max(bgr.Width, bgr.Height);
        // Dot pitch and radius grow with the image so the dots read the same at 256 px and 2048 px.
        double pitch = Math.Max(4.0, size / 160.0);
        int radius = Math.Max(1, (int)Math.Round(size / 600.0));
        double carry = 0; // distance along the outline to the next dot
        for (int i = 0; i < v.Count; i++)
        {
            var a = v[i];
            var b = v[(i + 1) % v.Count];
            double ax = a.X * scale, ay = a.Y * scale, bx = b.X * scale, by = b.Y * scale;
            double len = Math.Sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay));
            double s = carry;
            for (; s <= len; s += pitch)
            {
                double t = len > 0 ? s / len : 0;
                // Sub-pixel centres (fixed point, SubPixelBits fractional bits), antialiased: on a scaled-down frame a
                // rounded dot would sit up to half a video pixel — several frame px — off the outline.
                var p = new Point((int)Math.Round((ax + t * (bx - ax)) * SubPixelScale), (int)Math.Round((ay + t * (by - ay)) * SubPixelScale));
                Cv2.Circle(bgr, p, radius * SubPixelScale, color, -1, LineTypes.AntiAlias, SubPixelBits);
            }
            carry = s - len;
        }
        if (label is null) return;
        DrawLabel(bgr, outline, color, label, scale, radius, placedLabels);
    }

    /// <summary>
    /// Writes <paramref name="label"/> beside <paramref name="outline"/> where it covers no label in
    /// <paramref name="placedLabels"/> (above the outline, else below, left or right), and adds its box.
    /// </summary>
    private static void DrawLabel(Mat bgr, Outline outline, Scalar color, string label, double scale, int radius, List<Rect>? placedLabels, bool below = false)
    {
        var v = outline.VerticesPx;
        int size = Math.Max(bgr.Width, bgr.Height);
        double minX = v.Min(p => p.X) * scale, minY = v.Min(p => p.Y) * scale, maxX = v.Max(p => p.X) * scale;
        double fontScale = Math.Max(0.42, size / 1400.0);
        int thick = Math.Max(1, (int)Math.Round(fontScale * 1.6));
        var textSize = Cv2.GetTextSize(label, HersheyFonts.HersheySimplex, fontScale, thick, out int baseline);
        double maxY = v.Max(p => p.Y) * scale, midY = (minY + maxY) / 2;
        // Candidate baselines: above, below, left of and right of the outline.
        (double X, double Y) above = ((minX + maxX) / 2 - textSize.Width / 2.0, minY - 4 * radius - baseline);
        (double X, double Y) under = ((minX + maxX) / 2 - textSize.Width / 2.0, maxY + textSize.Height + 4 * radius);
        var candidates = new (double X, double Y)[]
        {
            below ? under : above,
            below ? above : under,
            (minX - textSize.Width - 4 * radius, midY + textSize.Height / 2.0),
            (maxX + 4 * radius, midY + textSize.Height / 2.0),
        };
        int x = 0, y = 0;
        Rect box = default;
        foreach (var (cx, cy) in candidates)
        {
            x = Math.Clamp((int)Math.Round(cx), 0, Math.Max(0, bgr.Width - textSize.Width));
            y = Math.Clamp((int)Math.Round(cy), textSize.Height, Math.Max(textSize.Height, bgr.Height - baseline));
            box = new Rect(x, y - textSize.Height, textSize.Width, textSize.Height + baseline);
            if (placedLabels is null || !placedLabels.Any(r => (r & box).Width > 0)) break;
        }
        placedLabels?.Add(box);
        // Dark halo first so the name reads on bright and dark backgrounds alike.
        Cv2.PutText(bgr, label, new Point(x, y), HersheyFonts.HersheySimplex, fontScale, Scalar.Black, thick + 2, LineTypes.AntiAlias);
        Cv2.PutText(bgr, label, new Point(x, y), HersheyFonts.HersheySimplex, fontScale, color, thick, LineTypes.AntiAlias);
    }

    /// <summary>Writes <paramref name="text"/> in white on a black box in the bottom-left corner.</summary>
    public static void DrawCaption(Mat bgr, string text)
    {
        double fs = Math.Max(0.4, Math.Max(bgr.Width, bgr.Height) / 1600.0);
        int thick = Math.Max(1, (int)Math.Round(fs * 1.5));
        var size = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, fs, thick, out int baseline);
        int pad = 4, x = pad, y = bgr.Height - size.Height - baseline - 3 * pad;
        Cv2.Rectangle(bgr, new Rect(x, y, size.Width + 2 * pad, size.Height + baseline + 2 * pad), Scalar.Black, -1);
        Cv2.PutText(bgr, text, new Point(x + pad, y + pad + size.Height), HersheyFonts.HersheySimplex, fs, Scalar.White, thick, LineTypes.AntiAlias);
    }
}

/// <summary>
/// Maps a movie's pixels to 8-bit grey for display with one fixed window for the whole movie
/// (set from the first frame, so overlays do not flicker as the frame content changes).
/// </summary>
internal sealed class DisplayWindow
{
    private readonly double _alpha, _beta;
    private readonly bool _identity;

    private DisplayWindow(double alpha, double beta, bool identity) { _alpha = alpha; _beta = beta; _identity = identity; }

    /// <summary>8-bit frames are shown as stored; deeper ones are stretched so the first frame's 0.5–99.5 percentiles span 0–255.</summary>
    public static DisplayWindow FromFirstFrame(Mat first)
    {
        if (first.Type() == MatType.CV_8UC1) return new DisplayWindow(1, 0, true);
        using var f = new Mat();
        first.ConvertTo(f, MatType.CV_32FC1);
        f.GetArray(out float[] px);
        var finite = px.Where(float.IsFinite).ToArray();
        if (finite.Length == 0) return new DisplayWindow(1, 0, false);
        Array.Sort(finite);
        double lo = finite[(int)(0.005 * (finite.Length - 1))], hi = finite[(int)(0.995 * (finite.Length - 1))];
        if (hi <= lo) hi = lo + 1;
        double alpha = 255 / (hi - lo);
        return new DisplayWindow(alpha, -lo * alpha, false);
    }

    /// <summary>Writes the 8-bit display of <paramref name="src"/> into <paramref name="dst"/> (allocated as needed).</summary>
    public void Apply(Mat src, Mat dst)
    {
        if (_identity && src.Type() == MatType.CV_8UC1) src.CopyTo(dst);
        else src.ConvertTo(dst, MatType.CV_8UC1, _alpha, _beta); // saturating
    }
}
