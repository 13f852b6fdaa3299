using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// The intensity deficit across a sphere's rim as the microscope records it: 1 − exp(−optical thickness along the
/// chord), blurred by a Gaussian PSF, tabulated against distance inside the rim.
/// </summary>
/// <remarks>
/// A sphere of radius ρ has projected thickness 2√(2ρx − x²) at distance x inside its rim: it rises as √x, so a
/// threshold or a gradient maximum of the blurred image sits about a pixel inside the true outline. Fitting this
/// forward model instead puts the edge where the geometry is. With strong absorption the deficit saturates within a
/// pixel and the profile becomes a blurred step, so hard-edged (strongly diffracting) particles are covered too.
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
    public RimProfile(double centreOpticalThickness, double radiusPx, double blurSigmaPx, double maxInsidePx)
    {
        double sigma = Math.Max(blurSigmaPx, 0.05);
        _xMin = -5 * sigma - 1;
        double xMax = maxInsidePx + 5 * sigma + 1;
        int n = (int)Math.Ceiling((xMax - _xMin) / Step) + 1;
        var sharp = new double[n];
        double k = centreOpticalThickness / (2 * radiusPx);
        for (int i = 0; i < n; i++)
        {
            double x = _xMin + i * Step;
            double chord2 = 2 * radiusPx * x - x * x;
            // Past the centre the chord is taken as the diameter: the window never reaches the far rim.
            double chord = x <= 0 ? 0 : x >= radiusPx ? 2 * radiusPx : 2 * Math.Sqrt(chord2);
            sharp[i] = 1 - Math.Exp(-k * chord);
        }
        int half = (int)Math.Ceiling(4 * sigma / Step);
        var kernel = new double[2 * half + 1];
        double sum = 0;
        for (int j = -half; j <= half; j++) sum += kernel[j + half] = Math.Exp(-0.5 * Math.Pow(j * Step / sigma, 2));
        for (int j = 0; j < kernel.Length; j++) kernel[j] /= sum;
        _table = new double[n];
        // The blur as one 1-D filter (symmetric kernel, edges replicated: the profile is flat outside the table).
        // OpenCV convolves through the DFT for kernels this long (a few hundred taps at 1/32 px): several times faster
        // than direct dot products, and the first frame builds hundreds of profiles. The result is written straight
        // into the table (the Mats wrap the arrays).
        using var src = Mat.FromPixelData(1, n, MatType.CV_64FC1, sharp);
        using var dst = Mat.FromPixelData(1, n, MatType.CV_64FC1, _table);
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
