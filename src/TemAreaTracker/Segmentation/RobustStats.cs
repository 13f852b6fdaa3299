using MathNet.Numerics.Statistics;

namespace TemAreaTracker.Segmentation;

/// <summary>Order statistics by selection (O(n)) where only one is needed, instead of sorting.</summary>
internal static class RobustStats
{
    /// <summary>
    /// The element at index ⌊n/2⌋ of <paramref name="values"/> in ascending order — the upper median for even n — as
    /// <c>values.Sort()</c> then <c>values[n / 2]</c> gives it (NaN sorts first there, and counts here alike).
    /// </summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static double UpperMedian(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        if (n == 0) throw new ArgumentException("no values", nameof(values));
        int k = n / 2, nan = 0;
        foreach (double v in values) if (double.IsNaN(v)) nan++;
        if (k < nan) return double.NaN;
        var finite = new double[n - nan];
        int c = 0;
        foreach (double v in values) if (!double.IsNaN(v)) finite[c++] = v;
        return ArrayStatistics.OrderStatisticInplace(finite, k - nan + 1);
    }
}
