namespace TemAreaTracker.Fitting;

/// <summary>
/// Contact loss in an area curve: a particle that lost contact with the lithium source stops swelling and contracts
/// as its lithium redistributes, which an uptake model cannot follow (the redistribution model starts there).
/// </summary>
internal static class ContactLossDetection
{
    /// <summary>
    /// Start of sustained contraction in s (where the running-median-smoothed area last leaves the band 1.5 σ below
    /// its maximum, when it then falls by more than 4 noise σ and stays down), or null when the curve does not contract.
    /// </summary>
    public static double? StartS(AreaSeries series)
    {
        int n = series.Count;
        if (n < 10) return null;
        var y = series.AreaNm2.ToArray();
        var s = RunningMedian(y, 5);
        var diffs = new double[n - 1];
        for (int i = 1; i < n; i++) diffs[i - 1] = Math.Abs(y[i] - y[i - 1]);
        double noise = 1.4826 * OrderStatistics.Median(diffs) / Math.Sqrt(2) + 1e-12 * Math.Abs(y.Max());
        double top = s.Max();
        // On a plateau the maximum itself is wherever the noise put it; the contraction starts where the smoothed
        // curve last leaves the plateau's band (1.5 σ below its top) for good.
        int last = Array.FindLastIndex(s, v => v >= top - 1.5 * noise);
        if (last > n - 5) return null;
        int tailFrom = last + (n - last) * 2 / 3;
        double tail = s.Skip(tailFrom).Average();
        if (top - tail > 4 * noise) return series.TimeS[last];
        return null;
    }

    private static double[] RunningMedian(double[] y, int window)
    {
        int h = window / 2;
        var s = new double[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            int a = Math.Max(0, i - h), b = Math.Min(y.Length - 1, i + h);
            s[i] = OrderStatistics.Median(y[a..(b + 1)]);
        }
        return s;
    }
}
