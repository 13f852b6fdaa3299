using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>Edges of the frame (flags: a body in a corner touches two).</summary>
[Flags]
public enum FrameSides
{
    None = 0,
    Left = 1,
    Top = 2,
    Right = 4,
    Bottom = 8,
}

/// <summary>
/// The electrolyte body as found in one frame: the large region of particle-like contrast (dark in bright field)
/// that enters from the frame edge, far thicker than any particle.
/// </summary>
/// <param name="Outline">Its outline in px, named "electrolyte", clockwise on screen; where the body meets the frame
/// edge the outline runs along the frame's outer pixel edge (x = −0.5, W − 0.5; y = −0.5, H − 0.5).</param>
/// <param name="Sides">Frame edges it touches.</param>
/// <param name="AreaPx">Area inside the frame, px².</param>
/// <param name="BoundaryPx">Its free boundary: the longest run of <paramref name="Outline"/> that does not lie on the
/// frame edge, i.e. the line a particle touches and that retreats when contact is lost; in outline order.</param>
public sealed record ElectrolyteRegion(Outline Outline, FrameSides Sides, double AreaPx, IReadOnlyList<Point2d> BoundaryPx)
{
    /// <summary>Distance in px from <paramref name="p"/> to the free boundary (0 on it).</summary>
    public double DistanceToBoundaryPx(Point2d p)
    {
        double best = double.PositiveInfinity;
        for (int i = 0; i + 1 < BoundaryPx.Count; i++)
        {
            var a = BoundaryPx[i]; var b = BoundaryPx[i + 1];
            double dx = b.X - a.X, dy = b.Y - a.Y, l2 = dx * dx + dy * dy;
            double t = l2 > 0 ? Math.Clamp(((p.X - a.X) * dx + (p.Y - a.Y) * dy) / l2, 0, 1) : 0;
            double ex = a.X + t * dx - p.X, ey = a.Y + t * dy - p.Y;
            best = Math.Min(best, Math.Sqrt(ex * ex + ey * ey));
        }
        return best;
    }
}

/// <summary>
/// Finds the electrolyte body in a frame; the same finder <see cref="ParticleDetector"/> uses to cut the body away
/// from the particles that touch it.
/// </summary>
/// <remarks>
/// A threshold of the particle contrast merges the body with the particles touching it. The body's core is what
/// remains of that foreground after an erosion by a disc of radius T larger than any particle (T =
/// <see cref="DetectorOptions.MaxParticleRadiusPx"/>), keeping only the parts reached from the frame edge: no disc
/// that large fits inside a particle. The frame is padded by 2T with its edge pixels repeated (the body continues
/// beyond the edge), which lets a body thinner than T in the frame count as long as it runs along the edge for more
/// than ~2T; a particle cut by the edge does not (its chord is at most 2R &lt; 2T). The body is then the watershed
/// region of the foreground's distance transform holding the core, cut from each touching particle at its neck as
/// touching particles are cut from each other. Accepted when its area in the frame is ≥ π T² / 2.
/// </remarks>
public static class ElectrolyteDetector
{
    /// <summary>The electrolyte body in <paramref name="frame"/>, or null when there is none.</summary>
    public static ElectrolyteRegion? Find(Frame frame, DetectorOptions? options = null) =>
        ParticleDetector.DetectScene(frame, options).Electrolyte;

