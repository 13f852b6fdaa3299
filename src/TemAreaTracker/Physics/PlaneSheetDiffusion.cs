namespace TemAreaTracker.Physics;

/// <summary>
/// Fractional uptake of a plane sheet of half-thickness l, both faces held at constant concentration (Crank 1975,
/// <i>The Mathematics of Diffusion</i>, 2nd ed., eq. 4.18):
/// F(τ) = 1 − (8/π²) Σ_{n≥0} (2n+1)⁻² exp(−(2n+1)² π² τ / 4), τ = D t / l².
/// </summary>
/// <remarks>
/// For τ &lt; 0.05 the short-time form F = 2 √(τ/π) (Crank eq. 4.20) is exact to about 1e-10 (its correction
/// terms are ierfc(n/√τ)), and cheaper than the series. Half uptake at τ ≈ 0.197.
/// </remarks>
internal static class PlaneSheetDiffusion
{
    private const double ShortTimeLimit = 0.05;

    /// <summary>Fractional uptake F(τ) in [0, 1]; 0 for τ ≤ 0.</summary>
    /// <param name="tau">Dimensionless time D t / l², l the half-thickness.</param>
    public static double Uptake(double tau)
    {
        if (!(tau > 0)) return 0;
        if (tau < ShortTimeLimit) return ShortTime(tau);
        double sum = 0;
        for (int n = 0; n < 10_000; n++)
        {
            int m = 2 * n + 1;
            double term = Math.Exp(-m * m * Math.PI * Math.PI * tau / 4) / (m * m);
            sum += term;
            if (term <= 1e-17 * sum) break; // <=: once exp underflows to 0 (large tau) sum and term are both 0
        }
        return Math.Clamp(1 - 8 / (Math.PI * Math.PI) * sum, 0, 1);
    }

    /// <summary>Short-time form 2 √(τ/π).</summary>
    public static double ShortTime(double tau) => tau <= 0 ? 0 : 2 * Math.Sqrt(tau / Math.PI);
}
