namespace TemAreaTracker.Fitting;

/// <summary>A weighted least-squares problem: minimise χ²(p) = Σ w_i (y_i − f_i(p))² over the free parameters.</summary>
internal sealed class LsqProblem
{
    /// <summary>Observations.</summary>
    public required double[] Y { get; init; }
    /// <summary>Weights 1/σ_i² (relative weights are enough: the scale is estimated from the residuals).</summary>
    public required double[] W { get; init; }
    /// <summary>Writes the model predictions for the full parameter vector into the second array; returns false when p is outside the model's domain.</summary>
    public required Func<double[], double[], bool> Model { get; init; }
    /// <summary>Typical magnitude of each parameter, which sets the finite-difference step (1e-6 of it).</summary>
    public required double[] Scale { get; init; }
    /// <summary>Which parameters move.</summary>
    public required bool[] Free { get; init; }
    /// <summary>Central (true) or forward (false, half the model evaluations) differences in the Jacobian.</summary>
    public bool CentralDifferences { get; init; } = true;

    public int N => Y.Length;
    public int FreeCount => Free.Count(f => f);

    /// <summary>χ²(p), +∞ outside the model's domain; <paramref name="pred"/> receives f(p).</summary>
    public double Chi2(double[] p, double[] pred)
    {
        if (!Model(p, pred)) return double.PositiveInfinity;
        double c = 0;
        for (int i = 0; i < Y.Length; i++)
        {
            double r = Y[i] - pred[i];
            c += W[i] * r * r;
        }
        return double.IsFinite(c) ? c : double.PositiveInfinity;
    }

    /// <summary>Central-difference Jacobian ∂f_i/∂p_j over the free parameters (n × k, column j = j-th free parameter).</summary>
    public double[,] Jacobian(double[] p) => Jacobian(p, null, null);

    /// <summary>
    /// As <see cref="Jacobian(double[])"/>, writing into <paramref name="into"/> when given (no allocation per LM
    /// iteration) and, for forward differences, reusing <paramref name="predAtP"/> = f(p) instead of re-evaluating it.
    /// </summary>
    public double[,] Jacobian(double[] p, double[]? predAtP, double[,]? into)
    {
        int n = N, k = FreeCount;
        var jac = into ?? new double[n, k];
        var plus = new double[n];
        var minus = new double[n];
        double[]? centre = null;
        if (!CentralDifferences)
        {
            centre = predAtP;
            if (centre is null)
            {
                centre = new double[n];
                if (!Model(p, centre)) centre = null;
            }
        }
        var q = (double[])p.Clone();
        int col = 0;
        for (int j = 0; j < p.Length; j++)
        {
            if (!Free[j]) continue;
            double h = 1e-6 * Scale[j];
            if (centre is not null)
            {
                q[j] = p[j] + h;
                bool ok = Model(q, plus);
                q[j] = p[j];
                if (ok) { for (int i = 0; i < n; i++) jac[i, col] = (plus[i] - centre[i]) / h; col++; continue; }
            }
            q[j] = p[j] + h;
            bool okPlus = Model(q, plus);
            q[j] = p[j] - h;
            bool okMinus = Model(q, minus);
            q[j] = p[j];
            if (okPlus && okMinus)
                for (int i = 0; i < n; i++) jac[i, col] = (plus[i] - minus[i]) / (2 * h);
            else
            {
                // One side is outside the domain (e.g. a bound): fall back to a one-sided difference.
                var c0 = new double[n];
                Model(q, c0);
                if (okPlus) for (int i = 0; i < n; i++) jac[i, col] = (plus[i] - c0[i]) / h;
                else if (okMinus) for (int i = 0; i < n; i++) jac[i, col] = (c0[i] - minus[i]) / h;
            }
            col++;
        }
        return jac;
    }
}

/// <summary>Outcome of <see cref="LevenbergMarquardt.Minimize"/>.</summary>
internal sealed record LsqResult(double[] P, double Chi2, int Iterations, FitExit Exit);

