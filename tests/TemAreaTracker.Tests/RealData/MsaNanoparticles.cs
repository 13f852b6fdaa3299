using OpenCvSharp;
using TemAreaTracker.IO;
using TemAreaTracker.Segmentation;
using TemAreaTracker.Tracking;
using Tracker = TemAreaTracker.Tracking.Tracker;

namespace TemAreaTracker.Tests.RealData;

/// <summary>
/// The MSA bright-field nanoparticle set (<c>data/msa-em-bf-nanoparticles</c>, CC-BY-4.0): 20 real 512x512 8-bit frames
/// of metal particles dark on a lighter support, each with a hand mask (particle = 255), and the two accuracy measures
/// of issue 3 on it.
/// </summary>
/// <remarks>
/// Ground-truth particles are the 8-connected components of a hand mask (touching particles are split only where the
/// mask separates them). Components cut by the frame border are left out of both measures: a tracked outline that
/// reaches the border is reported out of view (no area, by design), and the detector rejects objects cut by the edge.
/// Components smaller than <see cref="MinAreaPx"/> (specks of a few px in the masks) are left out too.
/// </remarks>
public static class MsaNanoparticles
{
    /// <summary>Smallest hand-labelled component counted as a particle, px² (the detector's default minimum).</summary>
    public const double MinAreaPx = 40;

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "data", "msa-em-bf-nanoparticles");

    /// <summary>One hand-labelled particle: its pixels (255 inside) and pixel count.</summary>
    public sealed record Particle(Mat Mask, int AreaPx, bool TouchesBorder) : IDisposable
    {
        public void Dispose() => Mask.Dispose();
    }

    /// <summary>The image as a one-frame movie, read through the project's own reader.</summary>
    public static Frame ReadFrame(int index)
    {
        using var movie = MovieReader.Open(Path.Combine(Folder, "images", $"image_{index}.png"));
        return movie.ReadFrames().First();
    }

    /// <summary>Every connected component of hand mask <paramref name="index"/>.</summary>
    public static List<Particle> ReadLabels(int index)
    {
        using var raw = Cv2.ImRead(Path.Combine(Folder, "labels", $"label_{index}.png"), ImreadModes.Grayscale);
        if (raw.Empty()) throw new FileNotFoundException("label missing", $"label_{index}.png");
        using var bin = new Mat();
        Cv2.Threshold(raw, bin, 127, 255, ThresholdTypes.Binary);
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        int n = Cv2.ConnectedComponentsWithStats(bin, labels, stats, centroids, PixelConnectivity.Connectivity8, MatType.CV_32S);
        var list = new List<Particle>();
        for (int k = 1; k < n; k++)
        {
            int x = stats.At<int>(k, 0), y = stats.At<int>(k, 1), w = stats.At<int>(k, 2), h = stats.At<int>(k, 3), a = stats.At<int>(k, 4);
            var m = new Mat();
            Cv2.Compare(labels, Scalar.All(k), m, CmpTypes.EQ);
            bool border = x == 0 || y == 0 || x + w >= raw.Width || y + h >= raw.Height;
            list.Add(new Particle(m, a, border));
        }
        return list;
    }

    /// <summary>
    /// A rough hand outline of <paramref name="p"/>: the mask grown or shrunk by 2-4 px, its outline subsampled every
    /// ~4 px and each vertex jittered (σ 1 px), as a microscopist's quick polygon.
    /// </summary>
    public static Outline RoughOutline(Particle p, string name, Random rng)
    {
        double radius = Math.Sqrt(p.AreaPx / Math.PI);
        int grow = rng.Next(2, 5) * (rng.Next(2) == 0 ? -1 : 1);
        if (grow < 0) grow = -Math.Min(-grow, Math.Max(1, (int)(radius / 4))); // a small particle cannot lose 4 px
        using var m = p.Mask.Clone();
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(2 * Math.Abs(grow) + 1, 2 * Math.Abs(grow) + 1));
        if (grow > 0) Cv2.Dilate(m, m, kernel); else Cv2.Erode(m, m, kernel);
        Cv2.FindContours(m, out Point[][] contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxNone);
        var contour = contours.MaxBy(c => Cv2.ContourArea(c))!;
        int stride = Math.Max(1, Math.Min(4, contour.Length / 12));
        var v = new List<Point2d>();
        for (int i = 0; i < contour.Length; i += stride)
            v.Add(new Point2d(contour[i].X + Gauss(rng), contour[i].Y + Gauss(rng)));
        return new Outline(name, v);
    }

    private static double Gauss(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Outline filled at sub-pixel precision (pixel centres at integers), 255 inside.</summary>
    public static Mat Fill(Outline o, Size size)
    {
        const int shift = 4;
        var m = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
        var pts = o.VerticesPx.Select(v => new Point((int)Math.Round(v.X * (1 << shift)), (int)Math.Round(v.Y * (1 << shift)))).ToArray();
        Cv2.FillPoly(m, [pts], Scalar.All(255), LineTypes.Link8, shift);
        return m;
    }

    public static double IoU(Mat a, Mat b)
    {
        using var inter = new Mat();
        using var union = new Mat();
        Cv2.BitwiseAnd(a, b, inter);
        Cv2.BitwiseOr(a, b, union);
        int u = Cv2.CountNonZero(union);
        return u == 0 ? 0 : Cv2.CountNonZero(inter) / (double)u;
    }

    /// <summary>
    /// How far hand mask <paramref name="index"/> is from the image smoothed by a Gaussian of σ =
    /// <paramref name="smoothingPx"/> and cut at Otsu's threshold of that smoothed image (dark = particle): pixels where
    /// the two disagree, as a fraction of the mask's particle pixels.
    /// </summary>
    public static double DisagreementWithSmoothedOtsu(int index, double smoothingPx)
    {
        using var frame = ReadFrame(index);
        using var f = frame.ToFloat32();
        using var smooth = new Mat();
        Cv2.GaussianBlur(f, smooth, new Size(0, 0), smoothingPx, smoothingPx, BorderTypes.Reflect101);
        using var smooth8 = new Mat();
        smooth.ConvertTo(smooth8, MatType.CV_8UC1);
        using var cut = new Mat();
        Cv2.Threshold(smooth8, cut, 0, 255, ThresholdTypes.BinaryInv | ThresholdTypes.Otsu);
        using var raw = Cv2.ImRead(Path.Combine(Folder, "labels", $"label_{index}.png"), ImreadModes.Grayscale);
        using var mask = new Mat();
        Cv2.Threshold(raw, mask, 127, 255, ThresholdTypes.Binary);
        using var diff = new Mat();
        Cv2.Compare(cut, mask, diff, CmpTypes.NE);
        return Cv2.CountNonZero(diff) / (double)Math.Max(1, Cv2.CountNonZero(mask));
    }

    /// <summary>
    /// A tracked particle's area against its hand mask and against its <see cref="PhysicalEdgeAreaPx">physical edge</see>
    /// (tracked / reference − 1; 1 when the tracker gave no area, NaN when the edge could not be measured), and the
    /// physical edge's area against the mask's (the masks' convention).
    /// </summary>
    public readonly record struct AreaError(double VsMask, double VsPhysicalEdge, double PhysicalEdgeVsMask);

    /// <summary>Area errors of every counted particle of image <paramref name="index"/>, tracked from rough outlines.</summary>
    public static List<AreaError> AreaErrors(int index, int seed = 1, TrackOptions? options = null)
    {
        var rng = new Random(seed * 1000 + index);
        using var frame = ReadFrame(index);
        var gt = ReadLabels(index);
        try
        {
            var counted = gt.Where(p => !p.TouchesBorder && p.AreaPx >= MinAreaPx).ToArray();
            if (counted.Length == 0) return [];
            var outlines = counted.Select((p, i) => RoughOutline(p, $"h{i}", rng)).ToArray();
            using var tracker = new Tracker(outlines, options);
            var result = tracker.Process(frame, default); // one image: no drift
            using var image = frame.ToFloat32();
            using var all = new Mat(image.Size(), MatType.CV_8UC1, Scalar.All(0));
            foreach (var p in gt) Cv2.BitwiseOr(all, p.Mask, all);
            // A particle the tracker cannot measure counts as a 100 % error: never dropped from the median.
            return counted.Select((p, i) =>
            {
                using var others = new Mat();
                Cv2.Subtract(all, p.Mask, others);
                double edge = PhysicalEdgeAreaPx(image, p.Mask, others, darkParticle: true);
                double a = result.Particles[i].AreaPx;
                if (!double.IsFinite(a)) return new AreaError(1.0, 1.0, edge / p.AreaPx - 1);
                return new AreaError(a / p.AreaPx - 1, a / edge - 1, edge / p.AreaPx - 1);
            }).ToList();
        }
        finally { foreach (var p in gt) p.Dispose(); }
    }

    /// <summary>
    /// The area inside a particle's physical edge: its azimuthal profile (mean signal against signed distance from the
    /// outline of <paramref name="mask"/>, 8 px outside to min(10 px, R/2) inside, pixels nearer another particle left
    /// out) fitted by a Gaussian-blurred opaque disc, b0 + c·P(R − d; R − e, s), P the exact radial profile of a disc of
    /// radius R − e blurred by a Gaussian of σ = s, R the mask's equivalent radius; then the pixels beyond offset e,
    /// counted to sub-pixel. The half-darkness edge of a blurred step, with the blur's inward pull at a curved rim (the
    /// tracker's σ²/2R) included exactly. Independent of the tracker's edge model and of the mask's threshold: it
    /// recovers simulated hard rims to within 1 % (RealImageAccuracyTests). NaN when too little profile is seen.
    /// </summary>
    /// <param name="image">The frame (float).</param>
    /// <param name="mask">The particle's pixels (255).</param>
    /// <param name="others">Every other particle's pixels (255).</param>
    /// <param name="darkParticle">Particle darker than the support.</param>
    public static double PhysicalEdgeAreaPx(Mat image, Mat mask, Mat others, bool darkParticle)
    {
        // Sub-pixel signed distance (+ inside) to the mask's outline: its boundary-pixel chain, smoothed (two passes of
        // a 5-point moving average take out the staircase), pushed out by the half pixel the chain lies inside the
        // mask's edge. A pixel mask's distance transform is not good enough: it compresses the distance scale by ~0.35 px
        // over ±6 px, which narrows the fitted blur and moves the edge by 0.2 px.
        Cv2.FindContours(mask, out Point[][] contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxNone);
        var chain = contours.MaxBy(q => q.Length)!.Select(q => new Point2d(q.X, q.Y)).ToArray();
        for (int pass = 0; pass < 2; pass++)
        {
            var smooth = new Point2d[chain.Length];
            for (int i = 0; i < chain.Length; i++)
            {
                double sx = 0, sy = 0;
                for (int k = -2; k <= 2; k++) { var q = chain[(i + k + chain.Length) % chain.Length]; sx += q.X; sy += q.Y; }
                smooth[i] = new Point2d(sx / 5, sy / 5);
            }
            chain = smooth;
        }
        var polygon = chain.Select(q => new Point2f((float)q.X, (float)q.Y)).ToArray();
        double SignedDistance(int x, int y) => Cv2.PointPolygonTest(polygon, new Point2f(x, y), true) + 0.5;
        using var notOthers = new Mat();
        Cv2.BitwiseNot(others, notOthers);
        using var toOthers = new Mat();
        Cv2.DistanceTransform(notOthers, toOthers, DistanceTypes.L2, DistanceTransformMasks.Precise);
        double radius = Math.Sqrt(Cv2.CountNonZero(mask) / Math.PI);
        const double bin = 0.5, dMin = -8;
        double dMax = Math.Min(10, 0.5 * radius);
        int nb = (int)Math.Ceiling((dMax - dMin) / bin);
        var sum = new double[nb];
        var count = new int[nb];
        var box = Cv2.BoundingRect(mask);
        int x0 = Math.Max(2, box.X - 12), y0 = Math.Max(2, box.Y - 12);
        int x1 = Math.Min(image.Width - 3, box.Right + 12), y1 = Math.Min(image.Height - 3, box.Bottom + 12);
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
            {
                double d = SignedDistance(x, y);
                if (d < dMin || d >= dMax) continue;
                // Outside, only pixels much nearer this particle than any other: a neighbour's rim is not this one's.
                if (d < 0 && toOthers.At<float>(y, x) < -d + 8) continue;
                int b = (int)((d - dMin) / bin);
                float v = image.At<float>(y, x);
                sum[b] += darkParticle ? -v : v;
                count[b]++;
            }
        var bins = Enumerable.Range(0, nb).Where(b => count[b] > 3).ToArray();
        if (bins.Length < 10) return double.NaN;
        var depth = bins.Select(b => dMin + (b + 0.5) * bin).ToArray();
        var signal = bins.Select(b => sum[b] / count[b]).ToArray();
        var weight = bins.Select(b => (double)count[b]).ToArray();
        double Sse(double e, double s)
        {
            double S1 = 0, Sp = 0, Spp = 0, Sy = 0, Spy = 0, Syy = 0;
            for (int i = 0; i < depth.Length; i++)
            {
                double p = BlurredDisc(radius - depth[i], radius - e, s), w = weight[i];
                S1 += w; Sp += w * p; Spp += w * p * p; Sy += w * signal[i]; Spy += w * p * signal[i]; Syy += w * signal[i] * signal[i];
            }
            double det = S1 * Spp - Sp * Sp;
            double b0 = (Spp * Sy - Sp * Spy) / det, c = (S1 * Spy - Sp * Sy) / det;
            return c > 0 ? Syy - b0 * Sy - c * Spy : double.PositiveInfinity;
        }
        // Coarse grid over edge offset and blur, then a fine one about the best.
        double best = double.PositiveInfinity, edge = 0, blur = 1;
        for (double s = 0.5; s <= 7; s += 0.25)
            for (double e = -6; e <= 4; e += 0.25)
                if (Sse(e, s) is double v && v < best) (best, edge, blur) = (v, e, s);
        var (e0, s0) = (edge, blur);
        for (double s = Math.Max(0.35, s0 - 0.25); s <= s0 + 0.25001; s += 0.05)
            for (double e = e0 - 0.25; e <= e0 + 0.25001; e += 0.025)
                if (Sse(e, s) is double v && v < best) (best, edge, blur) = (v, e, s);
        double area = 0;
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
            {
                double d = SignedDistance(x, y);
                if (d < -9 || (d < 0 && toOthers.At<float>(y, x) < -d + 2)) continue;
                area += Math.Clamp(d - edge + 0.5, 0, 1);
            }
        return area;
    }

    /// <summary>
    /// Fraction of a 2-D Gaussian of σ = <paramref name="s"/> centred at distance <paramref name="r"/> from the centre
    /// of a disc of radius <paramref name="radius"/> that lies inside the disc: ∫ (u/s²)·e^(−u²/2s²)·f(u) du over rings
    /// of radius u about the point, f(u) the fraction of the ring inside the disc.
    /// </summary>
    internal static double BlurredDisc(double r, double radius, double s)
    {
        if (radius <= 0) return 0;
        r = Math.Abs(r);
        const int rings = 120;
        double du = 6 * s / rings, sum = 0;
        for (int k = 0; k < rings; k++)
        {
            double u = (k + 0.5) * du;
            double inside = u + r <= radius ? 1
                : u >= r + radius || r - u >= radius ? 0
                : Math.Acos(Math.Clamp((r * r + u * u - radius * radius) / (2 * r * u), -1, 1)) / Math.PI;
            sum += u / (s * s) * Math.Exp(-u * u / (2 * s * s)) * inside * du;
        }
        return sum;
    }

    /// <summary>Detection counts of <c>--auto</c> on image <paramref name="index"/> at IoU ≥ <paramref name="minIoU"/>.</summary>
    public static (int TruePositives, int Detections, int Labelled) Detection(int index, double minIoU = 0.5)
    {
        using var frame = ReadFrame(index);
        var gt = ReadLabels(index);
        try
        {
            var size = new Size(frame.Width, frame.Height);
            var detected = ParticleDetector.Detect(frame);
            var found = new List<Mat>();
            if (detected.Count > 0)
            {
                using var tracker = new Tracker(detected);
                // Every detection counts with the outline the tracker ends with (its prior when it reports no area,
                // e.g. out of view because it comes within a PSF σ of the border).
                foreach (var m in tracker.Process(frame, default).Particles) found.Add(Fill(m.Outline, size));
            }
            // Border-cut hand particles and specks are not counted; a detection matched to one is neither a hit nor a miss.
            var counted = gt.Where(p => !p.TouchesBorder && p.AreaPx >= MinAreaPx).ToList();
            var ignored = gt.Where(p => !counted.Contains(p)).ToList();
            int tp = 0, fp = 0;
            var used = new bool[counted.Count];
            foreach (var d in found)
            {
                int best = -1; double bestIoU = 0;
                for (int j = 0; j < counted.Count; j++)
                {
                    if (used[j]) continue;
                    double iou = IoU(d, counted[j].Mask);
                    if (iou > bestIoU) { bestIoU = iou; best = j; }
                }
                if (bestIoU >= minIoU) { used[best] = true; tp++; }
                else if (!ignored.Any(g => IoU(d, g.Mask) >= minIoU)) fp++;
                d.Dispose();
            }
            return (tp, tp + fp, counted.Count);
        }
        finally { foreach (var p in gt) p.Dispose(); }
    }
}
