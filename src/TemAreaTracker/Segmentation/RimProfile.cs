using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// The intensity deficit across a sphere's rim as the microscope records it: 1 − exp(−optical thickness along the
/// chord), optionally with a defocus (Fresnel) fringe, blurred by a Gaussian PSF, tabulated against distance inside the
/// rim.
/// </summary>
/// <remarks>
/// A sphere of radius ρ has projected thickness h = 2√(2ρx − x²) at distance x inside its rim: it rises as √x, so a
/// threshold or a gradient maximum of the blurred image sits about a pixel inside the true outline. Fitting this
/// forward model instead puts the edge where the geometry is. With strong absorption the deficit saturates within a
/// pixel and the profile becomes a blurred step, so hard-edged (strongly diffracting) particles are covered too.
/// <para>Out of focus, the transport of intensity adds a fringe: I = T·(1 + c·w·∇²(G_w ∗ h)) before the PSF, the phase
/// being proportional to the thickness h (in px), G_w a Gaussian of the fringe width w (√(λ|Δf|)) and c its strength
/// (c &gt; 0 underfocus: a bright band outside the rim, a dark one inside where the particle lets light through; the
/// same picture as <c>MovieSimulator</c>'s fringe, whose a·w²·∇²(G_w ∗ t) with t = h/λ_mfp is c = a·w/λ_mfp). The
/// Laplacian is taken about the particle's centre, ∂²/∂x² − (1/(ρ − x))·∂/∂x, since a wide fringe sees the rim's
/// curvature.</para>
/// </remarks>
internal sealed class RimProfile
{
    private const double Step = 1.0 / 32;
    private readonly double[] _table;
    private readonly double _xMin;

    /// <param name="centreOpticalThickness">Optical thickness through the centre, 2ρ/λ (0 = transparent).</param>
    /// <param name="radiusPx">Rim curvature radius ρ in px.</param>
    /// <param name="blurSigmaPx">PSF σ in px (0 = sharp).</param>
    /// <param name="maxInsidePx">Deepest distance inside the rim that will be asked for.</param>
    /// <param name="fringeStrength">Defocus fringe strength c (0 = in focus).</param>
    /// <param name="fringeWidthPx">Defocus fringe width w in px (used when <paramref name="fringeStrength"/> ≠ 0).</param>
    public RimProfile(double centreOpticalThickness, double radiusPx, double blurSigmaPx, double maxInsidePx,
        double fringeStrength = 0, double fringeWidthPx = 0)
    {
        double sigma = Math.Max(blurSigmaPx, 0.05);
        bool fringe = fringeStrength != 0 && fringeWidthPx > 0;
        // The fringe reaches ~3w beyond the rim before the PSF spreads it further.
        double reach = 5 * sigma + 1 + (fringe ? 3 * fringeWidthPx : 0);
        _xMin = -reach;
        double xMax = maxInsidePx + reach;
        int n = (int)Math.Ceiling((xMax - _xMin) / Step) + 1;
        var sharp = new double[n];
        double k = centreOpticalThickness / (2 * radiusPx);
        for (int i = 0; i < n; i++) sharp[i] = 1 - Math.Exp(-k * Chord(_xMin + i * Step, radiusPx));
        if (fringe) AddFringe(sharp, radiusPx, fringeStrength, fringeWidthPx);
        _table = new double[n];
        Blur(sharp, sigma, _table);
    }

    /// <summary>Projected thickness at distance x inside the rim; past the centre taken as the diameter (the window never reaches the far rim).</summary>
    private static double Chord(double x, double radiusPx) =>
        x <= 0 ? 0 : x >= radiusPx ? 2 * radiusPx : 2 * Math.Sqrt(2 * radiusPx * x - x * x);

    /// <summary>
    /// Turns the tabulated deficit 1 − T into 1 − T·(1 + c·w·∇²(G_w ∗ h)), T = 1 − deficit, h the chord, on the table's
    /// grid. The thickness is smoothed over a range that reaches 4w beyond the table on both sides.
    /// </summary>
    private void AddFringe(double[] deficit, double radiusPx, double strength, double widthPx)
    {
        var laplacian = ThicknessLaplacian(radiusPx, widthPx, _xMin, deficit.Length);
        for (int i = 0; i < deficit.Length; i++)
        {
            double transmission = 1 - deficit[i];
            deficit[i] = 1 - transmission * Math.Max(0, 1 + strength * widthPx * laplacian[i]);
        }
    }

