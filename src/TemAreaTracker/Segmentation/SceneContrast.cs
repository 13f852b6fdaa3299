using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// One frame as particle contrast: uneven illumination taken out, particles made positive whatever their polarity,
/// burnt-in overlays masked, and the noise measured on the support, all in float and in the frame's own units (never
/// assuming an 8-bit range).
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>Overlays: burnt-in scale bars and time stamps are drawn at the extreme grey levels as flat rectangles. Flat
/// (3×3) runs at the frame's minimum or maximum, closed over 9 px (the text inside a box), whose component fills
/// ≥ 95 % of its bounding box, are overlays; their boxes (grown by 2 px) are left out of everything below.</item>
/// <item>Background: a <see cref="QuadraticBackground"/> (the illumination's fall-off, fitted about the support's grey
/// level with the particles clipped), then what it misses by normalized convolution (Knutsson &amp; Westin 1993,
/// doi:10.1109/CVPR.1993.341081) of the remaining contrast with a Gaussian of σ = max(W, H)/5, weights 0 on overlays
/// and on whatever stands above the support (particles, the electrolyte), so a large dark body does not pull the
/// background down round it; twice.</item>
/// <item>Polarity: bright field (dark particles) when more pixels of the contrast lie beyond +4 σ than beyond −4 σ:
/// particles and the electrolyte form a long tail on the dark side of the support's grey level; inverted or dark-field
/// frames the other way.</item>
/// <item>Noise: the median of each smoothed contrast over the support (everything not standing above it) and
/// 1.4826 · the median distance below it of the values below it, so the texture of the support at the smoothing scale
/// counts as noise, as it should, and no particle's faint tail widens it.</item>
/// </list>
/// </remarks>
internal sealed class SceneContrast : IDisposable
{
    private SceneContrast(int width, int height) { Width = width; Height = height; }

    public int Width { get; }
    public int Height { get; }
    /// <summary>255 on burnt-in overlays (grown by 2 px); never part of a particle.</summary>
    public Mat Overlays { get; private set; } = new();
    /// <summary>Overlay boxes in px.</summary>
    public IReadOnlyList<Rect> OverlayBoxes { get; private set; } = [];
    /// <summary>Particles darker than the support (bright field).</summary>
    public bool DarkParticles { get; private set; }
    /// <summary>Contrast smoothed by the detection scale σ (CV_32F, frame units, particles positive).</summary>
    public Mat Coarse { get; private set; } = new();
    /// <summary>Contrast smoothed by the outline scale (CV_32F).</summary>
    public Mat Fine { get; private set; } = new();
    /// <summary>255 where the support (background) is, as last estimated.</summary>
    public Mat Support { get; private set; } = new();
    public double CoarseZero { get; private set; }
    public double CoarseNoise { get; private set; }
    public double FineZero { get; private set; }
    public double FineNoise { get; private set; }
    /// <summary>Gaussian σ of <see cref="Coarse"/> and of <see cref="Fine"/>, px.</summary>
    public double CoarseSigmaPx { get; private set; }
    public double FineSigmaPx { get; private set; }

