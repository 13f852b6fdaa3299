namespace TemAreaTracker.Physics;

/// <summary>
/// Fractional uptake of a long cylinder of radius a held at constant surface concentration (Crank 1975,
/// <i>The Mathematics of Diffusion</i>, 2nd ed., eq. 5.52):
/// F(τ) = 1 − Σ_{n≥1} (4/α_n²) exp(−α_n² τ), τ = D t / a², α_n the zeros of J0 (2.405, 5.520, 8.654, …).
/// </summary>
/// <remarks>
/// Below τ = 1e-3 the series needs hundreds of terms; there the short-time expansion (Crank eq. 5.60)
/// F = (4/√π) √τ − τ − τ^{3/2}/(3√π) is used (next term O(τ²)). Half uptake at τ ≈ 0.063.
/// </remarks>
internal static class CylinderDiffusion
{
    private const double ShortTimeLimit = 1e-3;

    // First ten zeros of J0 (Abramowitz & Stegun table 9.5); later ones from McMahon's expansion (A&S 9.5.12),
    // which is better than 1e-9 from the 11th zero on.
    private static readonly double[] TabulatedZeros =
    [
        2.404825557695773, 5.520078110286311, 8.653727912911013, 11.79153443901428, 14.93091770848779,
        18.07106396791092, 21.21163662987926, 24.35247153074930, 27.49347913204025, 30.63460646843198,
    ];

    private static readonly double[] Zeros = BuildZeros(400);

    private static double[] BuildZeros(int count)
    {
        var z = new double[count];
        for (int n = 1; n <= count; n++)
        {
            if (n <= TabulatedZeros.Length) { z[n - 1] = TabulatedZeros[n - 1]; continue; }
            double b = (n - 0.25) * Math.PI, e = 8 * b;
            z[n - 1] = b + 1 / e - 124 / (3 * Math.Pow(e, 3)) + 120928 / (15 * Math.Pow(e, 5));
        }
        return z;
    }

    /// <summary>n-th positive zero of the Bessel function J0 (n ≥ 1, up to 400).</summary>
    public static double BesselJ0Zero(int n) => Zeros[n - 1];

    /// <summary>Fractional uptake F(τ) in [0, 1]; 0 for τ ≤ 0.</summary>
    /// <param name="tau">Dimensionless time D t / a².</param>
    public static double Uptake(double tau)
    {
        if (!(tau > 0)) return 0;
        if (tau < ShortTimeLimit) return ShortTime(tau);
        double sum = 0;
        foreach (double a in Zeros)
        {
            double term = 4 / (a * a) * Math.Exp(-a * a * tau);
            sum += term;
            if (term <= 1e-17 * sum) break; // <=: once exp underflows to 0 (large tau) sum and term are both 0
        }
        return Math.Clamp(1 - sum, 0, 1);
    }

    /// <summary>Short-time form (4/√π) √τ − τ − τ^{3/2}/(3√π).</summary>
    public static double ShortTime(double tau) =>
        tau <= 0 ? 0 : 4 / Math.Sqrt(Math.PI) * Math.Sqrt(tau) - tau - Math.Pow(tau, 1.5) / (3 * Math.Sqrt(Math.PI));
}
