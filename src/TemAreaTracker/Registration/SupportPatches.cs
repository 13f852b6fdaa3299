using OpenCvSharp;

namespace TemAreaTracker.Registration;

/// <summary>
/// Stage drift measured on the specimen support around the particles: small textured patches of the support (the
/// amorphous carbon film) chosen away from the outlined particles, each matched by normalised cross-correlation against
/// its own key appearance (the frame it was chosen on), drift = the consensus of the patches that agree.
/// </summary>
/// <remarks>
/// <para>The support does not change while the particles swell, so a patch matched against its key frame gives the
/// drift since then without accumulating frame-to-frame errors, and the particles (which swell, and move away from the
/// electrolyte they press against) never enter the measurement. Normalised correlation ignores beam flicker, contrast
/// inversion and the camera-fixed illumination's slow fall-off over a patch.</para>
/// <para>A patch is retired when it leaves the searchable frame or it fails to agree with the consensus on
/// <see cref="MissesToRetire"/> frames running (a particle or the electrolyte moved into it, or it was never texture
/// but noise); retired patches are replaced by new ones keyed on the current frame at its measured drift, so a
/// replacement carries the error of one frame's measurement, not an error per frame.</para>
/// <para>Patches are skipped where they would see something other than support: near an outline (grown by
/// <see cref="GrowthMarginFactor"/> of its radius, enough for a Si particle swelling evenly to 1.55× its radius; one
/// that swells away from a body it presses against moves its far rim twice as far, and the patches it then pushes
/// into stop agreeing and are retired), with clipped pixels (burnt-in scale bars and time stamps are drawn at full scale), or with
/// far more contrast than the typical candidate (edges of particles nobody outlined, the electrolyte's boundary).</para>
/// </remarks>
internal sealed class SupportPatches : IDisposable
{
    /// <summary>
    /// Patch side, px: many 2-5 px grains of carbon texture, small enough to fit between particles. Shot noise scatters
    /// one patch's drift by ~0.3 px at dose 1000 and ~0.5 px at 300 on the simulator's carbon (0.05 px without noise):
    /// the precision comes from the number of patches that fit.
    /// </summary>
    internal const int PatchPx = 32;

    /// <summary>How far (px) beyond the predicted position a patch is searched: a stage step of several px a frame.</summary>
    internal const int SearchPx = 8;

    /// <summary>How far (px) a patch is searched when the usual search found no consensus (a jump of the stage).</summary>
    internal const int WideSearchPx = 24;

    /// <summary>Patches kept (a median over this many resists a few patches that a particle has pushed into).</summary>
    internal const int MaxPatches = 16;

    /// <summary>Fewest agreeing patches for a consensus.</summary>
    internal const int MinAgreeing = 3;

    /// <summary>
    /// Correlation below which a patch's match is not trusted: well above what shot noise alone reaches over a 32 px
    /// patch (~0.15), below what the simulator's carbon scores under dose-300 noise and a σ 1.6 px PSF (~0.4-0.7).
    /// </summary>
    private const double MinCorrelation = 0.3;

    /// <summary>
    /// Limits (px) of the distance from the median within which a patch agrees with the consensus: the patches'
    /// scatter sets it in between; a patch a particle has pushed into, or a burnt-in annotation, lies further out.
    /// </summary>
    private const double MinAgreePx = 0.5, MaxAgreePx = 1.5;

    /// <summary>This frame's agreement distance, px.</summary>
    private double _tolerance = MinAgreePx;

    /// <summary>Frames running a patch may fail to agree before it is retired.</summary>
    private const int MissesToRetire = 3;

    /// <summary>Outlines are kept clear of by this fraction of their equivalent radius, plus <see cref="ClearancePx"/>.</summary>
    private const double GrowthMarginFactor = 0.6;

    /// <summary>Extra clearance around every outline, px: a rough hand outline and the PSF's reach.</summary>
    private const double ClearancePx = 6;