    /// <param name="frame">Any single-channel frame.</param>
    /// <param name="coarseSigmaPx">Detection smoothing σ, px.</param>
    /// <param name="fineSigmaPx">Outline smoothing σ, px.</param>
    /// <param name="darkParticles">Polarity, or null to decide from the frame.</param>
    public static SceneContrast Compute(Frame frame, double coarseSigmaPx, double fineSigmaPx, bool? darkParticles)
    {
        var sc = new SceneContrast(frame.Width, frame.Height) { CoarseSigmaPx = coarseSigmaPx, FineSigmaPx = fineSigmaPx };
        using var f = frame.ToFloat32();
        // Non-finite pixels (float frames) are treated as overlays.
        using var finite = new Mat();
        Cv2.Compare(f, f, finite, CmpTypes.EQ);
        Cv2.PatchNaNs(f, 0);
        using var bad = new Mat();
        Cv2.BitwiseNot(finite, bad);
        (sc.Overlays, sc.OverlayBoxes) = FindOverlays(f, bad);
        Cv2.BitwiseOr(sc.Overlays, bad, sc.Overlays);

        int w = frame.Width, h = frame.Height;
        double bgSigma = Math.Max(w, h) / 5.0;
        using var weight = new Mat();
        Cv2.BitwiseNot(sc.Overlays, weight);
        // Overlay pixels take the local mean of the frame round them, so the smoothing below does not see them.
        using (var local = NormalizedBlur(f, weight, 3 * coarseSigmaPx))
            local.CopyTo(f, sc.Overlays);

        // Illumination, first as a quadratic surface fitted with the outliers of either side trimmed; the polarity
        // from which side the outliers (particles, the electrolyte) lie on; then refitted with only the particle side
        // trimmed, so a body covering a quarter of the frame does not bend it.
        using var contrast = new Mat();
        var quad = QuadraticBackground.Fit(f, weight, darkSide: null);
        using (var q = quad.Render(w, h)) Cv2.Subtract(q, f, contrast); // dark particles → positive
        sc.DarkParticles = darkParticles ?? DarkTail(contrast, coarseSigmaPx, weight);
        quad = QuadraticBackground.Fit(f, weight, darkSide: sc.DarkParticles);
        using (var q = quad.Render(w, h)) Cv2.Subtract(q, f, contrast);
        if (!sc.DarkParticles) Cv2.Multiply(contrast, Scalar.All(-1), contrast);

        // Then what the quadratic misses, from the support only (everything not standing above it), twice.
        using var support = weight.Clone();
        for (int pass = 0; pass < 2; pass++)
        {
            using var coarse = Smooth(contrast, coarseSigmaPx);
            // First from the histogram's mode (the support may be under half the frame), then from the support.
            var (zero, noise) = pass == 0 ? ModeAndSigma(coarse, weight) : ZeroAndNoise(coarse, support);
            // What stands above the support: grown from 5 σ down to 2.5 σ (the support's own noise peaks, which rarely
            // reach 5 σ, stay in it, or the noise would be measured on a truncated distribution).
            using var above = Hysteresis(coarse, zero + 2.5 * noise, zero + 5 * noise);
            // Grown a little (the tails of the smoothed particles), unless that leaves too little of a crowded frame.
            using var next = new Mat();
            using (var k = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(7, 7)))
                Cv2.Dilate(above, next, k);
            Cv2.BitwiseNot(next, next);
            Cv2.BitwiseAnd(next, weight, next);
            if (Cv2.CountNonZero(next) < 0.05 * w * h)
            {
                Cv2.BitwiseNot(above, next);
                Cv2.BitwiseAnd(next, weight, next);
            }
            if (Cv2.CountNonZero(next) < 0.02 * w * h) break;
            next.CopyTo(support);
            // Residual contrast on the support, smoothed over a fifth of the frame: the background's correction.
            using var correction = NormalizedBlur(contrast, support, bgSigma);
            Cv2.Subtract(contrast, correction, contrast);
        }
        sc.Support = support.Clone();
        sc.Coarse = Smooth(contrast, coarseSigmaPx);
        contrast.SetTo(Scalar.All(0), sc.Overlays);
        sc.Coarse.SetTo(Scalar.All(0), sc.Overlays);
        sc.Fine = Smooth(contrast, fineSigmaPx);
        (sc.CoarseZero, sc.CoarseNoise) = ZeroAndNoise(sc.Coarse, sc.Support);
        (sc.FineZero, sc.FineNoise) = ZeroAndNoise(sc.Fine, sc.Support);
        return sc;
    }

    /// <summary>Pixels above <paramref name="low"/> connected (8-neighbours) to one above <paramref name="high"/>; 255 = foreground.</summary>
    internal static Mat Hysteresis(Mat image, double low, double high)
    {
        using var lowMask = new Mat();
        Cv2.Compare(image, Scalar.All(low), lowMask, CmpTypes.GT);
        using var labels = new Mat();
        int n = Cv2.ConnectedComponents(lowMask, labels, PixelConnectivity.Connectivity8, MatType.CV_32S);
        labels.GetArray(out int[] lab);
        image.GetArray(out float[] v);
        var seeded = new bool[n];
        for (int i = 0; i < lab.Length; i++) if (lab[i] != 0 && v[i] > high) seeded[lab[i]] = true;
        var result = new byte[lab.Length];
        for (int i = 0; i < lab.Length; i++) if (lab[i] != 0 && seeded[lab[i]]) result[i] = 255;
        var m = new Mat(image.Rows, image.Cols, MatType.CV_8UC1);
        m.SetArray(result);
        return m;
    }

    private static Mat Smooth(Mat m, double sigma)
    {
        var s = new Mat();
        Cv2.GaussianBlur(m, s, new Size(0, 0), sigma, sigma, BorderTypes.Reflect101);
        return s;
    }

    /// <summary>
    /// Σ w·f / Σ w under a Gaussian of σ = <paramref name="sigma"/> (weights: 255 = use, 0 = ignore), computed on a grid
    /// a few times coarser than σ and interpolated back (the result is smooth on that scale anyway).
    /// </summary>
    internal static Mat NormalizedBlur(Mat f, Mat weight8, double sigma)
    {
        int w = f.Width, h = f.Height;
        int step = Math.Max(1, (int)Math.Floor(sigma / 6));
        var small = new Size(Math.Max(1, (w + step - 1) / step), Math.Max(1, (h + step - 1) / step));
        using var wf = new Mat();
        weight8.ConvertTo(wf, MatType.CV_32FC1, 1 / 255.0);
        using var fw = new Mat();
        Cv2.Multiply(f, wf, fw);
        using var fs = new Mat();
        using var ws = new Mat();
        Cv2.Resize(fw, fs, small, 0, 0, InterpolationFlags.Area);
        Cv2.Resize(wf, ws, small, 0, 0, InterpolationFlags.Area);
        double s = sigma / step;
        Cv2.GaussianBlur(fs, fs, new Size(0, 0), s, s, BorderTypes.Reflect101);
        Cv2.GaussianBlur(ws, ws, new Size(0, 0), s, s, BorderTypes.Reflect101);
        // Where no weight reaches (a hole far wider than σ), fall back to the global weighted mean.
        double total = Cv2.Sum(ws).Val0, mean = total > 0 ? Cv2.Sum(fs).Val0 / total : Cv2.Mean(f).Val0;
        using var tiny = new Mat();
        Cv2.Compare(ws, Scalar.All(1e-4), tiny, CmpTypes.LT);
        ws.SetTo(Scalar.All(1), tiny);
        fs.SetTo(Scalar.All(mean), tiny);
        using var q = new Mat();
        Cv2.Divide(fs, ws, q);
        var result = new Mat();
        if (step == 1) q.CopyTo(result);
        else Cv2.Resize(q, result, new Size(w, h), 0, 0, InterpolationFlags.Linear);
        return result;
    }

    /// <summary>
    /// The support's level and noise in a contrast image (particles positive): the median of <paramref name="m"/> over
    /// <paramref name="mask"/>, and σ = 1.4826 · the median distance below it of the values below it. Only the lower
    /// half is used, where no particle's faint tail can widen it.
    /// </summary>
    internal static (double Zero, double Sigma) ZeroAndNoise(Mat m, Mat mask)
    {
        m.GetArray(out float[] values);
        mask.GetArray(out byte[] use);
        var v = new List<float>(values.Length);
        int stride = Math.Max(1, values.Length / 250_000);
        for (int i = 0; i < values.Length; i += stride) if (use[i] != 0) v.Add(values[i]);
        if (v.Count < 16) return MedianAndSigma(m, mask);
        v.Sort();
        float med = v[v.Count / 2];
        var below = new List<float>(v.Count / 2);
        foreach (float x in v) if (x < med) below.Add(med - x);
        if (below.Count < 8) return MedianAndSigma(m, mask);
        below.Sort();
        return (med, Math.Max(1.4826 * below[below.Count / 2], 1e-12 * Math.Max(1, Math.Abs(med))));
    }

    /// <summary>Median and robust σ (1.4826 · MAD) of <paramref name="m"/> over the pixels where <paramref name="mask"/> is set.</summary>
    internal static (double Median, double Sigma) MedianAndSigma(Mat m, Mat mask)
    {
        m.GetArray(out float[] values);
        mask.GetArray(out byte[] use);
        var v = new List<float>(values.Length);
        // Subsample large frames: the median of ~250 k pixels is plenty.
        int stride = Math.Max(1, values.Length / 250_000);
        for (int i = 0; i < values.Length; i += stride) if (use[i] != 0) v.Add(values[i]);
        if (v.Count == 0) for (int i = 0; i < values.Length; i += stride) v.Add(values[i]);
        var arr = v.ToArray();
        double med = Quantile(arr, 0.5);
        for (int i = 0; i < arr.Length; i++) arr[i] = Math.Abs(arr[i] - (float)med);
        double mad = Quantile(arr, 0.5);
        return (med, Math.Max(1.4826 * mad, 1e-12 * Math.Max(1, Math.Abs(med))));
    }

    /// <summary>Mode and peak width of <paramref name="m"/> over the pixels of <paramref name="mask"/> (see <see cref="QuadraticBackground.ModeAndWidth"/>).</summary>
    internal static (double Mode, double Sigma) ModeAndSigma(Mat m, Mat mask)
    {
        m.GetArray(out float[] values);
        mask.GetArray(out byte[] use);
        var v = new List<float>(values.Length);
        int stride = Math.Max(1, values.Length / 250_000);
        for (int i = 0; i < values.Length; i += stride) if (use[i] != 0) v.Add(values[i]);
        if (v.Count < 16) return MedianAndSigma(m, mask);
        return QuadraticBackground.ModeAndWidth(v);
    }

    private static double Quantile(float[] a, double q)
    {
        Array.Sort(a);
        return a[Math.Clamp((int)(q * (a.Length - 1)), 0, a.Length - 1)];
    }

    /// <summary>
    /// True when the contrast (background − frame, smoothed) has more pixels beyond +4 σ than beyond −4 σ: the
    /// particles and the electrolyte are darker than the support (bright field).
    /// </summary>
    private static bool DarkTail(Mat contrast, double sigma, Mat weight)
    {
        using var s = Smooth(contrast, sigma);
        var (zero, noise) = MedianAndSigma(s, weight);
        using var hi = new Mat();
        using var lo = new Mat();
        Cv2.Compare(s, Scalar.All(zero + 4 * noise), hi, CmpTypes.GT);
        Cv2.Compare(s, Scalar.All(zero - 4 * noise), lo, CmpTypes.LT);
        Cv2.BitwiseAnd(hi, weight, hi);
        Cv2.BitwiseAnd(lo, weight, lo);
        return Cv2.CountNonZero(hi) >= Cv2.CountNonZero(lo);
    }

    /// <summary>Burnt-in overlays: flat rectangles at the frame's extreme grey levels (see the class remarks).</summary>
    private static (Mat Mask, IReadOnlyList<Rect> Boxes) FindOverlays(Mat f, Mat exclude)
    {
        int w = f.Width, h = f.Height;
        var mask = new Mat(h, w, MatType.CV_8UC1, Scalar.All(0));
        var boxes = new List<Rect>();
        using var valid = new Mat();
        Cv2.BitwiseNot(exclude, valid);
        Cv2.MinMaxLoc(f, out double lo, out double hi, out _, out _, valid);
        if (!(hi > lo)) return (mask, boxes);
        using var k3 = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(3, 3));
        using var k9 = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(9, 9));
        foreach (double v in new[] { lo, hi })
        {
            using var eq = new Mat();
            Cv2.Compare(f, Scalar.All(v), eq, CmpTypes.EQ);
            using var flat = new Mat();
            Cv2.Erode(eq, flat, k3);
            if (Cv2.CountNonZero(flat) < 12) continue;
            Cv2.MorphologyEx(flat, flat, MorphTypes.Close, k9);
            using var labels = new Mat();
            using var stats = new Mat();
            using var centroids = new Mat();
            int n = Cv2.ConnectedComponentsWithStats(flat, labels, stats, centroids, PixelConnectivity.Connectivity8, MatType.CV_32S);
            for (int c = 1; c < n; c++)
            {
                int bx = stats.At<int>(c, 0), by = stats.At<int>(c, 1), bw = stats.At<int>(c, 2), bh = stats.At<int>(c, 3), area = stats.At<int>(c, 4);
                if (area < 16 || Math.Min(bw, bh) < 3) continue;
                if (area < 0.95 * bw * bh) continue;                       // not a rectangle
                if (area > 0.05 * w * h || bw > 0.6 * w || bh > 0.6 * h) continue; // too large for a label
                boxes.Add(new Rect(bx, by, bw, bh));
            }
        }
        foreach (var b in boxes)
        {
            var g = new Rect(b.X - 2, b.Y - 2, b.Width + 4, b.Height + 4) & new Rect(0, 0, w, h);
            Cv2.Rectangle(mask, g, Scalar.All(255), -1);
        }
        return (mask, boxes);
    }

    public void Dispose()
    {
        Overlays.Dispose();
        Coarse.Dispose();
        Fine.Dispose();
        Support.Dispose();
    }
}