    /// <summary>
    /// The body's core within <paramref name="foreground"/> (CV_8U, 255 = particle-like contrast): the pixels farther
    /// than <paramref name="radiusPx"/> from the background, the frame padded by repeating its edge, in components that
    /// reach beyond the frame; null when there are none. The body is the watershed region that holds it.
    /// </summary>
    internal static Mat? BodyCore(Mat foreground, double radiusPx)
    {
        int w = foreground.Width, h = foreground.Height;
        int pad = (int)Math.Ceiling(2 * radiusPx) + 2;
        using var padded = new Mat();
        Cv2.CopyMakeBorder(foreground, padded, pad, pad, pad, pad, BorderTypes.Replicate);
        // Everything beyond the padding is background, so the distance is finite everywhere.
        using var framed = new Mat();
        Cv2.CopyMakeBorder(padded, framed, 1, 1, 1, 1, BorderTypes.Constant, Scalar.All(0));
        using var dist = new Mat();
        Cv2.DistanceTransform(framed, dist, DistanceTypes.L2, DistanceTransformMasks.Precise);
        using var core = new Mat();
        Cv2.Compare(dist, Scalar.All(radiusPx), core, CmpTypes.GT);
        using var labels = new Mat();
        int n = Cv2.ConnectedComponents(core, labels, PixelConnectivity.Connectivity8, MatType.CV_32S);
        if (n <= 1) return null;
        var inRect = new Rect(pad + 1, pad + 1, w, h);
        labels.GetArray(out int[] lab);
        int fw = framed.Width, fh = framed.Height;
        var outside = new bool[n];
        for (int y = 0; y < fh; y++)
            for (int x = 0; x < fw; x++)
            {
                int l = lab[y * fw + x];
                if (l != 0 && !inRect.Contains(x, y)) outside[l] = true;
            }
        var kept = new byte[w * h];
        bool any = false;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int l = lab[(y + pad + 1) * fw + x + pad + 1];
                if (l != 0 && outside[l]) { kept[y * w + x] = 255; any = true; }
            }
        if (!any) return null;
        var m = new Mat(h, w, MatType.CV_8UC1);
        m.SetArray(kept);
        return m;
    }

    /// <summary>
    /// The body: the watershed regions of <paramref name="mask"/>'s distance transform (from its significant maxima, as
    /// particles are split from each other) that hold its <see cref="BodyCore">core</see>, so a particle touching the
    /// body is cut off at its neck; null when there is no core or the body is smaller than half a disc of
    /// <paramref name="radiusPx"/>.
    /// </summary>
    internal static Mat? Body(Mat mask, double radiusPx, Func<float, float> minDynamic)
    {
        using var core = BodyCore(mask, radiusPx);
        if (core is null) return null;
        int w = mask.Width, h = mask.Height;
        using var dist = new Mat();
        Cv2.DistanceTransform(mask, dist, DistanceTypes.L2, DistanceTransformMasks.Precise);
        dist.GetArray(out float[] height);
        var (labels, _) = DynamicsWatershed.Label(height, w, minDynamic);
        core.GetArray(out byte[] c);
        var isBody = new HashSet<int>();
        for (int i = 0; i < c.Length; i++) if (c[i] != 0 && labels[i] != 0) isBody.Add(labels[i]);
        var px = new byte[w * h];
        int count = 0;
        for (int i = 0; i < px.Length; i++) if (isBody.Contains(labels[i])) { px[i] = 255; count++; }
        if (count < Math.PI * radiusPx * radiusPx / 2) return null;
        var body = new Mat(h, w, MatType.CV_8UC1);
        body.SetArray(px);
        return body;
    }

    /// <summary>The region's outline, sides and free boundary from its mask and the outline-scale contrast.</summary>
    /// <param name="body">The body's pixels (255).</param>
    /// <param name="fine">Outline-scale contrast (CV_32F).</param>
    /// <param name="level">The contrast level the mask was cut at (its edge is drawn where <paramref name="fine"/> crosses it).</param>
    internal static ElectrolyteRegion Describe(Mat body, Mat fine, double level)
    {
        int w = body.Width, h = body.Height;
        body.GetArray(out byte[] b);
        fine.GetArray(out float[] c);
        var field = new float[b.Length];
        for (int i = 0; i < b.Length; i++)
        {
            float v = (float)(c[i] - level);
            field[i] = b[i] != 0 ? Math.Max(Math.Abs(v), 1e-6f) : -Math.Max(Math.Abs(v), 1e-6f);
        }
        var loop = IsoContour.OuterLoop(field, w, h);
        var sides = FrameSides.None;
        for (int x = 0; x < w; x++) { if (b[x] != 0) sides |= FrameSides.Top; if (b[(h - 1) * w + x] != 0) sides |= FrameSides.Bottom; }
        for (int y = 0; y < h; y++) { if (b[y * w] != 0) sides |= FrameSides.Left; if (b[y * w + w - 1] != 0) sides |= FrameSides.Right; }
        bool OnEdge(Point2d p) => p.X < 0 || p.Y < 0 || p.X > w - 1 || p.Y > h - 1;
        // Longest run of vertices off the frame edge (the loop is cyclic: start the scan on an edge vertex).
        var free = new List<Point2d>();
        int start = Array.FindIndex(loop, OnEdge);
        if (start < 0) free.AddRange(loop);
        else
        {
            var run = new List<Point2d>();
            for (int k = 1; k <= loop.Length; k++)
            {
                var p = loop[(start + k) % loop.Length];
                if (OnEdge(p)) { if (run.Count > free.Count) free = run; run = []; }
                else run.Add(p);
            }
            if (run.Count > free.Count) free = run;
        }
        return new ElectrolyteRegion(new Outline("electrolyte", loop), sides, Cv2.CountNonZero(body), free);
    }
}