    /// <summary>Smoothing σ (px) before matching: shot noise averaged down; a wider peak for the sub-pixel fit.</summary>
    private const double SmoothingPx = 1.0;

    /// <summary>Pixels beyond a region that its smoothing needs.</summary>
    private const int SmoothMarginPx = 3;

    private sealed class Patch : IDisposable
    {
        /// <summary>Top-left of the patch in the key frame, px.</summary>
        public required Point KeyAt { get; init; }
        /// <summary>Drift of the key frame, px.</summary>
        public required Point2d KeyDrift { get; init; }
        /// <summary>The key appearance, smoothed, CV_32F.</summary>
        public required Mat Template { get; init; }
        public int Misses;
        /// <summary>This frame's drift as this patch measures it (NaN when it found no trusted match).</summary>
        public Point2d Drift;
        public void Dispose() => Template.Dispose();
    }

    private readonly List<Patch> _patches = [];
    private readonly int _width, _height;
    private readonly double _fullScale;
    // Pixels within reach of an outline in specimen coordinates (frame 0), as an integral image: O(1) per candidate.
    private readonly Mat _nearOutlineSum = new();
    private readonly Mat _float = new(), _smooth = new(), _score = new();

    /// <param name="width">Frame width, px.</param>
    /// <param name="height">Frame height, px.</param>
    /// <param name="pixelType">Frame pixel type (for the full-scale value that burnt-in annotations use).</param>
    /// <param name="outlines">The particles to keep clear of, in the coordinates of frame 0.</param>
    public SupportPatches(int width, int height, MatType pixelType, IReadOnlyList<Outline> outlines)
    {
        _width = width;
        _height = height;
        _fullScale = pixelType == MatType.CV_8UC1 ? 255 : pixelType == MatType.CV_16UC1 ? 65535 : double.NaN;
        using var near = new Mat(height, width, MatType.CV_8UC1, Scalar.All(0));
        foreach (var o in outlines) MarkNear(near, o);
        Cv2.Integral(near, _nearOutlineSum, MatType.CV_32S);
    }

    /// <summary>Patches in use.</summary>
    public int Count => _patches.Count;

    /// <summary>Marks (255) the pixels within the growth margin of outline <paramref name="o"/>.</summary>
    private static void MarkNear(Mat near, Outline o)
    {
        if (o.VerticesPx.Count < 3) return;
        double margin = GrowthMarginFactor * Math.Sqrt(o.AreaPx / Math.PI) + ClearancePx;
        int m = (int)Math.Ceiling(margin) + 1;
        double x0 = o.VerticesPx.Min(v => v.X), x1 = o.VerticesPx.Max(v => v.X);
        double y0 = o.VerticesPx.Min(v => v.Y), y1 = o.VerticesPx.Max(v => v.Y);
        var box = new Rect((int)Math.Floor(x0) - m, (int)Math.Floor(y0) - m, 0, 0);
        box.Width = (int)Math.Ceiling(x1) + m - box.X + 1;
        box.Height = (int)Math.Ceiling(y1) + m - box.Y + 1;
        var clipped = box & new Rect(0, 0, near.Width, near.Height);
        if (clipped.Width <= 0 || clipped.Height <= 0) return;
        // Distance to the outline's interior over its neighbourhood (outside the frame too: a particle at the border).
        using var inside = new Mat(box.Height, box.Width, MatType.CV_8UC1, Scalar.All(255));
        var poly = o.VerticesPx.Select(v => new Point((int)Math.Round(v.X) - box.X, (int)Math.Round(v.Y) - box.Y)).ToArray();
        Cv2.FillPoly(inside, [poly], Scalar.All(0));
        using var distance = new Mat();
        Cv2.DistanceTransform(inside, distance, DistanceTypes.L2, DistanceTransformMasks.Precise);
        using var within = new Mat();
        Cv2.Threshold(distance, within, margin, 255, ThresholdTypes.BinaryInv);
        using var within8 = new Mat();
        within.ConvertTo(within8, MatType.CV_8UC1);
        using var src = new Mat(within8, new Rect(clipped.X - box.X, clipped.Y - box.Y, clipped.Width, clipped.Height));
        using var dst = new Mat(near, clipped);
        Cv2.BitwiseOr(dst, src, dst);
    }

