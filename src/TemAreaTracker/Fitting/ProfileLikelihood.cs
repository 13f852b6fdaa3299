namespace TemAreaTracker.Fitting;

/// <summary>
/// Profile-likelihood interval on the first parameter (log10 of the rate): it is fixed on each side of the best fit,
/// the others refitted, and the bound set where χ² − χ²_min reaches the threshold.
/// </summary>
internal static class ProfileLikelihood
{
    /// <summary>Profile bounds on p[0]: χ²_prof(x) − χ²_min = <paramref name="delta"/>; ±∞ when not reached within 4 decades.</summary>
    public static (double Lo, double Hi, LsqResult? Better) Bounds(LsqProblem prob, double[] pBest, double chi2Min, double delta, double se)
    {
        var free = (bool[])prob.Free.Clone();
        free[0] = false;
        var fixedProb = new LsqProblem { Y = prob.Y, W = prob.W, Model = prob.Model, Scale = prob.Scale, Free = free };
        LsqResult? better = null;
        double Side(int sign)
        {
            double step = Math.Clamp(2 * se, 0.005, 0.5);
            double inside = pBest[0];
            var warm = (double[])pBest.Clone();
            double x = inside;
            double outside = double.NaN;
            var warmOut = warm;
            while (Math.Abs(x - pBest[0]) < 4)
            {
                x += sign * step;
                var q = (double[])warm.Clone();
                q[0] = x;
                var r = LevenbergMarquardt.Minimize(fixedProb, q, 50);
                if (r.Chi2 < chi2Min && (better is null || r.Chi2 < better.Chi2)) better = r;
                if (r.Chi2 - chi2Min >= delta) { outside = x; warmOut = r.P; break; }
                inside = x;
                warm = r.P;
                step *= 1.5;
            }
            if (double.IsNaN(outside)) return sign * double.PositiveInfinity;
            // Bisection: Δχ² rises monotonically between the last point inside and the first outside.
            for (int i = 0; i < 14 && Math.Abs(outside - inside) > 1e-4; i++)
            {
                double mid = 0.5 * (inside + outside);
                var q = (double[])warm.Clone();
                q[0] = mid;
                var r = LevenbergMarquardt.Minimize(fixedProb, q, 50);
                if (r.Chi2 - chi2Min >= delta) outside = mid; else { inside = mid; warm = r.P; }
            }
            return 0.5 * (inside + outside);
        }
        double hi = Side(+1), lo = Side(-1);
        return (lo, hi, better);
    }
}
