// Shared by the detector tests and the `detect` benchmark (linked into bench/TemAreaTracker.Bench): no xunit here.
using System.Globalization;
using System.Text;
using OpenCvSharp;
using TemAreaTracker.Segmentation;
using TemAreaTracker.Simulation;
using Tracker = TemAreaTracker.Tracking.Tracker;

namespace TemAreaTracker.Tests.Segmentation;

/// <summary>How a detection-matrix frame reaches the detector.</summary>
public enum PixelFormat
{
    /// <summary>8-bit, as the simulator quantises.</summary>
    U8,
    /// <summary>16-bit over the full range, as the simulator quantises.</summary>
    U16,
    /// <summary>16-bit using ~700 grey levels about 32768 (a signed camera stored as unsigned, like the chenlab TIFF).</summary>
    U16Narrow,
    /// <summary>32-bit float, scaled and offset to arbitrary negative and positive values.</summary>
    F32,
}

/// <summary>One cell of the detection matrix: a layout and the image-formation knobs on top of it.</summary>
public sealed record DetectionCase
{
    public string Label { get; init; } = "base";
    public FieldLayout Layout { get; init; } = FieldLayout.Clusters;
    public int Width { get; init; } = 320;
    public int Height { get; init; } = 256;
    public double MinRadiusPx { get; init; } = 10;
    public double MaxRadiusPx { get; init; } = 30;
    public double DoseElectronsPerPx { get; init; } = 300;
    public bool Inverted { get; init; }
    public PixelFormat Format { get; init; } = PixelFormat.U8;
    public double BlurSigmaPx { get; init; } = 0.9;
    public double CarbonTextureStrength { get; init; } = 0.04;
    public double BraggStrength { get; init; } = 0.7;
    public double IlluminationFalloff { get; init; } = 0.12;
    public double DefocusFringeStrength { get; init; }
    public bool Overlays { get; init; }
    public FrameEdge? ElectrolyteEdge { get; init; }
    /// <summary>Draw every knob at random per seed (ranges in <see cref="DetectionMatrix.Randomize"/>), keeping layout and size.</summary>
    public bool RandomKnobs { get; init; }
}

/// <summary>Detection counts of one frame (or a sum over frames).</summary>
/// <param name="Truth">True particles fully in view (neither cut by the frame edge nor partly under a burnt-in overlay).</param>
/// <param name="Detections">Detections scored (those matching a particle cut by the frame edge are not counted).</param>
/// <param name="Matched">Detections matched one-to-one to a true particle at IoU ≥ 0.5.</param>
/// <param name="OnElectrolyte">Unmatched detections lying mostly (&gt; 50 %) on the electrolyte body.</param>
/// <param name="OnOverlay">Unmatched detections touching a burnt-in scale bar or time stamp.</param>
/// <param name="Frames">Frames summed.</param>
public sealed record DetectionScore(int Truth, int Detections, int Matched, int OnElectrolyte, int OnOverlay, int Frames = 1)
{
    public double Recall => Truth == 0 ? 1 : Matched / (double)Truth;
    public double Precision => Detections == 0 ? 1 : Matched / (double)Detections;
    public static DetectionScore operator +(DetectionScore a, DetectionScore b) =>
        new(a.Truth + b.Truth, a.Detections + b.Detections, a.Matched + b.Matched, a.OnElectrolyte + b.OnElectrolyte,
            a.OnOverlay + b.OnOverlay, a.Frames + b.Frames);
    public static readonly DetectionScore Zero = new(0, 0, 0, 0, 0, 0);
}

/// <summary>
/// Particle detection (<c>track --auto</c>) against simulator truth: render a <see cref="ParticleFields"/> scene, detect,
/// and match each detection's outline to the true discs of frame 0 at IoU ≥ 0.5 (one-to-one, best IoU first).
/// </summary>
public static class DetectionMatrix
{
    public const double MinIoU = 0.5;

