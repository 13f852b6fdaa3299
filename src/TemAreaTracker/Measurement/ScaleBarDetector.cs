using OpenCvSharp;

namespace TemAreaTracker.Measurement;

/// <summary>Image corner a burnt-in scale bar was found in.</summary>
public enum ImageCorner { BottomLeft, BottomRight, TopLeft, TopRight }

/// <summary>A burnt-in scale bar: a solid horizontal bar near a corner of the image.</summary>
/// <param name="LengthPx">Bar length in px, edge to edge (a bar filling columns 10..109 is 100 px), to sub-pixel.</param>
/// <param name="LeftEdgePx">Sub-pixel x of the left end (pixel centres at integers, so column 10's left edge is 9.5).</param>
/// <param name="RightEdgePx">Sub-pixel x of the right end.</param>
/// <param name="CentreYPx">y of the bar's middle row in px.</param>
/// <param name="ThicknessPx">Bar height in px (whole rows).</param>
/// <param name="Corner">Corner window it was found in.</param>
/// <param name="IsBright">True for a bar brighter than its surroundings, false for a dark bar.</param>
public sealed record ScaleBar(
    double LengthPx, double LeftEdgePx, double RightEdgePx, double CentreYPx, int ThicknessPx, ImageCorner Corner, bool IsBright);

/// <summary>
/// Finds a burnt-in scale bar (as supplementary movies carry: a bright or dark solid bar with its label near a corner)
/// and measures its length in px to sub-pixel precision.
/// </summary>
/// <remarks>
/// Method: in each corner window (half the width, a third of the height) the image is smoothed along x only
/// (keeps a thin bar, averages noise), thresholded half-way between the window's median and its extreme, and the
/// connected components that are long, thin and solid (≥ 2 px thick, width ≥ 5× height, ≥ 85 % filled, contrast ≥ 4× the
/// window's pixel noise) are bar candidates.
/// Each candidate is then measured on the raw pixels: the rows inside the bar are averaged into one profile along x and
/// each end is the sub-pixel crossing of the half level between the bar and the background just beyond that end
/// (linear interpolation), which puts a sharp end exactly on the pixel edge. The longest candidate wins: label text
/// and time stamps are shorter than the bar and not solid.
/// </remarks>
internal static class ScaleBarDetector
{
    /// <summary>
    /// Looks for a scale bar in <paramref name="image"/> (single channel, any depth).
    /// </summary>
    /// <returns>The bar, or null when no corner holds a solid horizontal bar at least 16 px long.</returns>
    public static ScaleBar? Find(Mat image)
    {
        if (image.Channels() != 1)
            throw new ArgumentException($"scale-bar search needs one channel, got {image.Channels()}", nameof(image));
        using var f = new Mat();
        image.ConvertTo(f, MatType.CV_32FC1);
        int w = f.Width, h = f.Height;
        int ww = Math.Max(1, (w + 1) / 2), wh = Math.Max(1, (int)Math.Ceiling(h / 3.0));
        var windows = new (ImageCorner Corner, Rect Rect)[]
        {
            (ImageCorner.BottomLeft, new Rect(0, h - wh, ww, wh)),
            (ImageCorner.BottomRight, new Rect(w - ww, h - wh, ww, wh)),
            (ImageCorner.TopLeft, new Rect(0, 0, ww, wh)),
            (ImageCorner.TopRight, new Rect(w - ww, 0, ww, wh)),
        };
        ScaleBar? best = null;
        foreach (var (corner, rect) in windows)
        {
            foreach (var bar in Candidates(f, rect, corner))
                if (best is null || bar.LengthPx > best.LengthPx)
                    best = bar;
        }
        return best;
    }

