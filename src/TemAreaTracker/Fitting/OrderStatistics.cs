namespace TemAreaTracker.Fitting;

/// <summary>Median and quantiles of samples (area curves, bootstrap estimates).</summary>
internal static class OrderStatistics
{
    /// <summary>The median (the mean of the middle two for an even count; NaN when empty).</summary>
    public static double Median(double[] x)
    {
        var s = x.OrderBy(v => v).ToArray();
        int n = s.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /// <summary>Quantile <paramref name="q"/> of <paramref name="sorted"/> (ascending), linear between order statistics.</summary>
    public static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int i = (int)Math.Floor(pos);
        return i + 1 < sorted.Length ? sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
    }
}
