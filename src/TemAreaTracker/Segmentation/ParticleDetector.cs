using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>Knobs of <see cref="ParticleDetector"/>, each in px of the frame.</summary>
public sealed record DetectorOptions
{
    /// <summary>Smallest particle kept, px².</summary>
    public double MinAreaPx { get; init; } = 40;

    /// <summary>
    /// Gaussian σ (px) of the contrast image the particles are found in: larger than the noise grain and lattice
    /// fringes, smaller than the particles (6 px suits particles of radius ≥ 10 px in noisy bright-field frames).
    /// Outlines are drawn on the contrast smoothed by a third of it (at least 1 px).
    /// </summary>
    public double SmoothingPx { get; init; } = 6;

    /// <summary>
    /// Radius in px above which a region is no particle: the electrolyte body is what stays of the foreground after an
    /// opening with a disc this large (see <see cref="ElectrolyteDetector"/>). Null = a tenth of the frame's longer side.
    /// </summary>
    public double? MaxParticleRadiusPx { get; init; }

    /// <summary>Particles darker than the support (bright field) or brighter (dark field, inverted); null = decide from the frame.</summary>
    public bool? DarkParticles { get; init; }
}

/// <summary>What <see cref="ParticleDetector.DetectScene"/> finds in one frame.</summary>
/// <param name="Particles">Particle outlines p1, p2, … in reading order, each a simple polygon, clockwise on screen.</param>
/// <param name="Electrolyte">The electrolyte body, or null when the frame shows none.</param>
/// <param name="OverlaysPx">Burnt-in scale bars and time stamps (boxes in px), left out of the search.</param>
/// <param name="DarkParticles">Polarity used: particles darker than the support.</param>
public sealed record SceneDetection(IReadOnlyList<Outline> Particles, ElectrolyteRegion? Electrolyte, IReadOnlyList<Rect> OverlaysPx, bool DarkParticles);

/// <summary>
/// Finds every particle fully in view in one frame (for <c>track --auto</c>), whatever the pixel type, polarity and
/// illumination, splitting touching particles, and never reporting the electrolyte body or burnt-in text as one.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>Contrast (<see cref="SceneContrast"/>): float throughout, illumination flattened by a normalized convolution
/// that ignores what stands above the support, particles made positive, overlays masked, noise σ measured on the
/// support at the detection scale (the support's texture counts as noise).</item>
/// <item>Foreground: hysteresis on the smoothed contrast, grown from ≥ 5 σ down to ≥ 3 σ: faint particles keep their
/// whole extent, noise blobs (which rarely reach 5 σ) are not seeded.</item>
/// <item>Electrolyte: cut away by <see cref="ElectrolyteDetector"/> (an opening with a disc larger than any particle,
/// reached from the frame edge), so particles touching the body survive as particles.</item>
/// <item>Splitting: watershed of the distance transform from its significant maxima only (dynamics ≥ max(2 px,
/// 25 % of the peak), <see cref="DynamicsWatershed"/>): touching and overlapping particles split at their necks, a
/// particle with a ragged rim or a rod is not cut up.</item>
/// <item>Outline per region: the contour, within its watershed region, of the finer contrast at 30 % of the region's
/// core contrast (but ≥ 3 σ of that image's noise): near the rim of a blurred sphere rather than the threshold's
/// outer tail; by marching squares, so every outline is a simple polygon.</item>
/// <item>Rejected: regions cut by the frame edge or touching an overlay; smaller than the minimum area; peaks below
/// 5 σ; slivers left along the electrolyte (more than half their rim on the body); thin elongated shapes (scale
/// bars, text: aspect &gt; 4).</item>
/// </list>
/// The outlines are starting points: the tracker pulls each onto the particle's own sub-pixel edge in the first frame,
/// exactly as it does with hand-drawn outlines.
/// </remarks>
public static class ParticleDetector
{
    private const double LowSigmas = 3, HighSigmas = 5, CoreSigmas = 4;
    private const double OutlineFraction = 0.3;
    private const float MinDynamicPx = 2f, MinDynamicFraction = 0.18f, MinHillFraction = 0.15f;
    private const double MaxBodyContact = 0.5;
    private const double BodyFraction = 0.25;
    private const int BodyClearancePx = 3;