    private static IEnumerable<ScaleBar> Candidates(Mat f, Rect rect, ImageCorner corner)
    {
        using var sub = new Mat(f, rect);
        using var smooth = new Mat();
        // Along-x box blur: noise drops by sqrt(7) while a bar even 1 px thick keeps its full contrast.
        Cv2.Blur(sub, smooth, new Size(7, 1), new Point(-1, -1), BorderTypes.Replicate);
        float median = Median(smooth);
        // Robust pixel noise of the window (MAD of the raw pixels): a bar must stand well clear of it.
        float noiseSigma = 1.4826f * MedianAbsDeviation(sub);
        smooth.MinMaxLoc(out double lo, out double hi);
        int minLength = Math.Max(16, (int)(0.02 * f.Width));
        var found = new List<ScaleBar>();
        foreach (bool bright in new[] { true, false })
        {
            double extreme = bright ? hi : lo;
            foreach (double frac in new[] { 0.5, 0.3, 0.7 })
            {
                double thr = median + frac * (extreme - median);
                using var mask = new Mat();
                Cv2.Threshold(smooth, mask, thr, 255, bright ? ThresholdTypes.Binary : ThresholdTypes.BinaryInv);
                using var mask8 = new Mat();
                mask.ConvertTo(mask8, MatType.CV_8UC1);
                using var labels = new Mat();
                using var stats = new Mat();
                using var cents = new Mat();
                int n = Cv2.ConnectedComponentsWithStats(mask8, labels, stats, cents, PixelConnectivity.Connectivity8);
                for (int i = 1; i < n; i++)
                {
                    int bx = stats.At<int>(i, 0), by = stats.At<int>(i, 1), bw = stats.At<int>(i, 2), bh = stats.At<int>(i, 3);
                    int area = stats.At<int>(i, 4);
                    if (bh < 2 || bw < minLength || bw < 5 * bh || area < 0.85 * bw * bh || bh > 0.1 * f.Height) continue;
                    var bar = Measure(f, rect.X + bx, rect.Y + by, bw, bh, bright, corner, 4 * noiseSigma);
                    if (bar is not null && found.All(b => Math.Abs(b.LeftEdgePx - bar.LeftEdgePx) > 1 || Math.Abs(b.CentreYPx - bar.CentreYPx) > 1))
                        found.Add(bar);
                }
            }
        }
        return found;
    }

    /// <summary>Sub-pixel ends from the row-averaged profile of the bar's interior rows.</summary>
    private static ScaleBar? Measure(Mat f, int x0, int y0, int bw, int bh, bool bright, ImageCorner corner, double minContrast)
    {
        int x1 = x0 + bw - 1, y1 = y0 + bh - 1;
        // Skip the first and last row when the bar is thick enough: they may be partly covered (anti-aliasing, blur).
        int r0 = bh >= 3 ? y0 + 1 : y0, r1 = bh >= 3 ? y1 - 1 : y1;
        int margin = Math.Max(6, bh + 2);
        int a = x0 - margin, b = x1 + margin;
        if (a < 0 || b >= f.Width) return null; // an end at the image border cannot be located
        var profile = new double[b - a + 1];
        for (int y = r0; y <= r1; y++)
            for (int x = a; x <= b; x++)
                profile[x - a] += f.At<float>(y, x);
        for (int i = 0; i < profile.Length; i++) profile[i] /= r1 - r0 + 1;

        double barLevel = MedianOf(profile, x0 + 2 - a, x1 - 2 - a);
        double leftBg = MedianOf(profile, 0, x0 - 3 - a);
        double rightBg = MedianOf(profile, x1 + 3 - a, profile.Length - 1);
        double contrast = Math.Min(Math.Abs(barLevel - leftBg), Math.Abs(barLevel - rightBg));
        if (contrast < Math.Max(1e-6, minContrast)) return null;
        double? left = Crossing(profile, x0 + 2 - a, -1, (barLevel + leftBg) / 2, barLevel > leftBg);
        double? right = Crossing(profile, x1 - 2 - a, +1, (barLevel + rightBg) / 2, barLevel > rightBg);
        if (left is null || right is null) return null;
        double l = a + left.Value, r = a + right.Value;
        return new ScaleBar(r - l, l, r, (y0 + y1) / 2.0, bh, corner, bright);
    }

    /// <summary>Walks from inside the bar outward until the profile passes <paramref name="half"/>; interpolates.</summary>
    private static double? Crossing(double[] p, int start, int step, double half, bool barAbove)
    {
        for (int i = start; i + step >= 0 && i + step < p.Length; i += step)
        {
            double u = p[i], v = p[i + step];
            bool inside = barAbove ? u >= half : u <= half;
            bool outside = barAbove ? v < half : v > half;
            if (inside && outside)
            {
                double t = (u - half) / (u - v);
                // Midway between two pixel centres is their shared edge: index i + step*t is in pixel-centre units.
                return i + step * t;
            }
        }
        return null;
    }

    private static double MedianOf(double[] p, int from, int to)
    {
        from = Math.Max(0, from);
        to = Math.Min(p.Length - 1, to);
        if (to < from) return p[Math.Clamp(from, 0, p.Length - 1)];
        var s = p[from..(to + 1)];
        Array.Sort(s);
        return s[s.Length / 2];
    }

    private static float Median(Mat m)
    {
        using var cont = m.Clone(); // a continuous copy of a window
        cont.GetArray(out float[] values);
        Array.Sort(values);
        return values[values.Length / 2];
    }

    private static float MedianAbsDeviation(Mat m)
    {
        using var cont = m.Clone();
        cont.GetArray(out float[] values);
        Array.Sort(values);
        float med = values[values.Length / 2];
        for (int i = 0; i < values.Length; i++) values[i] = Math.Abs(values[i] - med);
        Array.Sort(values);
        return values[values.Length / 2];
    }
}
