using MathNet.Numerics.Statistics;

namespace TemAreaTracker.Segmentation;

/// <summary>Order statistics by selection (O(n)) where only one is needed, instead of sorting.</summary>
/// <remarks>
/// These run for every node pass of the tracker (a few dozen times a frame): one copy of the kept entries, selected in
/// place, instead of sorting through LINQ.
/// </remarks>
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
        return SelectKept(values, n - nan, finiteOnly: false, k - nan);
    }

    /// <summary>
    /// The element at index <paramref name="index"/>(count) of the finite entries of <paramref name="values"/> in
    /// ascending order, count being how many there are; null when there are fewer than <paramref name="atLeast"/>.
    /// </summary>
    /// <remarks>As <c>values.Where(double.IsFinite).Order().ToList()[index(count)]</c>, without the copies.</remarks>
    public static double? OfFinite(ReadOnlySpan<double> values, Func<int, int> index, int atLeast = 1)
    {
        int count = 0;
        foreach (double v in values) if (double.IsFinite(v)) count++;
        if (count < Math.Max(atLeast, 1)) return null;
        return SelectKept(values, count, finiteOnly: true, index(count));
    }

    /// <summary>
    /// The <paramref name="count"/> entries of <paramref name="values"/> that are finite (else: not NaN), copied out
    /// and selected at index <paramref name="k"/> (MathNet's in-place order statistic, on the copy).
    /// </summary>
    private static double SelectKept(ReadOnlySpan<double> values, int count, bool finiteOnly, int k)
    {
        var kept = new double[count];
        int c = 0;
        foreach (double v in values) if (finiteOnly ? double.IsFinite(v) : !double.IsNaN(v)) kept[c++] = v;
        return ArrayStatistics.OrderStatisticInplace(kept, k + 1);
    }
}
