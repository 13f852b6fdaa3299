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

    /// <summary>Relative area errors (tracked / hand − 1) of every counted particle of image <paramref name="index"/>, tracked from rough outlines.</summary>
    public static List<double> AreaErrors(int index, int seed = 1, TrackOptions? options = null)
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
            var result = tracker.Process(frame);
            // A particle the tracker cannot measure counts as a 100 % error: never dropped from the median.
            return counted.Select((p, i) => result.Particles[i].AreaPx is double a && double.IsFinite(a) ? a / p.AreaPx - 1 : 1.0).ToList();
        }
        finally { foreach (var p in gt) p.Dispose(); }
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
                // e.g. out of view because its search band reaches the border).
                foreach (var m in tracker.Process(frame).Particles) found.Add(Fill(m.Outline, size));
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
