namespace TemAreaTracker.Physics;

/// <summary>
/// Fractional uptake of a sphere held at constant surface concentration (Crank 1975, <i>The Mathematics of
/// Diffusion</i>, 2nd ed., eq. 6.20):
/// F(τ) = 1 − (6/π²) Σ_{n≥1} n⁻² exp(−n² π² τ), τ = D t / a².
/// </summary>
/// <remarks>
/// For small τ the series needs many terms (63 at τ = 1e-3, thousands below); there the short-time form
/// F = 6 √(τ/π) − 3τ is used instead. It is exact up to terms in ierfc(n/√τ) (Crank eq. 6.21), i.e. about 1e-10
/// at τ = 0.05 (the switch) and 1e-5 at τ = 0.1, so both branches agree to double-precision noise at the switch.
/// Half uptake at τ ≈ 0.0306, 90 % at τ ≈ 0.183.
/// </remarks>
internal static class CrankSphere
{
    private const double ShortTimeLimit = 0.05;

    /// <summary>Fractional uptake F(τ) in [0, 1]; 0 for τ ≤ 0.</summary>
    /// <param name="tau">Dimensionless time D t / a².</param>
    public static double Uptake(double tau)
    {
        if (!(tau > 0)) return 0; // also NaN → 0
        if (tau < ShortTimeLimit) return ShortTime(tau);
        return Series(tau);
    }

    /// <summary>F(τ) from the series alone (any τ &gt; 0; slow for τ ≪ 0.01). <see cref="Uptake"/> is the one to use.</summary>
    public static double Series(double tau)
    {
        if (!(tau > 0)) return 0;
        double sum = 0;
        // Terms fall as exp(-n²π²τ)/n²; stop when the next one cannot change a double.
        for (int n = 1; n < 10_000; n++)
        {
            double term = Math.Exp(-n * n * Math.PI * Math.PI * tau) / (n * n);
            sum += term;
            if (term <= 1e-17 * sum) break; // <=: once exp underflows to 0 (large tau) sum and term are both 0
        }
        return Math.Clamp(1 - 6 / (Math.PI * Math.PI) * sum, 0, 1);
    }

    /// <summary>Short-time form 6 √(τ/π) − 3τ.</summary>
    public static double ShortTime(double tau) => tau <= 0 ? 0 : 6 * Math.Sqrt(tau / Math.PI) - 3 * tau;

    /// <summary>Long-time form 1 − (6/π²) exp(−π² τ) (first series term only).</summary>
    public static double LongTime(double tau) => 1 - 6 / (Math.PI * Math.PI) * Math.Exp(-Math.PI * Math.PI * tau);

    /// <summary>τ at which F(τ) = <paramref name="uptake"/> (bisection; uptake in (0, 1)).</summary>
    public static double TauAtUptake(double uptake)
    {
        if (!(uptake > 0 && uptake < 1)) throw new ArgumentOutOfRangeException(nameof(uptake), uptake, "must be in (0, 1)");
        double lo = 0, hi = 10;
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Uptake(mid) < uptake) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }
}