    /// <summary>
    /// ∇²(G_w ∗ h) on the table's grid (n entries from <paramref name="xMin"/>). It depends on the rim's radius and the
    /// fringe's width only, not on the strength, absorption or PSF that model selection varies: the last few are kept.
    /// </summary>
    private static double[] ThicknessLaplacian(double radiusPx, double widthPx, double xMin, int n)
    {
        var key = (radiusPx, widthPx, xMin, n);
        lock (Laplacians)
        {
            foreach (var (k, v) in Laplacians) if (k == key) return v;
        }
        int pad = (int)Math.Ceiling(4 * widthPx / Step) + 1;
        var h = new double[n + 2 * pad];
        for (int i = 0; i < h.Length; i++) h[i] = Chord(xMin + (i - pad) * Step, radiusPx);
        var smooth = new double[h.Length];
        Blur(h, widthPx, smooth);
        var laplacian = new double[n];
        for (int i = 0; i < n; i++)
        {
            int j = i + pad;
            double x = xMin + i * Step;
            double d2 = (smooth[j + 1] - 2 * smooth[j] + smooth[j - 1]) / (Step * Step);
            double d1 = (smooth[j + 1] - smooth[j - 1]) / (2 * Step);
            // ∇² about the centre, r = ρ − x the distance from it (x inside the rim, so ∂/∂r = −∂/∂x).
            laplacian[i] = d2 - d1 / Math.Max(radiusPx - x, 1);
        }
        lock (Laplacians)
        {
            if (Laplacians.Count >= MaxCachedLaplacians) Laplacians.RemoveAt(0);
            Laplacians.Add((key, laplacian));
        }
        return laplacian;
    }

    // The first frame tries every fringe width for every particle: enough for a few dozen particles' widths at once.
    private const int MaxCachedLaplacians = 256;
    private static readonly List<((double, double, double, int) Key, double[] Laplacian)> Laplacians = [];

    /// <summary>Gaussian blur (σ in px) of values on the table's grid into <paramref name="result"/>, ends replicated.</summary>
    private static void Blur(double[] values, double sigma, double[] result)
    {
        int n = values.Length;
        int half = (int)Math.Ceiling(4 * sigma / Step);
        var kernel = new double[2 * half + 1];
        double sum = 0;
        for (int j = -half; j <= half; j++) sum += kernel[j + half] = Math.Exp(-0.5 * Math.Pow(j * Step / sigma, 2));
        for (int j = 0; j < kernel.Length; j++) kernel[j] /= sum;
        // The blur as one 1-D filter (symmetric kernel, edges replicated: the profile is flat outside the table).
        // OpenCV convolves through the DFT for kernels this long (a few hundred taps at 1/32 px): several times faster
        // than direct dot products, and the first frame builds hundreds of profiles. The result is written straight
        // into the array (the Mats wrap the arrays).
        using var src = Mat.FromPixelData(1, n, MatType.CV_64FC1, values);
        using var dst = Mat.FromPixelData(1, n, MatType.CV_64FC1, result);
        using var k1 = Mat.FromPixelData(1, kernel.Length, MatType.CV_64FC1, kernel);
        var wrapped = dst.Data;
        Cv2.Filter2D(src, dst, MatType.CV_64F, k1, new Point(half, 0), 0, BorderTypes.Replicate);
        if (dst.Data != wrapped) throw new InvalidOperationException("the blur was written outside the table");
    }

    /// <summary>Table spacing in px (a power of two, so sample grids of 0.75 px land on a fixed fraction of it).</summary>
    internal const double StepPx = Step;

    /// <summary>The tabulated deficit, at <see cref="XMinPx"/> + i·<see cref="StepPx"/> inside the rim.</summary>
    internal ReadOnlySpan<double> Table => _table;

    /// <summary>Distance inside the rim of the first table entry, px (negative: outside).</summary>
    internal double XMinPx => _xMin;

    /// <summary>
    /// The edge-column table of this profile for a window (built on first use; passes of later frames with the same
    /// model and window reuse it). Thread-safe.
    /// </summary>
    internal EdgeColumnTable Columns(double s0, int samples, double maxOffsetPx)
    {
        lock (_columns)
        {
            foreach (var c in _columns)
                if (c.S0 == s0 && c.Samples == samples && c.MaxOffsetPx >= maxOffsetPx) return c;
            var t = new EdgeColumnTable(this, s0, samples, maxOffsetPx);
            // A model sees a handful of windows (search ranges, selection windows); keep the last few.
            if (_columns.Count >= MaxCachedWindows) _columns.RemoveAt(0);
            _columns.Add(t);
            return t;
        }
    }

    private const int MaxCachedWindows = 6;
    private readonly List<EdgeColumnTable> _columns = [];

    /// <summary>Blurred deficit at distance <paramref name="insidePx"/> inside the rim (negative outside).</summary>
    public double this[double insidePx]
    {
        get
        {
            double p = (insidePx - _xMin) / Step;
            if (p <= 0) return _table[0];
            int i = (int)p;
            if (i >= _table.Length - 1) return _table[^1];
            double f = p - i;
            return _table[i] + f * (_table[i + 1] - _table[i]);
        }
    }
}