    /// <summary>
    /// Drift of <paramref name="frame"/> as the consensus of the patches searched ±<paramref name="searchPx"/> px around
    /// <paramref name="predicted"/>, with the number of patches that agree; null when fewer than
    /// <see cref="MinAgreeing"/> do, or no majority does.
    /// </summary>
    /// <remarks>Does not retire or replace patches (<see cref="Settle"/> and <see cref="Refill"/> do, once the frame's drift is settled).</remarks>
    public (Point2d Drift, int Agreeing)? Measure(Mat frame, Point2d predicted, int searchPx = SearchPx)
    {
        var found = new List<Point2d>(_patches.Count);
        foreach (var p in _patches)
        {
            p.Drift = Match(frame, p, predicted, searchPx);
            if (!double.IsNaN(p.Drift.X)) found.Add(p.Drift);
        }
        if (found.Count < MinAgreeing) return null;
        double mx = Median(found.Select(d => d.X)), my = Median(found.Select(d => d.Y));
        // Shot noise scatters the patches (a few tenths of a px at dose 1000, twice that at 300): agreement is judged
        // against the scatter this frame shows (3 robust σ), within limits.
        double mad = Median(found.Select(d => Math.Abs(d.X - mx)).Concat(found.Select(d => Math.Abs(d.Y - my))));
        _tolerance = Math.Clamp(3 * 1.4826 * mad, MinAgreePx, MaxAgreePx);
        double sx = 0, sy = 0;
        int n = 0;
        foreach (var d in found)
            if (Math.Abs(d.X - mx) <= _tolerance && Math.Abs(d.Y - my) <= _tolerance) { sx += d.X; sy += d.Y; n++; }
        // A consensus needs a good part of the patches too (two groups that disagree mean the support is not all that
        // moves), but not a majority: under weak texture and heavy shot noise (PSF σ 1.6 px, dose 300) patches scatter
        // by 1-2 px, and half of them fall outside the agreement distance while their median is still right.
        if (n < MinAgreeing || 3 * n < found.Count) return null;
        return (new Point2d(sx / n, sy / n), n);
    }

    /// <summary>
    /// Settles this frame: patches that agreed with <paramref name="drift"/> are kept, the others count a miss and are
    /// retired after <see cref="MissesToRetire"/> (or at once when their search window would leave the frame).
    /// </summary>
    /// <param name="drift">The frame's drift; null when it could not be measured (every patch counts a miss).</param>
    /// <returns>Patches retired.</returns>
    public int Settle(Point2d? drift)
    {
        int retired = 0;
        for (int i = _patches.Count - 1; i >= 0; i--)
        {
            var p = _patches[i];
            bool agrees = drift is Point2d d && !double.IsNaN(p.Drift.X)
                          && Math.Abs(p.Drift.X - d.X) <= _tolerance && Math.Abs(p.Drift.Y - d.Y) <= _tolerance;
            p.Misses = agrees ? 0 : p.Misses + 1;
            bool inFrame = drift is not Point2d dd || Searchable(Placed(p, dd));
            if (p.Misses >= MissesToRetire || !inFrame)
            {
                p.Dispose();
                _patches.RemoveAt(i);
                retired++;
            }
        }
        return retired;
    }

    /// <summary>Retires every patch (the support is to be chosen afresh).</summary>
    public void Clear()
    {
        foreach (var p in _patches) p.Dispose();
        _patches.Clear();
    }

    /// <summary>Patch <paramref name="p"/>'s rectangle in a frame of drift <paramref name="drift"/>.</summary>
    private static Rect Placed(Patch p, Point2d drift) =>
        new(p.KeyAt.X + (int)Math.Round(drift.X - p.KeyDrift.X), p.KeyAt.Y + (int)Math.Round(drift.Y - p.KeyDrift.Y), PatchPx, PatchPx);

