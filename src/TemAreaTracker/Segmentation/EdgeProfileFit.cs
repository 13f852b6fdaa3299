using System.Runtime.CompilerServices;

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

    /// <summary>Coarse grid step of the search for e, px (then golden-section refinement around the best point).</summary>
    private const double CoarseStepPx = 0.5;

    /// <summary>Largest |e| the search evaluates for a given search range (the coarse grid may overshoot it a little).</summary>
    public static double MaxOffsetPx(double searchPx) => Math.Ceiling(searchPx / CoarseStepPx) * CoarseStepPx;

    /// <summary>
    /// Fits the edge on samples y[j] at s[j] = s0 + j·SampleStepPx, searching e within ±searchPx.
    /// <paramref name="rival"/>, when not empty, is a neighbour's rim deficit along the same samples: it enters the
    /// model (and the null model) with its own free amplitude, so the neighbour's rim is not taken for ours.
    /// </summary>
    /// <remarks>Builds the window's <see cref="EdgeColumnTable"/> for this one fit; fitting many nodes on one window,
    /// build the table once and use the other overload.</remarks>
    public static Result Fit(ReadOnlySpan<double> y, double s0, RimProfile profile, double searchPx, ReadOnlySpan<double> rival = default) =>
        Fit(y, new EdgeColumnTable(profile, s0, y.Length, MaxOffsetPx(searchPx)), searchPx, rival);

    /// <summary>
    /// Fits the edge on samples y[j] of the window that <paramref name="columns"/> was built for, searching e within
    /// ±<paramref name="searchPx"/> (at most the table's range). <paramref name="rival"/> as in the other overload.
    /// </summary>
    public static Result Fit(ReadOnlySpan<double> y, EdgeColumnTable columns, double searchPx, ReadOnlySpan<double> rival = default)
    {
        Span<double> yb = stackalloc double[columns.Stride];
        Span<double> rb = rival.IsEmpty ? default : stackalloc double[columns.Stride];
        var w = new NodeWindow(y, rival, columns, yb, rb);
        return Fit(in w, columns, searchPx);
    }

    /// <summary>
    /// One node's samples prepared for fitting: padded for the edge table's dot products, with everything the fit needs
    /// of them that depends neither on e nor on the rim profile (fitting the same samples with several profiles, as
    /// model selection does, prepares them once).
    /// </summary>
    public readonly ref struct NodeWindow
    {
        internal readonly ReadOnlySpan<double> Padded, PaddedRival; // padded to the row stride; the rival empty without a neighbour
        internal readonly double S0;
        internal readonly int Samples;
        internal readonly Sums Z;

        /// <param name="y">Samples along the normal.</param>
        /// <param name="rival">A neighbour's rim deficit at the same samples, or empty.</param>
        /// <param name="grid">Any edge table of this window (for s0, the sample count and the sums of s).</param>
        /// <param name="yBuffer">Room for the padded samples (<see cref="EdgeColumnTable.Stride"/> long).</param>
        /// <param name="rivalBuffer">Room for the padded rival column (same length; may be empty without a rival).</param>
        public NodeWindow(ReadOnlySpan<double> y, ReadOnlySpan<double> rival, EdgeColumnTable grid, Span<double> yBuffer, Span<double> rivalBuffer)
        {
            int m = y.Length;
            if (m != grid.Samples) throw new ArgumentException($"{m} samples for a table of {grid.Samples}", nameof(y));
            bool hasRival = !rival.IsEmpty;
            double s0 = grid.S0;
            // Sums that do not depend on e (those of s alone come with the table).
            double n = m, S = grid.SumS, SS = grid.SumSS, Y = 0, SY = 0, YY = 0, R = 0, RS = 0, RR = 0, RY = 0;
            // Samples padded with zeros to the table's row stride, for its vectorised dot products.
            var yp = yBuffer[..grid.Stride];
            var rp = hasRival ? rivalBuffer[..grid.Stride] : default;
            yp.Clear();
            if (hasRival) rp.Clear();
            for (int j = 0; j < m; j++)
            {
                double s = s0 + j * SampleStepPx;
                yp[j] = y[j];
                Y += y[j]; SY += s * y[j]; YY += y[j] * y[j];
                if (hasRival) { double r = rival[j]; rp[j] = r; R += r; RS += r * s; RR += r * r; RY += r * y[j]; }
            }
            // For a given e the best (b0, b1[, r], a) is a projection: with the e-independent columns (1, s[, rival])
            // fixed, the edge column D only enters through its part orthogonal to them (a Schur complement), so each
            // candidate e costs the sums of D and a few products instead of a fresh solve. The inverse B⁻¹ of the fixed
            // block's normal matrix and the null-model coefficients h = B⁻¹(Y, SY[, RY]) are computed once per node.
            var z = new Sums();
            if (hasRival)
            {
                Span<double> a0 = [n, S, R, S, SS, RS, R, RS, RR];
                Span<double> inv = stackalloc double[9];
                if (!Invert3(a0, inv)) { hasRival = false; rp = default; }
                else
                {
                    z.I00 = inv[0]; z.I01 = inv[1]; z.I02 = inv[2]; z.I11 = inv[4]; z.I12 = inv[5]; z.I22 = inv[8];
                    z.H0 = inv[0] * Y + inv[1] * SY + inv[2] * RY;
                    z.H1 = inv[3] * Y + inv[4] * SY + inv[5] * RY;
                    z.H2 = inv[6] * Y + inv[7] * SY + inv[8] * RY;
                }
            }
            if (!hasRival)
            {
                double det = n * SS - S * S;
                z.I00 = SS / det; z.I01 = -S / det; z.I11 = n / det;
                z.H0 = z.I00 * Y + z.I01 * SY;
                z.H1 = z.I01 * Y + z.I11 * SY;
            }
            // Null model: straight line (plus the neighbour's rim).
            z.Sse0 = YY - (z.H0 * Y + z.H1 * SY + z.H2 * RY);
            Padded = yp; PaddedRival = rp; S0 = s0; Samples = m; Z = z;
        }
    }

    /// <summary>
    /// Fits the edge on a prepared window with the profile whose table <paramref name="columns"/> is (built for the
    /// same window), searching e within ±<paramref name="searchPx"/>.
    /// </summary>
    [SkipLocalsInit] // the row products' cache is filled with NaN below: zeroing it first (~2 KB a node) is wasted
    public static Result Fit(in NodeWindow window, EdgeColumnTable columns, double searchPx)
    {
        if (columns.Samples != window.Samples || columns.S0 != window.S0 || columns.Stride != window.Padded.Length)
            throw new ArgumentException("the table was built for another window", nameof(columns));
        if (MaxOffsetPx(searchPx) > columns.MaxOffsetPx) throw new ArgumentOutOfRangeException(nameof(searchPx), "beyond the table's range");
        int m = window.Samples;
        bool hasRival = !window.PaddedRival.IsEmpty;
        var z = window.Z;
        double sse0 = z.Sse0;
        // Row · samples, computed when a candidate first needs it (NaN: not yet).
        Span<double> gy = stackalloc double[columns.Rows];
        Span<double> gr = hasRival ? stackalloc double[columns.Rows] : default;
        gy.Fill(double.NaN);
        if (hasRival) gr.Fill(double.NaN);
        var w = new Window(columns, window.Padded, window.PaddedRival, gy, gr);

        // Coarse grid, then golden-section refinement around the best grid point.
        int k = (int)Math.Ceiling(searchPx / CoarseStepPx);
        double bestE = 0, bestSse = double.PositiveInfinity;
        for (int i = -k; i <= k; i++)
        {
            double e = i * CoarseStepPx;
            double sse = Evaluate(in w, e, z);
            if (sse < bestSse) { bestSse = sse; bestE = e; }
        }
        double lo = Math.Max(-searchPx, bestE - CoarseStepPx), hi = Math.Min(searchPx, bestE + CoarseStepPx);
        const double g = 0.6180339887498949;
        double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
        double f1 = Evaluate(in w, x1, z);
        double f2 = Evaluate(in w, x2, z);
        for (int it = 0; it < 14; it++)
        {
            if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = Evaluate(in w, x1, z); }
            else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = Evaluate(in w, x2, z); }
        }
        double eBest = f1 < f2 ? x1 : x2;
        if (bestSse < Math.Min(f1, f2)) eBest = bestE;
        double sseBest = Evaluate(in w, eBest, z), amp = Amplitude(in w, eBest, z);
        double noise = sseBest / Math.Max(m - 4, 1);
        double significance = noise > 0 && amp > 0 ? (sse0 - sseBest) / noise : 0;
        return new Result(eBest, significance, amp, noise);
    }

    /// <summary>
    /// What an edge fit needs that does not depend on e: the null-model SSE, the inverse of the fixed block's normal
    /// matrix (symmetric; entries with index 2 only with a rival) and the null-model coefficients h.
    /// </summary>
    internal struct Sums
    {
        public double Sse0, I00, I01, I02, I11, I12, I22, H0, H1, H2;
    }

    /// <summary>One node's window: its padded samples (and rival column) and the lazily filled row dot products.</summary>
    private readonly ref struct Window(EdgeColumnTable columns, ReadOnlySpan<double> y, ReadOnlySpan<double> rival, Span<double> gy, Span<double> gr)
    {
        public readonly EdgeColumnTable Columns = columns;
        public readonly ReadOnlySpan<double> Y = y, Rival = rival;
        public readonly Span<double> GY = gy, GR = gr;

        public double DotR(int r) { ref double v = ref GR[r]; if (double.IsNaN(v)) v = Columns.Dot(r, Rival); return v; }

        /// <summary>Rows r and r + 1 · samples (an edge between them interpolates the two): both in one pass when neither is known yet.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void DotY(int r, out double g0, out double g1)
        {
            ref double v0 = ref GY[r];
            ref double v1 = ref GY[r + 1];
            if (double.IsNaN(v0) && double.IsNaN(v1)) Columns.Dot2(r, Y, out v0, out v1);
            else
            {
                if (double.IsNaN(v0)) v0 = Columns.Dot(r, Y);
                if (double.IsNaN(v1)) v1 = Columns.Dot(r + 1, Y);
            }
            g0 = v0; g1 = v1;
        }
    }

    /// <summary>Inverse of a symmetric 3×3 matrix by cofactors; false when (nearly) singular.</summary>
    internal static bool Invert3(ReadOnlySpan<double> a, Span<double> inv)
    {
        double c00 = a[4] * a[8] - a[5] * a[7], c01 = a[5] * a[6] - a[3] * a[8], c02 = a[3] * a[7] - a[4] * a[6];
        double det = a[0] * c00 + a[1] * c01 + a[2] * c02;
        double scale = 0;
        foreach (double v in a) scale = Math.Max(scale, Math.Abs(v));
        if (!(Math.Abs(det) > 1e-13 * scale * scale * scale)) return false;
        double r = 1 / det;
        inv[0] = c00 * r; inv[1] = (a[2] * a[7] - a[1] * a[8]) * r; inv[2] = (a[1] * a[5] - a[2] * a[4]) * r;
        inv[3] = c01 * r; inv[4] = (a[0] * a[8] - a[2] * a[6]) * r; inv[5] = (a[2] * a[3] - a[0] * a[5]) * r;
        inv[6] = c02 * r; inv[7] = (a[1] * a[6] - a[0] * a[7]) * r; inv[8] = (a[0] * a[4] - a[1] * a[3]) * r;
        return true;
    }

    /// <summary>
    /// Residual sum of squares with the edge at <paramref name="e"/>. Wrong polarity (a ≤ 0) or a degenerate edge column
    /// scores as the null model.
    /// </summary>
    private static double Evaluate(in Window w, double e, in Sums z)
    {
        if (!Project(in w, e, z, out double dyPerp, out double ddPerp)) return z.Sse0;
        // a = DY⊥/DD⊥ with DD⊥ > 0: its sign is DY⊥'s (the division is needed only for the winner; see Amplitude).
        if (dyPerp <= 0) return z.Sse0; // wrong polarity: no edge of this particle here
        return Math.Max(z.Sse0 - dyPerp * dyPerp / ddPerp, 0);
    }

    /// <summary>Edge amplitude a at <paramref name="e"/> (negative: wrong polarity; 0 for a degenerate edge column).</summary>
    private static double Amplitude(in Window w, double e, in Sums z) =>
        Project(in w, e, z, out double dyPerp, out double ddPerp) ? dyPerp / ddPerp : 0;

    /// <summary>
    /// The edge column's part orthogonal to the fixed columns at <paramref name="e"/>: DD⊥ = DD − cᵀB⁻¹c and
    /// DY⊥ = DY − cᵀh, with c = (D, DS[, DR]); false when it is degenerate (DD⊥ ≤ 1e-12·DD).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Project(in Window w, double e, in Sums z, out double dyPerp, out double ddPerp)
    {
        int r = w.Columns.Locate(e, out double f);
        w.Columns.Sums(r, f, out double D, out double DS, out double DD);
        w.DotY(r, out double gy0, out double gy1);
        double DY = gy0 + f * (gy1 - gy0);
        bool hasRival = !w.Rival.IsEmpty;
        double DR = 0;
        if (hasRival) { double gr0 = w.DotR(r); DR = gr0 + f * (w.DotR(r + 1) - gr0); }
        double q0 = z.I00 * D + z.I01 * DS, q1 = z.I01 * D + z.I11 * DS, q2 = 0;
        dyPerp = DY - (D * z.H0 + DS * z.H1);
        if (hasRival)
        {
            q0 += z.I02 * DR; q1 += z.I12 * DR; q2 = z.I02 * D + z.I12 * DS + z.I22 * DR;
            dyPerp -= DR * z.H2;
        }
        ddPerp = DD - (D * q0 + DS * q1 + DR * q2);
        return ddPerp > 1e-12 * DD;
    }
}
