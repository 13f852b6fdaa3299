using TemAreaTracker.Physics;

namespace TemAreaTracker.Fitting;

/// <summary>
/// Starting points for Levenberg–Marquardt from coarse grids over the rate (and the onset), the linear parameters
/// solved exactly at each node, so that the local fit starts in the right basin.
/// </summary>
internal static class GridStart
{
    /// <summary>
    /// Coarse grid over (log rate, t0); for each node A^{3/2} = c0 + c1 S(τ) is linear in (c0, c1), so A0 = c0^{2/3}
    /// and g = c1/c0 come from a 2×2 weighted solve. The best node starts Levenberg–Marquardt.
    /// </summary>
    public static double[] Uptake(SingleRateUptakeModel model, double[] t, double[] y, double[] w, double a0Guess, FitOptions options)
    {
        int n = t.Length;
        double span = Math.Max(t[^1] - t[0], 1e-9);
        double dtMin = double.MaxValue;
        for (int i = 1; i < n; i++) dtMin = Math.Min(dtMin, t[i] - t[i - 1]);
        double l = options.DiffusionLengthNm ?? Math.Sqrt(a0Guess / Math.PI);
        double lm = model.LengthPower == 2 ? l * l : l;
        var z = new double[n];
        var wz = new double[n];
        for (int i = 0; i < n; i++)
        {
            z[i] = Math.Pow(y[i], 1.5);
            double dzdy = 1.5 * Math.Sqrt(y[i]);
            wz[i] = w[i] / (dzdy * dzdy);
        }
        double[] t0s = options.OnsetS is double t0Fixed
            ? [t0Fixed]
            : Enumerable.Range(0, 25).Select(i => t[0] - 0.4 * span + i * (1.3 * span) / 24).ToArray();
        double bestCost = double.PositiveInfinity;
        double[] bestP = [Math.Log10(model.TauAt90 * lm / span), t0s[0], a0Guess, 1];
        var s = new double[n];
        const int rates = 28;
        for (int ri = 0; ri < rates; ri++)
        {
            double t90 = 2 * Math.Max(dtMin, 1e-9) * Math.Pow(15 * span / (2 * Math.Max(dtMin, 1e-9)), ri / (rates - 1.0));
            double rate = model.TauAt90 * lm / t90;
            foreach (double t0 in t0s)
            {
                double sw = 0, sws = 0, swz = 0, swss = 0, swsz = 0;
                for (int i = 0; i < n; i++)
                {
                    double si = model.Shape(rate / lm * (t[i] - t0));
                    s[i] = si;
                    sw += wz[i]; sws += wz[i] * si; swz += wz[i] * z[i]; swss += wz[i] * si * si; swsz += wz[i] * si * z[i];
                }
                double det = sw * swss - sws * sws;
                if (!(det > 1e-12 * sw * swss)) continue;
                double c1 = (sw * swsz - sws * swz) / det;
                double c0 = (swz - c1 * sws) / sw;
                if (!(c0 > 0) || !(c1 / c0 > -0.9)) continue;
                double cost = 0;
                for (int i = 0; i < n; i++)
                {
                    double r = z[i] - c0 - c1 * s[i];
                    cost += wz[i] * r * r;
                }
                if (cost < bestCost)
                {
                    bestCost = cost;
                    bestP = [Math.Log10(rate), t0, Math.Pow(c0, 2.0 / 3.0), c1 / c0];
                }
            }
        }
        // When L follows A0 the grid's rate was for the guessed L; rescale to the node's A0.
        if (options.DiffusionLengthNm is null)
        {
            double lNode = Math.Sqrt(bestP[2] / Math.PI);
            bestP[0] += model.LengthPower * Math.Log10(lNode / l);
        }
        return bestP;
    }

    /// <summary>
    /// Grid over log D for the redistribution model after contact loss at <paramref name="tc"/>: for each node
    /// u = (A/A0)^{3/2} − 1 is linear in (u_c, u_eq), from a 2×2 weighted solve. The best node starts Levenberg–Marquardt.
    /// </summary>
    public static double[] Redistribution(double[] t, double[] y, double[] w, double a0, double l, double tc)
    {
        // Grid over log D; u is linear in (u_c, u_eq) for fixed D: u = u_c (1 − F) + u_eq F.
        int n = t.Length;
        var u = y.Select(a => Math.Pow(a / a0, 1.5) - 1).ToArray();
        var wu = new double[n];
        for (int i = 0; i < n; i++) { double d = 1.5 * Math.Sqrt(y[i] / a0) / a0; wu[i] = w[i] / (d * d); }
        double span = Math.Max(t[^1] - tc, 1e-9), dt = Math.Max(t.Length > 1 ? t[1] - t[0] : span, 1e-9);
        double bestCost = double.PositiveInfinity;
        double[] start = [Math.Log10(0.183 * l * l / span), u[0], u[^1]];
        for (int ri = 0; ri < 40; ri++)
        {
            double t90 = 2 * dt * Math.Pow(15 * span / (2 * dt), ri / 39.0);
            double c = 0.183 / t90;
            double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0;
            var f = new double[n];
            for (int i = 0; i < n; i++)
            {
                f[i] = CrankSphere.Uptake(c * (t[i] - tc));
                double x1 = 1 - f[i], x2 = f[i];
                a11 += wu[i] * x1 * x1; a12 += wu[i] * x1 * x2; a22 += wu[i] * x2 * x2; b1 += wu[i] * x1 * u[i]; b2 += wu[i] * x2 * u[i];
            }
            double det = a11 * a22 - a12 * a12;
            if (!(det > 1e-12 * a11 * a22)) continue;
            double uc = (a22 * b1 - a12 * b2) / det, ue = (a11 * b2 - a12 * b1) / det;
            double cost = 0;
            for (int i = 0; i < n; i++) { double r = u[i] - uc * (1 - f[i]) - ue * f[i]; cost += wu[i] * r * r; }
            if (cost < bestCost && uc > -0.9 && ue > -0.9) { bestCost = cost; start = [Math.Log10(c * l * l), uc, ue]; }
        }
        return start;
    }
}
