namespace TemAreaTracker.Segmentation;

/// <summary>Order statistics by selection (O(n)) where only one is needed, instead of sorting.</summary>
/// <remarks>
/// These run for every node pass of the tracker (a few dozen times a frame): they select in a stack buffer (a pooled
/// one for long inputs) instead of allocating a copy or sorting through LINQ.
/// </remarks>
internal static class RobustStats
{
    /// <summary>Inputs up to this long are selected in a stack buffer (8 KB).</summary>
    private const int StackLimit = 1024;

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
    /// The <paramref name="count"/> entries of <paramref name="values"/> that are finite (else: not NaN), copied to a
    /// buffer, selected at index <paramref name="k"/>.
    /// </summary>
    private static double SelectKept(ReadOnlySpan<double> values, int count, bool finiteOnly, int k)
    {
        double[]? rented = count > StackLimit ? System.Buffers.ArrayPool<double>.Shared.Rent(count) : null;
        Span<double> kept = rented is null ? stackalloc double[count] : rented.AsSpan(0, count);
        int c = 0;
        foreach (double v in values) if (finiteOnly ? double.IsFinite(v) : !double.IsNaN(v)) kept[c++] = v;
        double result = Select(kept, k);
        if (rented is not null) System.Buffers.ArrayPool<double>.Shared.Return(rented);
        return result;
    }

    /// <summary>
    /// The element at index <paramref name="k"/> of <paramref name="values"/> (no NaN) in ascending order, by Hoare's
    /// selection; reorders the span.
    /// </summary>
    internal static double Select(Span<double> values, int k)
    {
        if ((uint)k >= (uint)values.Length) throw new ArgumentOutOfRangeException(nameof(k));
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            // Partition around the middle element: [lo, j] ≤ pivot ≤ [i, hi], and whatever lies between equals it.
            double pivot = values[lo + (hi - lo) / 2];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j) { (values[i], values[j]) = (values[j], values[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else break;
        }
        return values[k];
    }
}
