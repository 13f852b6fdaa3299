namespace TemAreaTracker.Fitting;

/// <summary>
/// How far a fit's weighted residuals are from independent: their autocorrelation, the variance inflation it calls
/// for, and how long it lasts (the bootstrap's block length).
/// </summary>
internal static class ResidualStatistics
{
    /// <summary>Lag-1 autocorrelation of the residuals <paramref name="r"/> (0 when they are all equal).</summary>
    public static double Lag1Autocorrelation(double[] r)
    {
        double m = r.Average(), num = 0, den = 0;
        for (int i = 0; i < r.Length; i++)
        {
            den += (r[i] - m) * (r[i] - m);
            if (i > 0) num += (r[i] - m) * (r[i - 1] - m);
        }
        return den > 0 ? num / den : 0;
    }

    /// <summary>
    /// Variance factor (1 + ρ)/(1 − ρ) of AR(1) residuals with lag-1 autocorrelation <paramref name="rho"/> over
    /// <paramref name="n"/> points, ρ bias-corrected, capped at 20; 1 unless the residuals are positively
    /// autocorrelated (ρ &gt; 2/√n).
    /// </summary>
    public static double Ar1VarianceInflation(double rho, int n)
    {
        // Lag-1 estimates from n residuals run low by about (1 + 3ρ)/n (Kendall 1954, Biometrika 41, 403); the fit
        // itself soaks up some of the correlation too, so the correction is applied before the AR(1) factor.
        double rhoAdj = Math.Min(rho + (1 + 3 * rho) / n, 0.95);
        double inflation = rho > 2 / Math.Sqrt(n) ? Math.Min((1 + rhoAdj) / (1 - rhoAdj), 20) : 1;
        return inflation;
    }

    /// <summary>
    /// First lag at which the residual autocorrelation drops below 0.1 (at least 1, at most n/4). Blocks must span
    /// nearly all of the correlation: with 1/e as the cut a ρ = 0.7 AR(1) got 3-frame blocks and 70 % coverage.
    /// </summary>
    public static int DecorrelationLength(double[] r)
    {
        int n = r.Length;
        double m = r.Average(), den = 0;
        foreach (double x in r) den += (x - m) * (x - m);
        if (!(den > 0)) return 1;
        for (int lag = 1; lag <= n / 4; lag++)
        {
            double num = 0;
            for (int i = lag; i < n; i++) num += (r[i] - m) * (r[i - lag] - m);
            if (num / den < 0.1) return lag;
        }
        return Math.Max(1, n / 4);
    }
}
