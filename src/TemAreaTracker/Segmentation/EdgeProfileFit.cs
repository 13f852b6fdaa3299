namespace TemAreaTracker.Segmentation;

/// <summary>
/// Locates one edge to sub-pixel along a line (a normal of the prior outline) by least squares against the
/// particle's <see cref="RimProfile"/>.
/// </summary>
/// <remarks>
/// Model of the signal y at distance s along the outward normal, for an edge at e:
/// y(s) = b0 + b1·s + a·D(e − s), with D the blurred rim deficit and a &gt; 0 (the particle side is darker, or
/// brighter for inverted contrast, as the signal's sign says). For a given e the model is linear in (b0, b1, a), so e
/// is found by a 1-D search, each candidate a 3×3 solve. The linear background absorbs a neighbour's slowly varying
/// thickness under an overlap, and the free amplitude a its lower transmission there.
/// </remarks>
internal static class EdgeProfileFit
{
    /// <summary>Sample spacing along the normal in px.</summary>
    public const double SampleStepPx = 0.75;

    /// <summary>Result of one edge fit.</summary>
    /// <param name="OffsetPx">Edge position along the outward normal relative to the node, px.</param>
    /// <param name="Significance">(SSE without edge − SSE with edge)/σ̂²: how clearly an edge of the right sign is there.</param>
    /// <param name="Amplitude">Edge amplitude a in signal units.</param>
    /// <param name="NoiseVariance">Residual variance of the fit.</param>
    public readonly record struct Result(double OffsetPx, double Significance, double Amplitude, double NoiseVariance);

    /// <summary>
    /// Fits the edge on samples y[j] at s[j] = s0 + j·SampleStepPx, searching e within ±searchPx.
    /// <paramref name="rival"/>, when not empty, is a neighbour's rim deficit along the same samples: it enters the
    /// model (and the null model) with its own free amplitude, so the neighbour's rim is not taken for ours.
    /// </summary>
    public static Result Fit(ReadOnlySpan<double> y, double s0, RimProfile profile, double searchPx, ReadOnlySpan<double> rival = default)
    {
        int m = y.Length;
        bool hasRival = !rival.IsEmpty;
        // Sums that do not depend on e.
        double n = m, S = 0, SS = 0, Y = 0, SY = 0, YY = 0, R = 0, RS = 0, RR = 0, RY = 0;
        for (int j = 0; j < m; j++)
        {
            double s = s0 + j * SampleStepPx;
            S += s; SS += s * s; Y += y[j]; SY += s * y[j]; YY += y[j] * y[j];
            if (hasRival) { double r = rival[j]; R += r; RS += r * s; RR += r * r; RY += r * y[j]; }
        }
        // Null model: straight line (plus the neighbour's rim).
        double sse0;
        if (hasRival)
        {
            Span<double> a0 = [n, S, R, S, SS, RS, R, RS, RR];
            Span<double> b0 = [Y, SY, RY];
            Span<double> x0 = stackalloc double[3];
            if (SmallLinearSolve.Solve(a0, b0, x0, 3)) sse0 = YY - (x0[0] * Y + x0[1] * SY + x0[2] * RY);
            else { hasRival = false; sse0 = double.NaN; }
        }
        else sse0 = double.NaN;
        if (!hasRival)
        {
            double det0 = n * SS - S * S;
            sse0 = YY - (SS * Y * Y - 2 * S * Y * SY + n * SY * SY) / det0;
            rival = default;
        }
        var z = new Sums(n, S, SS, Y, SY, YY, sse0, R, RS, RR, RY);

        // Coarse grid, then golden-section refinement around the best grid point.
        const double coarse = 0.5;
        int k = (int)Math.Ceiling(searchPx / coarse);
        double bestE = 0, bestSse = double.PositiveInfinity;
        for (int i = -k; i <= k; i++)
        {
            double e = i * coarse;
            double sse = Evaluate(y, rival, s0, profile, z, e, out _);
            if (sse < bestSse) { bestSse = sse; bestE = e; }
        }
        double lo = Math.Max(-searchPx, bestE - coarse), hi = Math.Min(searchPx, bestE + coarse);
        const double g = 0.6180339887498949;
        double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
        double f1 = Evaluate(y, rival, s0, profile, z, x1, out _), f2 = Evaluate(y, rival, s0, profile, z, x2, out _);
        for (int it = 0; it < 14; it++)
        {
            if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = Evaluate(y, rival, s0, profile, z, x1, out _); }
            else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = Evaluate(y, rival, s0, profile, z, x2, out _); }
        }
        double eBest = f1 < f2 ? x1 : x2;
        if (bestSse < Math.Min(f1, f2)) eBest = bestE;
        double sseBest = Evaluate(y, rival, s0, profile, z, eBest, out double amp);
        double noise = sseBest / Math.Max(m - 4, 1);
        double significance = noise > 0 && amp > 0 ? (sse0 - sseBest) / noise : 0;
        return new Result(eBest, significance, amp, noise);
    }

    private readonly record struct Sums(double N, double S, double SS, double Y, double SY, double YY, double Sse0,
        double R, double RS, double RR, double RY);

    /// <summary>Residual sum of squares with the edge at <paramref name="e"/>; <paramref name="amplitude"/> gets a.</summary>
    private static double Evaluate(ReadOnlySpan<double> y, ReadOnlySpan<double> rival, double s0, RimProfile profile, in Sums z, double e, out double amplitude)
    {
        double D = 0, DS = 0, DD = 0, DY = 0, DR = 0;
        bool hasRival = !rival.IsEmpty;
        for (int j = 0; j < y.Length; j++)
        {
            double s = s0 + j * SampleStepPx;
            double d = profile[e - s];
            D += d; DS += d * s; DD += d * d; DY += d * y[j];
            if (hasRival) DR += d * rival[j];
        }
        amplitude = 0;
        if (!hasRival)
        {
            Span<double> a = [z.N, z.S, D, z.S, z.SS, DS, D, DS, DD];
            Span<double> b = [z.Y, z.SY, DY];
            Span<double> x = stackalloc double[3];
            if (!SmallLinearSolve.Solve(a, b, x, 3)) return z.Sse0;
            amplitude = x[2];
            if (x[2] <= 0) return z.Sse0; // wrong polarity: no edge of this particle here
            return Math.Max(z.YY - (x[0] * z.Y + x[1] * z.SY + x[2] * DY), 0);
        }
        else
        {
            Span<double> a = [z.N, z.S, D, z.R, z.S, z.SS, DS, z.RS, D, DS, DD, DR, z.R, z.RS, DR, z.RR];
            Span<double> b = [z.Y, z.SY, DY, z.RY];
            Span<double> x = stackalloc double[4];
            if (!SmallLinearSolve.Solve(a, b, x, 4)) return z.Sse0;
            amplitude = x[2];
            if (x[2] <= 0) return z.Sse0;
            return Math.Max(z.YY - (x[0] * z.Y + x[1] * z.SY + x[2] * DY + x[3] * z.RY), 0);
        }
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