    /// <summary>The scene of a case and seed (every knob drawn from the seed when <see cref="DetectionCase.RandomKnobs"/>).</summary>
    public static SimulationScenario Build(DetectionCase c, int seed)
    {
        if (c.RandomKnobs) c = Randomize(c, seed);
        var s = ParticleFields.Field(seed, c.Layout, c.Width, c.Height, c.MinRadiusPx, c.MaxRadiusPx, c.ElectrolyteEdge);
        return s with
        {
            DoseElectronsPerPx = c.DoseElectronsPerPx,
            Inverted = c.Inverted,
            BitDepth = c.Format == PixelFormat.U16 ? 16 : 8,
            BlurSigmaPx = c.BlurSigmaPx,
            CarbonTextureStrength = c.CarbonTextureStrength,
            BraggStrength = c.BraggStrength,
            IlluminationFalloff = c.IlluminationFalloff,
            DefocusFringeStrength = c.DefocusFringeStrength,
            ScaleBar = c.Overlays,
            TimeStamp = c.Overlays,
        };
    }

    /// <summary>
    /// Every image knob drawn at random: dose 40-2000 e/px (log-uniform), PSF σ 0-2.5 px, carbon texture 0-0.1,
    /// Bragg 0-1.2, illumination fall-off 0-0.35, defocus fringe 0-1.5 in a third of scenes, inversion and overlays
    /// in half, pixel format any of four.
    /// </summary>
    public static DetectionCase Randomize(DetectionCase c, int seed)
    {
        var r = new Random(seed * 7919 + (int)c.Layout * 104729 + c.Width);
        return c with
        {
            RandomKnobs = false,
            DoseElectronsPerPx = Math.Exp(Math.Log(40) + r.NextDouble() * Math.Log(2000 / 40.0)),
            BlurSigmaPx = 2.5 * r.NextDouble(),
            CarbonTextureStrength = 0.1 * r.NextDouble(),
            BraggStrength = 1.2 * r.NextDouble(),
            IlluminationFalloff = 0.35 * r.NextDouble(),
            DefocusFringeStrength = r.NextDouble() < 0.33 ? 1.5 * r.NextDouble() : 0,
            Inverted = r.NextDouble() < 0.5,
            Overlays = r.NextDouble() < 0.5,
            Format = (PixelFormat)r.Next(4),
        };
    }

    /// <summary>Frame 0 of the scene in the case's pixel format.</summary>
    public static Frame Render(DetectionCase c, SimulationScenario s)
    {
        var frame = MovieSimulator.RenderFrame(s, 0);
        var format = c.RandomKnobs ? Randomize(c, s.Seed).Format : c.Format;
        switch (format)
        {
            case PixelFormat.U16Narrow:
            {
                var m = new Mat();
                // 255 grey levels of the 8-bit render → ~700 levels about 32768.
                frame.Pixels.ConvertTo(m, MatType.CV_16UC1, 2.75, 32768 - 2.75 * 128);
                frame.Dispose();
                return new Frame(0, m);
            }
            case PixelFormat.F32:
            {
                var m = new Mat();
                frame.Pixels.ConvertTo(m, MatType.CV_32FC1, 0.0137, -1.5); // values about 0, negative and positive
                frame.Dispose();
                return new Frame(0, m);
            }
            default:
                return frame;
        }
    }

