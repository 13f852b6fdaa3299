namespace TemAreaTracker.Fitting;

/// <summary>
/// The linearised (Jacobian) covariance of a weighted least-squares fit, computed here rather than taken from
/// MathNet, which rescales it and reports errors at active bounds.
/// </summary>
internal static class JacobianCovariance
{
    /// <summary>s² (JᵀWJ)⁻¹ over the free parameters at <paramref name="p"/>; null when JᵀWJ is singular.</summary>
    public static double[,]? Compute(LsqProblem prob, double[] p, double s2)
    {
        var jac = prob.Jacobian(p);
        int n = prob.N, k = prob.FreeCount;
        var a = new double[k, k];
        for (int i = 0; i < n; i++)
            for (int r = 0; r < k; r++)
                for (int c = 0; c < k; c++)
                    a[r, c] += prob.W[i] * jac[i, r] * jac[i, c];
        var inv = DenseAlgebra.Inverse(a);
        if (inv is null) return null;
        for (int r = 0; r < k; r++) for (int c = 0; c < k; c++) inv[r, c] *= s2;
        return inv;
    }
}