/// <summary>
/// Levenberg–Marquardt with Marquardt's diagonal scaling (Marquardt 1963, SIAM J. Appl. Math. 11, 431;
/// Madsen, Nielsen &amp; Tingleff 2004, <i>Methods for non-linear least squares problems</i>, §3.2):
/// solve (JᵀWJ + λ diag(JᵀWJ)) δ = JᵀW r; accept δ when χ² drops (then λ ← λ/3), else λ ← 2λ, 4λ, ….
/// Written here rather than taken from MathNet so that parameters can be held fixed (profile likelihood) and the
/// covariance is not silently rescaled.
/// </summary>
internal static class LevenbergMarquardt
{
    public static LsqResult Minimize(LsqProblem prob, double[] p0, int maxIterations = 200, double initialLambda = 1e-3, double[,]? jacobianAtStart = null, double relativeTolerance = 1e-9)
    {
        int n = prob.N, k = prob.FreeCount;
        var p = (double[])p0.Clone();
        var pred = new double[n];
        double chi2 = prob.Chi2(p, pred);
        if (!double.IsFinite(chi2)) return new LsqResult(p, chi2, 0, FitExit.Failed);
        if (k == 0) return new LsqResult(p, chi2, 0, FitExit.Converged);
        var trial = new double[p.Length];
        var trialPred = new double[n];
        double lambda = initialLambda;
        var freeIdx = Enumerable.Range(0, p.Length).Where(j => prob.Free[j]).ToArray();
        var jacBuffer = new double[n, k];
        for (int it = 1; it <= maxIterations; it++)
        {
            var jac = it == 1 && jacobianAtStart is not null ? jacobianAtStart : prob.Jacobian(p, pred, jacBuffer);
            var a = new double[k, k];
            var g = new double[k];
            for (int i = 0; i < n; i++)
            {
                double wr = prob.W[i] * (prob.Y[i] - pred[i]);
                for (int r = 0; r < k; r++)
                {
                    double wj = prob.W[i] * jac[i, r];
                    g[r] += jac[i, r] * wr;
                    for (int c = 0; c <= r; c++) a[r, c] += wj * jac[i, c];
                }
            }
            for (int r = 0; r < k; r++) for (int c = r + 1; c < k; c++) a[r, c] = a[c, r];
            double maxDiag = 0;
            for (int r = 0; r < k; r++) maxDiag = Math.Max(maxDiag, a[r, r]);
            if (!(maxDiag > 0)) return new LsqResult(p, chi2, it, FitExit.NoFurtherImprovement);

            double nu = 2;
            while (true)
            {
                var m = new double[k, k];
                for (int r = 0; r < k; r++)
                {
                    for (int c = 0; c < k; c++) m[r, c] = a[r, c];
                    m[r, r] += lambda * Math.Max(a[r, r], 1e-12 * maxDiag);
                }
                var delta = DenseAlgebra.Solve(m, g);
                if (delta is null) { lambda *= nu; nu *= 2; if (lambda > 1e16) return new LsqResult(p, chi2, it, FitExit.NoFurtherImprovement); continue; }
                Array.Copy(p, trial, p.Length);
                for (int r = 0; r < k; r++) trial[freeIdx[r]] += delta[r];
                double chi2New = prob.Chi2(trial, trialPred);
                if (chi2New < chi2)
                {
                    double drop = chi2 - chi2New;
                    bool smallStep = true;
                    for (int r = 0; r < k; r++)
                        if (Math.Abs(delta[r]) > 1e-8 * (Math.Abs(p[freeIdx[r]]) + prob.Scale[freeIdx[r]])) smallStep = false;
                    Array.Copy(trial, p, p.Length);
                    Array.Copy(trialPred, pred, n);
                    chi2 = chi2New;
                    lambda = Math.Max(lambda / 3, 1e-12);
                    // A drop of 1e-9 χ² is ~1e-7 of the noise level for n ~ 100: far below anything an interval can resolve.
                    // Bootstrap refits use 1e-6 (a shift of ~1e-4 in Δχ²/s², still negligible against the 3.84 that sets an interval).
                    if (smallStep || drop <= relativeTolerance * chi2) return new LsqResult(p, chi2, it, FitExit.Converged);
                    break;
                }
                lambda *= nu;
                nu *= 2;
                if (lambda > 1e16) return new LsqResult(p, chi2, it, FitExit.NoFurtherImprovement);
            }
        }
        return new LsqResult(p, chi2, maxIterations, FitExit.MaxIterations);
    }
}
