namespace TemAreaTracker.Segmentation;

/// <summary>
/// A blurred edge profile t(u) = E[g(u − v)], v ~ N(0, 1): the inside profile g (x = distance inside the edge,
/// g = 0 outside) seen through a unit-σ Gaussian PSF, tabulated. Blurred by σ at distance x it is σ^p·t(x/σ),
/// the power p being absorbed in the fitted amplitude.
/// </summary>
/// <remarks>
/// A sphere's projected thickness near its rim grows as √x, with an x^(3/2) curvature correction
/// (chord 2√(2ρx − x²) = 2√(2ρ)·√x·(1 − x/(4ρ) + …)). Blurred by the lens, its rim lies about a pixel outside
/// any threshold or gradient maximum, which is why edges are located by fitting these templates rather than by
/// thresholding. Hard-edged (faceted, strongly diffracting) particles are modelled by a blurred step and ramp.
/// </remarks>
internal sealed class EdgeTemplate
{
    private const double UMin = -8, UMax = 24, Step = 1.0 / 64;
    private readonly double[] _table;
    private readonly Func<double, double> _tail;

    private EdgeTemplate(Func<double, double> insideProfile, Func<double, double> tail)
    {
        _tail = tail;
        // Trapezoid over v in [-6, 6] at 1/256: the √ kink at x = 0 is integrable; error ~1e-4 of the amplitude.
        const double h = 1.0 / 256;
        int nv = (int)Math.Round(12 / h) + 1;
        var w = new double[nv];
        for (int k = 0; k < nv; k++)
        {
            double v = -6 + k * h;
            w[k] = Math.Exp(-0.5 * v * v) / Math.Sqrt(2 * Math.PI) * h * (k == 0 || k == nv - 1 ? 0.5 : 1);
        }
        int count = (int)Math.Round((UMax - UMin) / Step) + 1;
        _table = new double[count];
        for (int i = 0; i < count; i++)
        {
            double u = UMin + i * Step, s = 0;
            for (int k = 0; k < nv; k++)
            {
                double x = u + 6 - k * h;
                if (x > 0) s += w[k] * insideProfile(x);
            }
            _table[i] = s;
        }
    }

    // Tails beyond UMax from E[g(u − v)] ≈ g(u) + g''(u)/2.
    public static readonly EdgeTemplate Sqrt = new(Math.Sqrt, u => Math.Sqrt(u) - 1 / (8 * Math.Pow(u, 1.5)));
    public static readonly EdgeTemplate Pow32 = new(x => x * Math.Sqrt(x), u => u * Math.Sqrt(u) + 0.375 / Math.Sqrt(u));
    public static readonly EdgeTemplate Step01 = new(_ => 1.0, _ => 1.0);
    public static readonly EdgeTemplate Ramp = new(x => x, u => u);
    public static readonly EdgeTemplate Square = new(x => x * x, u => u * u + 1);

    /// <summary>Below this u every template is zero.</summary>
    public const double MinU = UMin;

    /// <summary>Template value at u (distance inside the edge in units of σ; negative outside).</summary>
    public double this[double u]
    {
        get
        {
            if (u <= UMin) return 0;
            if (u >= UMax) return _tail(u);
            double p = (u - UMin) / Step;
            int i = (int)p;
            double f = p - i;
            return _table[i] + f * (_table[i + 1] - _table[i]);
        }
    }
}

/// <summary>Which physical edge a particle shows.</summary>
public enum EdgeShape
{
    /// <summary>A sphere-like rim whose thickness rises as √x (mass-thickness contrast of round particles).</summary>
    SphereRim,
    /// <summary>A hard step (faceted or strongly diffracting particles).</summary>
    Step,
}