    /// <summary>Can a patch at <paramref name="r"/> be searched: inside the frame, with room to smooth and a px to spare?</summary>
    private bool Searchable(Rect r) =>
        r.X >= SmoothMarginPx + 1 && r.Y >= SmoothMarginPx + 1 && r.Right + SmoothMarginPx + 1 <= _width && r.Bottom + SmoothMarginPx + 1 <= _height;

    /// <summary>This frame's drift as patch <paramref name="p"/> measures it, or NaN.</summary>
    private Point2d Match(Mat frame, Patch p, Point2d predicted, int searchPx)
    {
        var nan = new Point2d(double.NaN, double.NaN);
        var at0 = Placed(p, predicted);
        if (!Searchable(at0)) return nan;
        // ± the search, as far as the frame allows.
        var window = new Rect(at0.X - searchPx, at0.Y - searchPx, PatchPx + 2 * searchPx, PatchPx + 2 * searchPx)
                     & new Rect(SmoothMarginPx, SmoothMarginPx, _width - 2 * SmoothMarginPx, _height - 2 * SmoothMarginPx);
        using var smooth = Smoothed(frame, window);
        Cv2.MatchTemplate(smooth, p.Template, _score, TemplateMatchModes.CCoeffNormed);
        Cv2.MinMaxLoc(_score, out _, out double best, out _, out Point at);
        int n = _score.Width;
        // A peak on the border of the search is a peak outside it (or none): not trusted.
        if (!(best >= MinCorrelation) || at.X <= 0 || at.Y <= 0 || at.X >= n - 1 || at.Y >= _score.Height - 1) return nan;
        double fx = SubPixel(_score.At<float>(at.Y, at.X - 1), best, _score.At<float>(at.Y, at.X + 1));
        double fy = SubPixel(_score.At<float>(at.Y - 1, at.X), best, _score.At<float>(at.Y + 1, at.X));
        // Content at the key's top-left is now at window + peak.
        return new Point2d(p.KeyDrift.X + window.X + at.X + fx - p.KeyAt.X, p.KeyDrift.Y + window.Y + at.Y + fy - p.KeyAt.Y);
    }

    /// <summary>Vertex of the parabola through three correlation values around a peak, −0.5..0.5 px.</summary>
    private static double SubPixel(double left, double centre, double right)
    {
        double d = left - 2 * centre + right;
        return d < 0 ? Math.Clamp(0.5 * (left - right) / d, -0.5, 0.5) : 0;
    }

    /// <summary><paramref name="r"/> of the frame in float, smoothed (computed over a margin around it so its edges are not the border's).</summary>
    private Mat Smoothed(Mat frame, Rect r)
    {
        var outer = new Rect(r.X - SmoothMarginPx, r.Y - SmoothMarginPx, r.Width + 2 * SmoothMarginPx, r.Height + 2 * SmoothMarginPx);
        using (var view = new Mat(frame, outer)) view.ConvertTo(_float, MatType.CV_32FC1);
        Cv2.GaussianBlur(_float, _smooth, new Size(0, 0), SmoothingPx);
        using var inner = new Mat(_smooth, new Rect(SmoothMarginPx, SmoothMarginPx, r.Width, r.Height));
        return inner.Clone();
    }

