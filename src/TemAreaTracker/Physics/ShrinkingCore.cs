namespace TemAreaTracker.Physics;

/// <summary>
/// Reaction-front (core–shell, "shrinking core") kinetics of a sphere of initial radius R0: a pristine core of
/// radius a inside a lithiated shell whose outer radius b is what the projected area shows.
/// </summary>
/// <remarks>
/// <para>Geometry: the shell holds β times the Si it consumed, so b³ = a³ + β (R0³ − a³). With ξ = a/R0 and the
/// converted fraction X = 1 − ξ³ this is (b/R0)³ = 1 + (β − 1) X: exactly the volume law of
/// <see cref="SiliconSwelling"/> with f = X, so the area follows from X with <see cref="SiliconSwelling.AreaRatio"/>.</para>
/// <para>Limits (Levenspiel, <i>Chemical Reaction Engineering</i>, 3rd ed., ch. 25):
/// interface control, constant front speed v: (t − t0)/t_end = 1 − (1 − X)^{1/3}, t_end = R0/v;
/// diffusion through the shell (β = 1 limit): t − t0 = R0²/(6 D*) (1 − 3ξ² + 2ξ³), where only D* = D Δc/c_Si is
/// determined; mixed: −da/dt = 1 / (1/v + a (b − a)/(D* b)), integrated here for β ≥ 1.</para>
/// </remarks>
internal static class ShrinkingCore
{
    /// <summary>Converted fraction X under interface control.</summary>
    /// <param name="s">Dimensionless time v (t − t0)/R0 (the front reaches the centre at s = 1).</param>
    public static double InterfaceConversion(double s)
    {
        if (!(s > 0)) return 0;
        if (s >= 1) return 1;
        double xi = 1 - s;
        return 1 - xi * xi * xi;
    }

    /// <summary>Converted fraction X when diffusion through the lithiated shell controls (β = 1 limit).</summary>
    /// <param name="tau">Dimensionless time D* (t − t0)/R0² (complete at τ = 1/6).</param>
    public static double ShellDiffusionConversion(double tau)
    {
        if (!(tau > 0)) return 0;
        double g = 6 * tau;
        if (g >= 1) return 1;
        // Solve 1 − 3ξ² + 2ξ³ = g for ξ in (0, 1); the left side falls monotonically from 1 to 0.
        // Early on ξ ≈ 1 − √(g/3) (the shell is thin); Newton from there, guarded by bisection.
        double lo = 0, hi = 1, xi = Math.Clamp(1 - Math.Sqrt(g / 3), 1e-9, 1 - 1e-12);
        for (int i = 0; i < 60; i++)
        {
            double h = 1 - 3 * xi * xi + 2 * xi * xi * xi - g; // decreasing in ξ
            if (h > 0) lo = xi; else hi = xi;
            double dh = -6 * xi + 6 * xi * xi;
            double next = dh != 0 ? xi - h / dh : double.NaN;
            if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
            if (Math.Abs(next - xi) < 1e-14) { xi = next; break; }
            xi = next;
        }
        return 1 - xi * xi * xi;
    }

    /// <summary>Converted fraction X for mixed control (front reaction and shell diffusion in series).</summary>
    /// <param name="s">Dimensionless time v (t − t0)/R0.</param>
    /// <param name="damkohler">k = v R0 / D*: 0 is pure interface control, large is shell-diffusion control.</param>
    /// <param name="expansionRatio">β = V_full/V0 (≥ 1), which sets how thick the shell is.</param>
    /// <remarks>Builds a <see cref="MixedCoreTable"/> per call; reuse one table when evaluating many times.</remarks>
    public static double MixedConversion(double s, double damkohler, double expansionRatio) =>
        new MixedCoreTable(damkohler, expansionRatio).Conversion(s);
}

/// <summary>
/// Tabulated solution of the mixed-control shrinking core: the time s(ξ) = v t/R0 for the core to shrink to ξ is
/// s(ξ) = (1 − ξ) + k ∫_ξ^1 x (b(x) − x)/b(x) dx, b(x) = (x³ + β (1 − x³))^{1/3}, which follows from separating
/// −da/dt = 1/(1/v + a (b − a)/(D* b)). The integral is tabulated once, then inverted by interpolation.
/// </summary>
internal sealed class MixedCoreTable
{
    private const int Nodes = 401;
    private readonly double[] _xi = new double[Nodes];   // decreasing from 1 to 0
    private readonly double[] _s = new double[Nodes];    // increasing from 0
    private readonly double[] _dXiDs = new double[Nodes]; // dξ/ds = −1/(1 + k ξ (b − ξ)/b), for Hermite interpolation

    /// <param name="damkohler">k = v R0 / D* (≥ 0).</param>
    /// <param name="expansionRatio">β ≥ 1.</param>
    public MixedCoreTable(double damkohler, double expansionRatio)
    {
        if (!(damkohler >= 0)) throw new ArgumentOutOfRangeException(nameof(damkohler), damkohler, "must be ≥ 0");
        if (!(expansionRatio >= 1)) throw new ArgumentOutOfRangeException(nameof(expansionRatio), expansionRatio, "must be ≥ 1");
        double beta = expansionRatio;
        double Integrand(double x)
        {
            double b = Math.Cbrt(x * x * x + beta * (1 - x * x * x));
            return x * (b - x) / b;
        }
        // Nodes crowd near ξ = 1 (early times, where the area changes fastest): ξ = 1 − u², u uniform.
        _xi[0] = 1; _s[0] = 0; _dXiDs[0] = -1;
        double integral = 0;
        for (int i = 1; i < Nodes; i++)
        {
            double u = (double)i / (Nodes - 1);
            _xi[i] = 1 - u * u;
            double x0 = _xi[i - 1], x1 = _xi[i], xm = 0.5 * (x0 + x1);
            integral += (x0 - x1) / 6 * (Integrand(x0) + 4 * Integrand(xm) + Integrand(x1)); // Simpson per panel
            _s[i] = (1 - x1) + damkohler * integral;
            _dXiDs[i] = -1 / (1 + damkohler * Integrand(x1));
        }
    }

    /// <summary>Dimensionless time v t/R0 at which the core is fully consumed.</summary>
    public double CompletionTime => _s[Nodes - 1];

    /// <summary>Converted fraction X = 1 − ξ³ at dimensionless time <paramref name="s"/> = v (t − t0)/R0.</summary>
    public double Conversion(double s)
    {
        if (!(s > 0)) return 0;
        if (s >= _s[Nodes - 1]) return 1;
        int lo = 0, hi = Nodes - 1;
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >> 1;
            if (_s[mid] <= s) lo = mid; else hi = mid;
        }
        // Cubic Hermite in s with the exact slopes dξ/ds: C¹ in s, so the fitted model is smooth in its parameters.
        double h = _s[hi] - _s[lo], w = (s - _s[lo]) / h, w2 = w * w, w3 = w2 * w;
        double xi = (2 * w3 - 3 * w2 + 1) * _xi[lo] + (w3 - 2 * w2 + w) * h * _dXiDs[lo]
                  + (-2 * w3 + 3 * w2) * _xi[hi] + (w3 - w2) * h * _dXiDs[hi];
        xi = Math.Clamp(xi, 0, 1);
        return 1 - xi * xi * xi;
    }
}
