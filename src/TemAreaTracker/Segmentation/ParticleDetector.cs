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
    /// <summary>Detects particles in <paramref name="frame"/>; names are p1, p2, … in reading order (top to bottom).</summary>
    /// <param name="frame">Any single-channel frame.</param>
    /// <param name="minAreaPx">Smallest particle kept, px².</param>
    public static IReadOnlyList<Outline> Detect(Frame frame, double minAreaPx = 40)
    {
        using var f = frame.ToFloat32();
        int w = f.Width, h = f.Height;

        // Contrast relative to a smooth background (uneven illumination), particles made positive.
        using var background = new Mat();
        double bgSigma = Math.Max(w, h) / 12.0;
        Cv2.GaussianBlur(f, background, new Size(0, 0), bgSigma);
        using var contrast = new Mat();
        Cv2.Subtract(background, f, contrast); // dark particles → positive
        Cv2.GaussianBlur(contrast, contrast, new Size(0, 0), 1.2);
        if (!DarkParticles(contrast)) Cv2.Multiply(contrast, Scalar.All(-1), contrast);

        // Otsu on the 8-bit rescaled contrast.
        Cv2.MinMaxLoc(contrast, out double lo, out double hi);
        using var c8 = new Mat();
        contrast.ConvertTo(c8, MatType.CV_8UC1, 255 / Math.Max(hi - lo, 1e-9), -lo * 255 / Math.Max(hi - lo, 1e-9));
        using var mask = new Mat();
        Cv2.Threshold(c8, mask, 0, 255, ThresholdTypes.Binary | ThresholdTypes.Otsu);
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
            if (box.X <= 1 || box.Y <= 1 || box.Right >= w - 1 || box.Bottom >= h - 1) continue; // cut by the frame edge
            if (area > 0.2 * w * h) continue; // the electrolyte body, not a particle
            var hull = Cv2.ConvexHull(contour);
            double solidity = area / Math.Max(Cv2.ContourArea(hull), 1);
            double aspect = Math.Max(box.Width, box.Height) / (double)Math.Max(1, Math.Min(box.Width, box.Height));
            if (aspect > 4 || solidity < 0.6) continue; // scale bars and text
            var m = Cv2.Moments(contour);
            outlines.Add((new Point2d(m.M10 / m.M00, m.M01 / m.M00), contour.Select(p => new Point2d(p.X, p.Y)).ToArray()));
        }
        return outlines
            .OrderBy(o => Math.Round(o.Centre.Y / 20)).ThenBy(o => o.Centre.X)
            .Select((o, i) => new Outline($"p{i + 1}", o.Vertices))
            .ToArray();
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
