namespace TemAreaTracker.Fitting;

/// <summary>Tiny dense linear algebra for the k ≤ 5 systems of the fits (no allocation-heavy matrix types in the hot loop).</summary>
internal static class DenseAlgebra
{
    /// <summary>Solves m x = b by Gaussian elimination with partial pivoting; null when singular.</summary>
    public static double[]? Solve(double[,] m, double[] b)
    {
        int k = b.Length;
        var a = (double[,])m.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < k; c++)
        {
            int piv = c;
            for (int r = c + 1; r < k; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[piv, c])) piv = r;
            if (!(Math.Abs(a[piv, c]) > 1e-300)) return null;
            if (piv != c)
            {
                for (int j = 0; j < k; j++) (a[c, j], a[piv, j]) = (a[piv, j], a[c, j]);
                (x[c], x[piv]) = (x[piv], x[c]);
            }
            for (int r = c + 1; r < k; r++)
            {
                double f = a[r, c] / a[c, c];
                if (f == 0) continue;
                for (int j = c; j < k; j++) a[r, j] -= f * a[c, j];
                x[r] -= f * x[c];
            }
        }
        for (int r = k - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int j = r + 1; j < k; j++) s -= a[r, j] * x[j];
            x[r] = s / a[r, r];
        }
        foreach (double v in x) if (!double.IsFinite(v)) return null;
        return x;
    }

    /// <summary>Inverse of a symmetric positive-definite-ish matrix via column solves; null when singular.</summary>
    public static double[,]? Inverse(double[,] m)
    {
        int k = m.GetLength(0);
        var inv = new double[k, k];
        for (int c = 0; c < k; c++)
        {
            var e = new double[k];
            e[c] = 1;
            var col = Solve(m, e);
            if (col is null) return null;
            for (int r = 0; r < k; r++) inv[r, c] = col[r];
        }
        return inv;
    }
}