    /// <summary>
    /// New patches keyed on <paramref name="frame"/> (drift <paramref name="drift"/>) until <see cref="MaxPatches"/>:
    /// candidates on a grid, clear of the outlines, of clipped pixels, of patches in use and of the frame's border,
    /// ranked by texture (the weaker eigenvalue of the smoothed gradient's structure tensor: texture in both
    /// directions, so the match is pinned in x and y), skipping those with far more contrast than the median candidate.
    /// </summary>
    public void Refill(Mat frame, Point2d drift)
    {
        if (_patches.Count >= MaxPatches) return;
        // Candidates half a patch apart, at most a few hundred however large the frame (their scoring is the costly part).
        int step = Math.Max(PatchPx / 2, (int)Math.Ceiling(Math.Sqrt((double)_width * _height / 400)));
        int border = SmoothMarginPx + 3; // a couple of px to drift before the patch leaves the searchable frame
        var inUse = _patches.Select(p => Placed(p, drift)).ToList();
        var candidates = new List<(Rect At, double Texture, double Contrast)>();
        for (int y = border; y + PatchPx + border <= _height; y += step)
            for (int x = border; x + PatchPx + border <= _width; x += step)
            {
                var r = new Rect(x, y, PatchPx, PatchPx);
                if (inUse.Any(u => (u & r).Width > 0) || NearOutline(r, drift) || Clipped(frame, r)) continue;
                var (texture, contrast) = Texture(frame, r);
                if (texture > 0) candidates.Add((r, texture, contrast));
            }
        if (candidates.Count == 0) return;
        double typical = Median(candidates.Select(c => c.Contrast));
        foreach (var c in candidates.Where(c => c.Contrast <= 3 * typical).OrderByDescending(c => c.Texture))
        {
            if (_patches.Count >= MaxPatches) break;
            if (_patches.Any(p => (Placed(p, drift) & c.At).Width > 0)) continue;
            _patches.Add(new Patch { KeyAt = c.At.Location, KeyDrift = drift, Template = Smoothed(frame, c.At) });
        }
    }

    /// <summary>Does <paramref name="r"/> (camera px in a frame of drift <paramref name="drift"/>) come near an outline?</summary>
    private bool NearOutline(Rect r, Point2d drift)
    {
        // Specimen coordinates: the frame's content at p was at p − drift in frame 0.
        var s = new Rect(r.X - (int)Math.Round(drift.X), r.Y - (int)Math.Round(drift.Y), r.Width, r.Height) & new Rect(0, 0, _width, _height);
        if (s.Width <= 0 || s.Height <= 0) return false;
        int Sum(int x, int y) => _nearOutlineSum.At<int>(y, x);
        return Sum(s.Right, s.Bottom) - Sum(s.X, s.Bottom) - Sum(s.Right, s.Y) + Sum(s.X, s.Y) > 0;
    }

    /// <summary>Burnt-in annotations (scale bar, time stamp) are drawn at full scale: 2 % of the patch there or at 0.</summary>
    private bool Clipped(Mat frame, Rect r)
    {
        if (double.IsNaN(_fullScale)) return false;
        using var view = new Mat(frame, r);
        using var low = new Mat();
        using var high = new Mat();
        Cv2.InRange(view, Scalar.All(0), Scalar.All(0), low);
        Cv2.InRange(view, Scalar.All(_fullScale), Scalar.All(_fullScale), high);
        return Cv2.CountNonZero(low) + Cv2.CountNonZero(high) > 0.02 * r.Width * r.Height;
    }

    /// <summary>The smaller eigenvalue of the patch's structure tensor (per px), and its grey-level standard deviation.</summary>
    private (double Texture, double Contrast) Texture(Mat frame, Rect r)
    {
        using var s = Smoothed(frame, r);
        using var gx = new Mat();
        using var gy = new Mat();
        Cv2.Sobel(s, gx, MatType.CV_32F, 1, 0);
        Cv2.Sobel(s, gy, MatType.CV_32F, 0, 1);
        double n = r.Width * r.Height;
        double xx = gx.Dot(gx) / n, yy = gy.Dot(gy) / n, xy = gx.Dot(gy) / n;
        double half = 0.5 * (xx + yy), root = Math.Sqrt(0.25 * (xx - yy) * (xx - yy) + xy * xy);
        Cv2.MeanStdDev(s, out _, out var sd);
        return (half - root, sd.Val0);
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
    }

    public void Dispose()
    {
        Clear();
        _nearOutlineSum.Dispose();
        _float.Dispose();
        _smooth.Dispose();
        _score.Dispose();
    }
}