    /// <summary>Pixels (255) where a burnt-in scale bar or time stamp changed the frame, grown by 2 px; null without overlays.</summary>
    public static Mat? OverlayMask(SimulationScenario s)
    {
        if (!s.ScaleBar && !s.TimeStamp) return null;
        using var with = MovieSimulator.RenderFrame(s, 0);
        using var without = MovieSimulator.RenderFrame(s with { ScaleBar = false, TimeStamp = false }, 0);
        var diff = new Mat();
        Cv2.Compare(with.Pixels, without.Pixels, diff, CmpTypes.NE);
        // Fill each overlay's bounding box (the box round the text), then grow it.
        Cv2.FindContours(diff, out Point[][] contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        foreach (var c in contours)
        {
            var b = Cv2.BoundingRect(c);
            Cv2.Rectangle(diff, new Rect(b.X - 2, b.Y - 2, b.Width + 4, b.Height + 4), Scalar.All(255), -1);
        }
        return diff;
    }

    /// <summary>The electrolyte body's pixels (255) in frame 0, or null without one.</summary>
    public static Mat? ElectrolyteMask(SimulationScenario s)
    {
        if (s.Electrolyte is not { } el) return null;
        var px = new byte[s.Width * s.Height];
        for (int y = 0; y < s.Height; y++)
            for (int x = 0; x < s.Width; x++)
            {
                (double u, double along) = el.Edge switch
                {
                    FrameEdge.Left => (x, y),
                    FrameEdge.Right => (s.Width - 1 - x, y),
                    FrameEdge.Top => (y, x),
                    _ => (s.Height - 1 - y, x),
                };
                if (el.BoundaryPx(along) - u > 0) px[y * s.Width + x] = 255;
            }
        var m = new Mat(s.Height, s.Width, MatType.CV_8UC1);
        m.SetArray(px);
        return m;
    }

    /// <summary>Detects on one scene and scores it.</summary>
    /// <param name="refine">Score the outline the tracker makes of each detection in frame 0 (what --auto reports)
    /// rather than the detector's own.</param>
    public static DetectionScore Score(DetectionCase c, int seed, bool refine = false)
    {
        var s = Build(c, seed);
        using var frame = Render(c, s);
        var detected = ParticleDetector.Detect(frame);
        IReadOnlyList<Outline> outlines = detected;
        if (refine && detected.Count > 0)
        {
            using var tracker = new Tracker(detected);
            outlines = tracker.Process(frame, default).Particles.Select(p => p.Outline).ToArray();
        }
        return Score(s, outlines);
    }

    /// <summary>Scores <paramref name="outlines"/> against frame 0 of <paramref name="s"/>.</summary>
    public static DetectionScore Score(SimulationScenario s, IReadOnlyList<Outline> outlines)
    {
        var truth = GroundTruth.Compute(s);
        using var overlay = OverlayMask(s);
        using var electrolyte = ElectrolyteMask(s);
        var size = new Size(s.Width, s.Height);
        // A particle partly under a burnt-in overlay is no more in view than one cut by the frame edge.
        bool Hidden(Point2d c, double r)
        {
            if (overlay is null) return false;
            using var disc = Fill(Disc(c, r + 1), size);
            return Overlap(disc, overlay) > 0;
        }
        var discs = truth.Particles.Select(p => (p.CentrePx[0], R: p.RadiusNm[0] / s.PixelSizeNm,
            InView: p.InView[0] && !Hidden(p.CentrePx[0], p.RadiusNm[0] / s.PixelSizeNm))).ToArray();
        var inView = discs.Where(d => d.InView).Select(d => Disc(d.Item1, d.R)).ToArray();
        var cut = discs.Where(d => !d.InView).Select(d => Disc(d.Item1, d.R)).ToArray();
        var found = outlines.Select(o => o.VerticesPx.ToArray()).ToArray();

        // All pairs with IoU ≥ 0.5, best first, one-to-one.
        var pairs = new List<(double IoU, int D, int T)>();
        for (int d = 0; d < found.Length; d++)
            for (int t = 0; t < inView.Length; t++)
                if (IoU(found[d], inView[t], size) is double iou && iou >= MinIoU) pairs.Add((iou, d, t));
        var usedD = new bool[found.Length];
        var usedT = new bool[inView.Length];
        int matched = 0;
        foreach (var (_, d, t) in pairs.OrderByDescending(p => p.IoU))
        {
            if (usedD[d] || usedT[t]) continue;
            usedD[d] = usedT[t] = true;
            matched++;
        }
        int detections = 0, onElectrolyte = 0, onOverlay = 0;
        for (int d = 0; d < found.Length; d++)
        {
            if (usedD[d]) { detections++; continue; }
            // A detection of a particle cut by the frame edge or an overlay is neither a hit nor a false alarm.
            if (cut.Any(t => IoU(found[d], t, size) >= MinIoU)) continue;
            detections++;
            using var fill = Fill(found[d], size);
            int area = Math.Max(1, Cv2.CountNonZero(fill));
            if (electrolyte is not null && Overlap(fill, electrolyte) > 0.5 * area) onElectrolyte++;
            if (overlay is not null && Overlap(fill, overlay) > 0) onOverlay++;
        }
        return new DetectionScore(inView.Length, detections, matched, onElectrolyte, onOverlay);
    }

    private static int Overlap(Mat a, Mat b)
    {
        using var both = new Mat();
        Cv2.BitwiseAnd(a, b, both);
        return Cv2.CountNonZero(both);
    }

    private static Point2d[] Disc(Point2d c, double r) =>
        Enumerable.Range(0, 96).Select(k => new Point2d(c.X + r * Math.Cos(2 * Math.PI * k / 96), c.Y + r * Math.Sin(2 * Math.PI * k / 96))).ToArray();

    /// <summary>Polygon filled at 1/16 px precision (pixel centres at integers), 255 inside.</summary>
    public static Mat Fill(IReadOnlyList<Point2d> poly, Size size)
    {
        const int shift = 4;
        var m = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
        var pts = poly.Select(v => new Point((int)Math.Round(v.X * (1 << shift)), (int)Math.Round(v.Y * (1 << shift)))).ToArray();
        Cv2.FillPoly(m, [pts], Scalar.All(255), LineTypes.Link8, shift);
        return m;
    }

    /// <summary>IoU of two filled polygons, computed over their joint bounding box (0 when the boxes miss).</summary>
    public static double IoU(IReadOnlyList<Point2d> a, IReadOnlyList<Point2d> b, Size size)
    {
        Rect Box(IReadOnlyList<Point2d> p)
        {
            int x0 = (int)Math.Floor(p.Min(v => v.X)) - 1, y0 = (int)Math.Floor(p.Min(v => v.Y)) - 1;
            int x1 = (int)Math.Ceiling(p.Max(v => v.X)) + 1, y1 = (int)Math.Ceiling(p.Max(v => v.Y)) + 1;
            return new Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
        }
        var ba = Box(a); var bb = Box(b);
        if ((ba & bb).Width <= 0 || (ba & bb).Height <= 0) return 0;
        var u = ba | bb;
        var local = new Size(u.Width, u.Height);
        using var fa = Fill(a.Select(v => new Point2d(v.X - u.X, v.Y - u.Y)).ToArray(), local);
        using var fb = Fill(b.Select(v => new Point2d(v.X - u.X, v.Y - u.Y)).ToArray(), local);
        // Only pixels inside the frame count.
        var inside = new Rect(-u.X, -u.Y, size.Width, size.Height) & new Rect(0, 0, u.Width, u.Height);
        if (inside.Width <= 0 || inside.Height <= 0) return 0;
        using var ia = new Mat(fa, inside);
        using var ib = new Mat(fb, inside);
        using var inter = new Mat();
        using var union = new Mat();
        Cv2.BitwiseAnd(ia, ib, inter);
        Cv2.BitwiseOr(ia, ib, union);
        int un = Cv2.CountNonZero(union);
        return un == 0 ? 0 : Cv2.CountNonZero(inter) / (double)un;
    }

    /// <summary>Sums the scores of one case over <paramref name="seeds"/>.</summary>
    public static DetectionScore Run(DetectionCase c, IEnumerable<int> seeds, bool refine = false) =>
        seeds.Select(seed => Score(c, seed, refine)).Aggregate(DetectionScore.Zero, (a, b) => a + b);

    /// <summary>One table row: label, frames, truth, detections, recall, precision, detections on the body / overlays.</summary>
    public static string Row(string label, DetectionScore s) => string.Create(CultureInfo.InvariantCulture,
        $"| {label,-44} | {s.Frames,3} | {s.Truth,5} | {s.Detections,5} | {100 * s.Recall,6:0.0} | {100 * s.Precision,6:0.0} | {s.OnElectrolyte,3} | {s.OnOverlay,3} |");

    public static string Header =>
        $"| {"condition",-44} | {"n",3} | {"truth",5} | {"found",5} | {"recall",6} | {"prec.",6} | {"el.",3} | {"ovl",3} |\n" +
        $"|{new string('-', 46)}|-----|-------|-------|--------|--------|-----|-----|";
}