    /// <summary>Detects particles in <paramref name="frame"/>; names are p1, p2, … in reading order (top to bottom).</summary>
    /// <param name="frame">Any single-channel frame.</param>
    /// <param name="minAreaPx">Smallest particle kept, px².</param>
    /// <param name="smoothingPx">Detection smoothing σ in px (see <see cref="DetectorOptions.SmoothingPx"/>).</param>
    public static IReadOnlyList<Outline> Detect(Frame frame, double minAreaPx = 40, double smoothingPx = 6) =>
        DetectScene(frame, new DetectorOptions { MinAreaPx = minAreaPx, SmoothingPx = smoothingPx }).Particles;

    /// <summary>Detects the particles, the electrolyte body and the burnt-in overlays of <paramref name="frame"/>.</summary>
    public static SceneDetection DetectScene(Frame frame, DetectorOptions? options = null)
    {
        var o = options ?? new DetectorOptions();
        if (!(o.SmoothingPx > 0)) throw new ArgumentOutOfRangeException(nameof(options), o.SmoothingPx, "smoothing must be > 0 px");
        if (o.MaxParticleRadiusPx is double mr && !(mr > 0)) throw new ArgumentOutOfRangeException(nameof(options), mr, "maximum particle radius must be > 0 px");
        int w = frame.Width, h = frame.Height;
        double bodyRadius = o.MaxParticleRadiusPx ?? 0.1 * Math.Max(w, h);
        using var sc = SceneContrast.Compute(frame, o.SmoothingPx, Math.Max(1, o.SmoothingPx / 2), o.DarkParticles);

        using var foreground = SceneContrast.Hysteresis(sc.Coarse, sc.CoarseZero + LowSigmas * sc.CoarseNoise, sc.CoarseZero + HighSigmas * sc.CoarseNoise);
        foreground.SetTo(Scalar.All(0), sc.Overlays);
        sc.Coarse.GetArray(out float[] coarse);
        sc.Fine.GetArray(out float[] fine);
        sc.Overlays.GetArray(out byte[] overlay);
        double high = sc.CoarseZero + HighSigmas * sc.CoarseNoise;
        double fineFloor = sc.FineZero + LowSigmas * sc.FineNoise;

        // The electrolyte: a core far from the background (see ElectrolyteDetector) tells there is one and how dark it
        // is deep inside; the body is then cut at a quarter of that contrast, where a particle touching it meets it
        // only at a thin neck, and opened from the core by reconstruction.
        ElectrolyteRegion? electrolyte = null;
        byte[]? bodyPx = null;
        using var domain = foreground.Clone();
        using (var coarseCore = ElectrolyteDetector.BodyCore(foreground, bodyRadius))
            if (coarseCore is not null)
            {
                double deep = Cv2.Mean(sc.Fine, coarseCore).Val0;
                double bodyLevel = Math.Max(fineFloor, sc.FineZero + BodyFraction * (deep - sc.FineZero));
                using var dark = new Mat();
                Cv2.Compare(sc.Fine, Scalar.All(bodyLevel), dark, CmpTypes.GT);
                dark.SetTo(Scalar.All(0), sc.Overlays);
                using var body = ElectrolyteDetector.Body(dark, bodyRadius, MinDynamic);
                if (body is not null)
                {
                    electrolyte = ElectrolyteDetector.Describe(body, sc.Fine, bodyLevel);
                    body.GetArray(out bodyPx);
                    // Particles keep clear of the body by a few px: its outer rim is no particle's.
                    using var zone = new Mat();
                    int k = 2 * BodyClearancePx + 1;
                    using (var disc = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(k, k)))
                        Cv2.Dilate(body, zone, disc);
                    domain.SetTo(Scalar.All(0), zone);
                }
            }

