namespace TemAreaTracker.Segmentation;

/// <summary>
/// Locates one edge to sub-pixel along a line (a normal of the prior outline) by least squares against the
/// blurred edge templates of an <see cref="EdgeModel"/>.
/// </summary>
/// <remarks>
/// Model of the signal y at distance s along the outward normal, for an edge at e:
/// y(s) = b0 + b1·s + Σ cₖ·Tₖ((e − s)/σ), with Tₖ the model's three blurred templates and c1 &gt; 0 (the particle
/// side rises). The unblurred transmission 1 − exp(−k√x(1 − x/4ρ)) expands in √x, x, x^(3/2), …, and blurring is
/// linear, so fitting intensity with the blurred √x, x and x^(3/2) templates captures absorption saturation and rim
/// curvature without a nonlinear fit (a fit in log intensity was 0.1-0.3 px inside at optical thickness 1).
/// For a given e the model is linear, so e is found by a 1-D search over candidates, each a 5×5 solve.
/// The linear background absorbs a neighbour's slowly varying thickness under an overlap.
/// </remarks>
internal static class EdgeProfileFit
{
    /// <summary>Sample spacing along the normal in px.</summary>
    public const double SampleStepPx = 0.75;

    /// <summary>Result of one edge fit.</summary>
    /// <param name="OffsetPx">Edge position along the outward normal relative to the node, px.</param>
    /// <param name="Significance">(SSE without edge − SSE with edge)/σ̂²: how clearly an edge of the right sign is there.</param>
    /// <param name="Amplitude">c1, the edge strength in signal units.</param>
    public readonly record struct Result(double OffsetPx, double Significance, double Amplitude, double NoiseVariance);

    /// <summary>
    /// Fits the edge on samples y[j] at s[j] = s0 + j·SampleStepPx, searching e within ±searchPx.
    /// </summary>
    public static Result Fit(ReadOnlySpan<double> y, double s0, EdgeModel model, double searchPx)
    {
        int m = y.Length;
        // Sums that do not depend on e.
        double n = m, S = 0, SS = 0, Y = 0, SY = 0, YY = 0;
        for (int j = 0; j < m; j++)
        {
            double s = s0 + j * SampleStepPx;
            S += s; SS += s * s; Y += y[j]; SY += s * y[j]; YY += y[j] * y[j];
        }
        // Null model: straight line.
        double det0 = n * SS - S * S;
        double sse0 = YY - (SS * Y * Y - 2 * S * Y * SY + n * SY * SY) / det0;
        var sums = new Sums(n, S, SS, Y, SY, YY, sse0);

        // Coarse grid, then golden-section refinement around the best grid point.
        double coarse = 0.5;
        int k = (int)Math.Ceiling(searchPx / coarse);
        double bestE = 0, bestSse = double.PositiveInfinity;
        for (int i = -k; i <= k; i++)
        {
            double e = i * coarse;
            double sse = Evaluate(y, s0, model, sums, e, out _);
            if (sse < bestSse) { bestSse = sse; bestE = e; }
        }
        double lo = Math.Max(-searchPx, bestE - coarse), hi = Math.Min(searchPx, bestE + coarse);
        const double g = 0.6180339887498949;
        double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
        double f1 = Evaluate(y, s0, model, sums, x1, out _), f2 = Evaluate(y, s0, model, sums, x2, out _);
        for (int it = 0; it < 14; it++)
        {
            if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = Evaluate(y, s0, model, sums, x1, out _); }
            else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = Evaluate(y, s0, model, sums, x2, out _); }
        }
        double eBest = f1 < f2 ? x1 : x2;
        double sseBest = Evaluate(y, s0, model, sums, eBest, out double amp);
        if (bestSse < sseBest) { eBest = bestE; sseBest = Evaluate(y, s0, model, sums, bestE, out amp); }
        double noise = sseBest / Math.Max(m - 5, 1);
        double significance = noise > 0 ? (sse0 - sseBest) / noise : 0;
        return new Result(eBest, amp > 0 ? significance : 0, amp, noise);
    }
    private readonly record struct Sums(double N, double S, double SS, double Y, double SY, double YY, double Sse0);

    /// <summary>Residual sum of squares of the edge model with the edge at <paramref name="e"/>.</summary>
    private static double Evaluate(ReadOnlySpan<double> y, double s0, EdgeModel model, in Sums z, double e, out double c1)
    {
        int N = 2 + model.Templates.Length; // columns: 1, s, then the templates
        double sigma = model.BlurSigmaPx;
        var templates = model.Templates;
        Span<double> a = stackalloc double[N * N];
        Span<double> b = stackalloc double[N];
        Span<double> x = stackalloc double[N];
        Span<double> t = stackalloc double[3];
        int nt = model.Templates.Length;
        a[0] = z.N; a[1] = z.S; a[N + 1] = z.SS;
        b[0] = z.Y; b[1] = z.SY;
        for (int j = 0; j < y.Length; j++)
        {
            double s = s0 + j * SampleStepPx;
            double u = (e - s) / sigma;
            if (u <= EdgeTemplate.MinU) continue; // all templates vanish outside the blurred edge
            for (int r = 0; r < nt; r++) t[r] = templates[r][u];
            for (int r = 0; r < nt; r++)
            {
                double tr = t[r];
                a[r + 2] += tr; a[N + r + 2] += tr * s;
                for (int c = r; c < nt; c++) a[(r + 2) * N + c + 2] += tr * t[c];
                b[r + 2] += tr * y[j];
            }
        }
        for (int r = 0; r < N; r++) for (int c = 0; c < r; c++) a[r * N + c] = a[c * N + r];
        if (!SmallLinearSolve.Solve(a, b, x, N)) { c1 = 0; return z.Sse0; }
        c1 = x[2];
        if (c1 <= 0) return z.Sse0; // wrong polarity: no edge of this particle here
        double fit = 0;
        for (int r = 0; r < N; r++) fit += x[r] * b[r];
        return Math.Max(z.YY - fit, 0);
    }
}

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
            for (int r = col + 1; r < n; r++)
            {
                double f = m[r * w + col] / m[col * w + col];
                for (int c = col; c <= n; c++) m[r * w + c] -= f * m[col * w + c];
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
}
