using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// Finds every particle in one frame (for <c>track --auto</c>): background flattening, an Otsu threshold on the
/// contrast image, watershed splitting of touching particles on the distance transform, and rejection of what is not
/// a particle (objects cut by the frame edge, such as the electrolyte body; burnt-in scale bars and text).
/// </summary>
/// <remarks>
/// The outlines it returns are starting points: the tracker pulls each onto the particle's own sub-pixel edge in the
/// first frame, exactly as it does with hand-drawn outlines.
/// </remarks>
public static class ParticleDetector
{
    // Threshold at most this many noise σ above the support; keep a region only if its peak contrast reaches PeakSigmas.
    private const double ThresholdSigmas = 3;
    private const double PeakSigmas = 4;

    /// <summary>Detects particles in <paramref name="frame"/>; names are p1, p2, … in reading order (top to bottom).</summary>
    /// <param name="frame">Any single-channel frame.</param>
    /// <param name="minAreaPx">Smallest particle kept, px².</param>
    /// <param name="smoothingPx">
    /// Gaussian σ (px) applied to the contrast image before thresholding: larger than the noise grain and lattice
    /// fringes, smaller than the particles (6 px suits particles of radius ≥ 10 px in noisy bright-field frames).
    /// </param>
    public static IReadOnlyList<Outline> Detect(Frame frame, double minAreaPx = 40, double smoothingPx = 6)
    {
        if (smoothingPx <= 0) throw new ArgumentOutOfRangeException(nameof(smoothingPx), smoothingPx, "smoothing must be > 0 px");
        using var f = frame.ToFloat32();
        int w = f.Width, h = f.Height;

        // Contrast relative to a smooth background (uneven illumination), particles made positive.
        using var background = new Mat();
        // Wide enough that a particle (tens of px) barely pulls the background estimate towards itself.
        double bgSigma = Math.Max(w, h) / 5.0;
        Cv2.GaussianBlur(f, background, new Size(0, 0), bgSigma);
        using var contrast = new Mat();
        Cv2.Subtract(background, f, contrast); // dark particles → positive
        // Real bright-field frames carry shot noise and lattice fringes at the scale of a few px: smooth over them, or
        // Otsu splits the support into dozens of noise blobs.
        Cv2.GaussianBlur(contrast, contrast, new Size(0, 0), smoothingPx);
        if (!DarkParticles(contrast)) Cv2.Multiply(contrast, Scalar.All(-1), contrast);

        // Otsu on the 8-bit rescaled contrast.
        Cv2.MinMaxLoc(contrast, out double lo, out double hi);
        using var c8 = new Mat();
        contrast.ConvertTo(c8, MatType.CV_8UC1, 255 / Math.Max(hi - lo, 1e-9), -lo * 255 / Math.Max(hi - lo, 1e-9));
        using var mask = new Mat();
        double otsu = Cv2.Threshold(c8, mask, 0, 255, ThresholdTypes.Binary | ThresholdTypes.Otsu);
        // One very dark particle drags Otsu's threshold up and faint particles break into fragments: never threshold
        // higher than a few noise σ above the support (median and MAD of the contrast, the support being most pixels).
        var (supportLevel, noise) = MedianAndSigma(c8);
        double level = Math.Min(otsu, supportLevel + ThresholdSigmas * noise);
        Cv2.Threshold(c8, mask, level, 255, ThresholdTypes.Binary);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3));
        Cv2.MorphologyEx(mask, mask, MorphTypes.Open, kernel);
        Cv2.MorphologyEx(mask, mask, MorphTypes.Close, kernel);

        // Split touching particles: watershed from the peaks of the distance transform.
        using var dist = new Mat();
        Cv2.DistanceTransform(mask, dist, DistanceTypes.L2, DistanceTransformMasks.Precise);
        using var peaks = new Mat();
        using var dilated = new Mat();
        Cv2.Dilate(dist, dilated, Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(9, 9)));
        Cv2.Compare(dist, dilated, peaks, CmpTypes.GE);
        using var strong = new Mat();
        Cv2.Compare(dist, Scalar.All(Math.Sqrt(minAreaPx / Math.PI) * 0.6), strong, CmpTypes.GT);
        Cv2.BitwiseAnd(peaks, strong, peaks);
        using var markers = new Mat();
        int count = Cv2.ConnectedComponents(peaks, markers, PixelConnectivity.Connectivity8, MatType.CV_32S);
        using var colour = new Mat();
        Cv2.CvtColor(c8, colour, ColorConversionCodes.GRAY2BGR);
        using var unknownBg = new Mat();
        Cv2.BitwiseNot(mask, unknownBg);
        // Background marker = count (outside the mask), unknown (0) inside the mask away from peaks.
        markers.SetTo(Scalar.All(count), unknownBg);
        Cv2.Watershed(colour, markers);

        var outlines = new List<(Point2d Centre, Point2d[] Vertices)>();
        for (int label = 1; label < count; label++)
        {
            using var region = new Mat();
            Cv2.Compare(markers, Scalar.All(label), region, CmpTypes.EQ);
            Cv2.FindContours(region, out Point[][] contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxNone);
            if (contours.Length == 0) continue;
            var contour = contours.MaxBy(c => Cv2.ContourArea(c))!;
            double area = Cv2.ContourArea(contour);
            if (area < minAreaPx) continue;
            var box = Cv2.BoundingRect(contour);
            // Cut by the frame edge; the smoothing pulls a cut particle's threshold region a little way off the edge.
            int margin = 1 + (int)Math.Ceiling(smoothingPx);
            if (box.X <= margin || box.Y <= margin || box.Right >= w - margin || box.Bottom >= h - margin) continue;
            if (area > 0.2 * w * h) continue; // the electrolyte body, not a particle
            var hull = Cv2.ConvexHull(contour);
            double solidity = area / Math.Max(Cv2.ContourArea(hull), 1);
            double aspect = Math.Max(box.Width, box.Height) / (double)Math.Max(1, Math.Min(box.Width, box.Height));
            if (aspect > 4 || solidity < 0.6) continue; // scale bars and text
            Cv2.MinMaxLoc(c8, out _, out double peak, out _, out _, region);
            if (peak < supportLevel + PeakSigmas * noise) continue; // a noise blob, not a particle
            var m = Cv2.Moments(contour);
            outlines.Add((new Point2d(m.M10 / m.M00, m.M01 / m.M00), contour.Select(p => new Point2d(p.X, p.Y)).ToArray()));
        }
        return outlines
            .OrderBy(o => Math.Round(o.Centre.Y / 20)).ThenBy(o => o.Centre.X)
            .Select((o, i) => new Outline($"p{i + 1}", o.Vertices))
            .ToArray();
    }

    /// <summary>Median of an 8-bit image and its robust σ (1.4826 · median absolute deviation).</summary>
    private static (double Median, double Sigma) MedianAndSigma(Mat c8)
    {
        var hist = new long[256];
        c8.GetArray(out byte[] bytes);
        foreach (byte b in bytes) hist[b]++;
        int median = Percentile(hist, bytes.Length / 2);
        var dev = new long[256];
        for (int v = 0; v < 256; v++) dev[Math.Abs(v - median)] += hist[v];
        return (median, Math.Max(1, 1.4826 * Percentile(dev, bytes.Length / 2)));
    }

    private static int Percentile(long[] hist, long rank)
    {
        long seen = 0;
        for (int v = 0; v < hist.Length; v++) if ((seen += hist[v]) > rank) return v;
        return hist.Length - 1;
    }

    /// <summary>Bright field: particles darker than the background, so the contrast image has a long positive tail.</summary>
    private static bool DarkParticles(Mat contrast)
    {
        Cv2.MeanStdDev(contrast, out var mean, out var sd);
        using var centred = new Mat();
        Cv2.Subtract(contrast, mean, centred);
        using var cube = new Mat();
        Cv2.Pow(centred, 3, cube);
        double skew = Cv2.Mean(cube).Val0 / Math.Pow(Math.Max(sd.Val0, 1e-9), 3);
        return skew >= 0;
    }
}