        // Pass 1: the contrast's own hills (maxima of the smoothed contrast with a dynamic of ≥ 3 σ and ≥ 15 % of
        // their height). Each hill's pixels above its own outline level (a fraction of its height) make a mask close
        // to the particles' rims, whose necks are narrow: a faint particle beside a dark one keeps its own, lower level.
        var hills = new float[w * h];
        domain.GetArray(out byte[] dom);
        for (int i = 0; i < hills.Length; i++)
            if (dom[i] != 0) hills[i] = (float)Math.Max(fine[i] - sc.FineZero, 1e-3 * sc.FineNoise);
        float hillDynamic = (float)(LowSigmas * sc.FineNoise);
        var (hillLabels, hillPeaks) = DynamicsWatershed.Label(hills, w, p => Math.Max(hillDynamic, MinHillFraction * p));
        var hillLevel = new double[hillPeaks.Length];
        for (int l = 1; l < hillPeaks.Length; l++)
            hillLevel[l] = Math.Max(fineFloor, sc.FineZero + OutlineFraction * hillPeaks[l]);
        var tight = new byte[w * h];
        for (int i = 0; i < tight.Length; i++)
        {
            int l = hillLabels[i];
            if (l != 0 && fine[i] > hillLevel[l]) tight[i] = 255;
        }
        using var tightMask = new Mat(h, w, MatType.CV_8UC1);
        tightMask.SetArray(tight);
        using (var k3 = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3)))
            Cv2.MorphologyEx(tightMask, tightMask, MorphTypes.Open, k3);

        // Pass 2: split the tight mask; each region marks one particle. Its territory is the part of the threshold
        // mask nearer to it than to any other region (geodesically), and its outline is drawn there at its own level.
        var second = Regions(tightMask, w);
        var (territory, boxes) = Territories(second.Labels, dom, w, h, second.Peaks.Length);
        var found = new List<(Point2d Centre, Point2d[] Vertices)>();
        for (int l = 1; l < second.Peaks.Length; l++)
        {
            var roi = boxes[l];
            if (second.Boxes[l].Width <= 0 || roi.Width * roi.Height < o.MinAreaPx) continue;
            var cand = Candidate(l, second.Boxes[l], roi, w, h, second.Labels, second.Dist, second.Peaks[l], territory,
                coarse, fine, overlay, bodyPx, high, fineFloor, sc.FineZero, sc.FineNoise, o.MinAreaPx);
            if (cand is not null) found.Add(cand.Value);
        }
        var outlines = found
            .OrderBy(c => Math.Round(c.Centre.Y / 20)).ThenBy(c => c.Centre.X)
            .Select((c, i) => new Outline($"p{i + 1}", c.Vertices))
            .ToArray();
        return new SceneDetection(outlines, electrolyte, sc.OverlayBoxes, sc.DarkParticles);
    }

    /// <summary>
    /// The outline of the particle marked by region <paramref name="label"/> of <paramref name="markers"/>, drawn in its
    /// territory (<paramref name="labels"/>), or null when it is no particle.
    /// </summary>
    private static (Point2d Centre, Point2d[] Vertices)? Candidate(int label, Rect markerBox, Rect roi, int w, int h, int[] markers,
        float[] dist, float peak, int[] labels, float[] coarse, float[] fine, byte[] overlay, byte[]? body, double high,
        double fineFloor, double fineZero, double fineNoise, double minAreaPx)
    {
        // Significance: the region's strongest contrast must reach the seeding level.
        float maxCoarse = float.MinValue;
        for (int y = roi.Y; y < roi.Bottom; y++)
            for (int x = roi.X; x < roi.Right; x++)
            {
                int i = y * w + x;
                if (labels[i] == label) maxCoarse = Math.Max(maxCoarse, coarse[i]);
            }
        if (maxCoarse < high) return null;
        var (level, core) = OutlineLevel(label, markerBox, w, markers, dist, peak, fine, fineFloor, fineZero, OutlineFraction);
        if (double.IsNaN(level)) return null;
        // …and so must its core on the outline-scale image, whose noise is larger: a slow ripple of a clean support can
        // pass the smoothed test, not this one.
        if (core - fineZero < CoreSigmas * fineNoise) return null;

        // The region's pixels above the level, in a box one px larger all round (the contour closes there).
        int bx = roi.X - 1, by = roi.Y - 1, bw = roi.Width + 2, bh = roi.Height + 2;
        var inSet = new byte[bw * bh];
        for (int y = 0; y < bh; y++)
            for (int x = 0; x < bw; x++)
            {
                int fx = bx + x, fy = by + y;
                if (fx < 0 || fy < 0 || fx >= w || fy >= h) continue;
                int i = fy * w + fx;
                if (labels[i] == label && fine[i] > level) inSet[y * bw + x] = 255;
            }
        using var set = Mat.FromPixelData(bh, bw, MatType.CV_8UC1, inSet);
        using var comps = new Mat();
        int nc = Cv2.ConnectedComponents(set, comps, PixelConnectivity.Connectivity4, MatType.CV_32S);
        if (nc <= 1) return null;
        comps.GetArray(out int[] comp);
        // The component holding most of the region's core (the centre of the particle).
        var coreCount = new int[nc];
        var size = new int[nc];
        for (int y = 0; y < bh; y++)
            for (int x = 0; x < bw; x++)
            {
                int c = comp[y * bw + x];
                if (c == 0) continue;
                size[c]++;
                int fi = (by + y) * w + bx + x;
                if (markers[fi] == label && dist[fi] >= 0.5f * peak) coreCount[c]++;
            }
        int best = 1;
        for (int c = 2; c < nc; c++)
            if (coreCount[c] > coreCount[best] || (coreCount[c] == coreCount[best] && size[c] > size[best])) best = c;
        var mask = new byte[bw * bh];
        for (int i = 0; i < mask.Length; i++) if (comp[i] == best) mask[i] = 255;
        FillHoles(mask, bw, bh);

        // Rejections on the pixel set.
        int area = 0, rim = 0, rimOnBody = 0;
        for (int y = 0; y < bh; y++)
            for (int x = 0; x < bw; x++)
            {
                if (mask[y * bw + x] == 0) continue;
                area++;
                int fx = bx + x, fy = by + y;
                if (fx == 0 || fy == 0 || fx == w - 1 || fy == h - 1) return null; // cut by the frame edge
                bool edge = false, nearBody = false;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int i = (fy + dy) * w + fx + dx;
                        if (overlay[i] != 0) return null; // touches a burnt-in overlay
                        int mx = x + dx, my = y + dy;
                        if (mx < 0 || my < 0 || mx >= bw || my >= bh || mask[my * bw + mx] == 0) edge = true;
                    }
                if (!edge) continue;
                rim++;
                if (body is not null)
                    for (int dy = -BodyClearancePx - 2; dy <= BodyClearancePx + 2 && !nearBody; dy++)
                        for (int dx = -BodyClearancePx - 2; dx <= BodyClearancePx + 2 && !nearBody; dx++)
                        {
                            int xx = fx + dx, yy = fy + dy;
                            nearBody = xx >= 0 && yy >= 0 && xx < w && yy < h && body[yy * w + xx] != 0;
                        }
                if (nearBody) rimOnBody++;
            }
        if (area < minAreaPx) return null;
        if (rimOnBody > MaxBodyContact * rim) return null; // a sliver of the electrolyte

        // Sub-pixel outline: the level's crossing, kept within the set.
        var field = new float[bw * bh];
        for (int y = 0; y < bh; y++)
            for (int x = 0; x < bw; x++)
            {
                int fx = bx + x, fy = by + y;
                float v = fx < 0 || fy < 0 || fx >= w || fy >= h ? 0f : (float)(fine[fy * w + fx] - level);
                float mag = Math.Max(Math.Abs(v), 1e-6f * (float)Math.Max(1e-30, Math.Abs(level)) + 1e-30f);
                field[y * bw + x] = mask[y * bw + x] != 0 ? mag : -mag;
            }
        var loop = IsoContour.OuterLoop(field, bw, bh, bx, by);
        if (loop.Length < 8) return null;
        var contour = loop.Select(p => new Point2f((float)p.X, (float)p.Y)).ToArray();
        var box = Cv2.MinAreaRect(contour);
        double longSide = Math.Max(box.Size.Width, box.Size.Height), shortSide = Math.Min(box.Size.Width, box.Size.Height);
        if (longSide > 4 * Math.Max(shortSide, 1e-9)) return null; // scale bars and text lines
        var m = Cv2.Moments(contour);
        return (new Point2d(m.M10 / m.M00, m.M01 / m.M00), loop);
    }

    /// <summary>Smallest dynamic of a distance-transform maximum that starts its own region, px.</summary>
    private static float MinDynamic(float peak) => Math.Max(MinDynamicPx, MinDynamicFraction * peak);

    /// <summary>Watershed regions of a mask's distance transform: labels, distance, peak and bounding box per label.</summary>
    private static (int[] Labels, float[] Dist, float[] Peaks, Rect[] Boxes) Regions(Mat mask, int w)
    {
        using var dist = new Mat();
        Cv2.DistanceTransform(mask, dist, DistanceTypes.L2, DistanceTransformMasks.Precise);
        dist.GetArray(out float[] height);
        var (labels, peaks) = DynamicsWatershed.Label(height, w, MinDynamic);
        int nl = peaks.Length;
        var x0 = new int[nl]; var y0 = new int[nl]; var x1 = new int[nl]; var y1 = new int[nl];
        Array.Fill(x0, int.MaxValue); Array.Fill(y0, int.MaxValue); Array.Fill(x1, -1); Array.Fill(y1, -1);
        for (int i = 0; i < labels.Length; i++)
        {
            int l = labels[i];
            if (l == 0) continue;
            int x = i % w, y = i / w;
            if (x < x0[l]) x0[l] = x;
            if (x > x1[l]) x1[l] = x;
            if (y < y0[l]) y0[l] = y;
            if (y > y1[l]) y1[l] = y;
        }
        var boxes = new Rect[nl];
        for (int l = 1; l < nl; l++) if (x1[l] >= 0) boxes[l] = new Rect(x0[l], y0[l], x1[l] - x0[l] + 1, y1[l] - y0[l] + 1);
        return (labels, height, peaks, boxes);
    }

    /// <summary>
    /// Every pixel of <paramref name="domain"/> labelled with its geodesically nearest region of <paramref name="seeds"/>
    /// (breadth-first over 8-neighbours), and each label's bounding box.
    /// </summary>
    private static (int[] Labels, Rect[] Boxes) Territories(int[] seeds, byte[] domain, int w, int h, int count)
    {
        var labels = (int[])seeds.Clone();
        var queue = new Queue<int>();
        for (int i = 0; i < labels.Length; i++) if (labels[i] != 0) queue.Enqueue(i);
        while (queue.Count > 0)
        {
            int i = queue.Dequeue();
            int x = i % w, y = i / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int xx = x + dx, yy = y + dy;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                    int j = yy * w + xx;
                    if (labels[j] != 0 || domain[j] == 0) continue;
                    labels[j] = labels[i];
                    queue.Enqueue(j);
                }
        }
        var x0 = new int[count]; var y0 = new int[count]; var x1 = new int[count]; var y1 = new int[count];
        Array.Fill(x0, int.MaxValue); Array.Fill(y0, int.MaxValue); Array.Fill(x1, -1); Array.Fill(y1, -1);
        for (int i = 0; i < labels.Length; i++)
        {
            int l = labels[i];
            if (l == 0) continue;
            int x = i % w, y = i / w;
            if (x < x0[l]) x0[l] = x;
            if (x > x1[l]) x1[l] = x;
            if (y < y0[l]) y0[l] = y;
            if (y > y1[l]) y1[l] = y;
        }
        var boxes = new Rect[count];
        for (int l = 1; l < count; l++) if (x1[l] >= 0) boxes[l] = new Rect(x0[l], y0[l], x1[l] - x0[l] + 1, y1[l] - y0[l] + 1);
        return (labels, boxes);
    }

    /// <summary>
    /// The contrast level of a region's outline: <paramref name="fraction"/> of the median fine contrast over its
    /// core (distance ≥ half its peak), but at least the fine image's noise floor, and that median; NaN for an empty core.
    /// </summary>
    private static (double Level, double Core) OutlineLevel(int label, Rect roi, int w, int[] labels, float[] dist, float peak, float[] fine, double fineFloor, double fineZero, double fraction)
    {
        var core = new List<float>();
        for (int y = roi.Y; y < roi.Bottom; y++)
            for (int x = roi.X; x < roi.Right; x++)
            {
                int i = y * w + x;
                if (labels[i] == label && dist[i] >= 0.5f * peak) core.Add(fine[i]);
            }
        if (core.Count == 0) return (double.NaN, double.NaN);
        core.Sort();
        double coreLevel = core[core.Count / 2];
        return (Math.Max(fineFloor, fineZero + fraction * (coreLevel - fineZero)), coreLevel);
    }

    /// <summary>Sets the holes of a 4-connected set (pixels of its complement not 8-connected to the box's border).</summary>
    private static void FillHoles(byte[] mask, int w, int h)
    {
        var reached = new bool[mask.Length];
        var stack = new Stack<int>();
        for (int x = 0; x < w; x++) { Push(x, 0); Push(x, h - 1); }
        for (int y = 0; y < h; y++) { Push(0, y); Push(w - 1, y); }
        while (stack.Count > 0)
        {
            int i = stack.Pop();
            int x = i % w, y = i / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                    if (dx != 0 || dy != 0) Push(x + dx, y + dy);
        }
        for (int i = 0; i < mask.Length; i++) if (!reached[i]) mask[i] = 255;

        void Push(int x, int y)
        {
            if (x < 0 || y < 0 || x >= w || y >= h) return;
            int i = y * w + x;
            if (reached[i] || mask[i] != 0) return;
            reached[i] = true;
            stack.Push(i);
        }
    }
}
