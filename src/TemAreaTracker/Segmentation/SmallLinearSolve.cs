using System.Numerics;

namespace TemAreaTracker.Segmentation;

/// <summary>Tiny dense solves without allocation.</summary>
internal static class SmallLinearSolve
{
    /// <summary>Solves the n×n system a·x = b (row-major a) by Gaussian elimination with partial pivoting.</summary>
    public static bool Solve(Span<double> a, Span<double> b, Span<double> x, int n)
    {
        int w = n + 1;
        Span<double> m = stackalloc double[n * w];
        double scale = 0;
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++) { m[r * w + c] = a[r * n + c]; scale = Math.Max(scale, Math.Abs(a[r * n + c])); }
            m[r * w + n] = b[r];
        }
        for (int col = 0; col < n; col++)
        {
            int piv = col;
            for (int r = col + 1; r < n; r++)
                if (Math.Abs(m[r * w + col]) > Math.Abs(m[piv * w + col])) piv = r;
            if (Math.Abs(m[piv * w + col]) <= 1e-13 * scale) return false;
            if (piv != col)
                for (int c = 0; c <= n; c++) (m[col * w + c], m[piv * w + c]) = (m[piv * w + c], m[col * w + c]);
            var pivotRow = m.Slice(col * w + col, w - col);
            for (int r = col + 1; r < n; r++)
            {
                double f = m[r * w + col] / m[col * w + col];
                SubtractScaled(m.Slice(r * w + col, w - col), f, pivotRow);
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double s = m[r * w + n];
            for (int c = r + 1; c < n; c++) s -= m[r * w + c] * x[c];
            x[r] = s / m[r * w + r];
        }
        return true;
    }

    /// <summary>
    /// row −= f · pivot, element by element: vectorised, each element the same product then difference as the scalar
    /// loop (no fused multiply-add), so the solve is bit for bit what it was (elimination was ~5 % of tracking).
    /// </summary>
    private static void SubtractScaled(Span<double> row, double f, ReadOnlySpan<double> pivot)
    {
        int c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vf = new Vector<double>(f);
            for (; c <= row.Length - Vector<double>.Count; c += Vector<double>.Count)
                (new Vector<double>(row[c..]) - vf * new Vector<double>(pivot[c..])).CopyTo(row[c..]);
        }
        for (; c < row.Length; c++) row[c] -= f * pivot[c];
    }
}
