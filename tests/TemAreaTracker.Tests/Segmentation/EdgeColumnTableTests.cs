using TemAreaTracker.Segmentation;
using Xunit;

namespace TemAreaTracker.Tests.Segmentation;

/// <summary>
/// The edge fit through the precomputed <see cref="EdgeColumnTable"/> against the per-sample fit it replaced
/// (<see cref="DirectEdgeFit"/>, kept here verbatim as the reference): same edge, significance, amplitude and noise.
/// </summary>
public class EdgeColumnTableTests
{
    private static (double[] Y, double[] Rival) Window(RimProfile profile, double s0, int m, double edge, double amplitude, double noise, int seed, bool rival)
    {
        var rng = new Random(seed);
        var y = new double[m];
        var r = new double[m];
        for (int j = 0; j < m; j++)
        {
            double s = s0 + j * EdgeProfileFit.SampleStepPx;
            if (rival) r[j] = profile[s - 3.3 - 0.1 * seed];
            y[j] = 5 + 0.2 * s + amplitude * profile[edge - s] + (rival ? 0.7 * r[j] : 0) + noise * (rng.NextDouble() - 0.5);
        }
        return (y, rival ? r : []);
    }

    [Theory]
    [InlineData(0.5, 0.2, 30.0, 4.0, 10.0, false)]
    [InlineData(1.0, 1.0, 45.0, 4.0, 10.0, false)]
    [InlineData(1.4, 2.5, 60.0, 1.5, 6.0, false)]
    [InlineData(2.8, 8.0, 12.0, 8.0, 12.0, false)]
    [InlineData(1.0, 0.7, 45.0, 2.0, 8.0, true)]
    [InlineData(0.7, 4.0, 25.0, 4.8, 9.0, true)]
    public void TableFitEqualsPerSampleFit(double sigma, double tau, double radius, double search, double inner, bool rival)
    {
        var profile = new RimProfile(tau, radius, sigma, EdgeModel.MaxInsidePx);
        double s0 = -(search + inner);
        int m = (int)Math.Floor((search + 3 * sigma + 2.5 - s0) / EdgeProfileFit.SampleStepPx) + 1;
        var table = new EdgeColumnTable(profile, s0, m, EdgeProfileFit.MaxOffsetPx(search));
        int compared = 0;
        for (int seed = 0; seed < 60; seed++)
        {
            // Edges across the range and beyond it, clean and noisy, right and wrong polarity.
            double edge = -search - 1 + (2 * search + 2) * seed / 59.0;
            double amp = seed % 7 == 3 ? -20 : 20, noise = seed % 3 == 0 ? 0.01 : 6;
            var (y, r) = Window(profile, s0, m, edge, amp, noise, seed, rival);
            var direct = DirectEdgeFit.Fit(y, s0, profile, search, r);
            var fast = EdgeProfileFit.Fit(y, table, search, r);
            Assert.Equal(direct.OffsetPx, fast.OffsetPx, 9);
            Assert.Equal(direct.Amplitude, fast.Amplitude, 1e-9 * (1 + Math.Abs(direct.Amplitude)));
            Assert.Equal(direct.NoiseVariance, fast.NoiseVariance, 1e-9 * (1 + direct.NoiseVariance));
            // Significance = ΔSSE / noise: compare ΔSSE (the noise of a near-perfect fit is itself a tiny difference).
            double gain = direct.Significance * direct.NoiseVariance;
            Assert.Equal(gain, fast.Significance * fast.NoiseVariance, 1e-9 * (1 + Math.Abs(gain)));
            if (noise > 1) Assert.Equal(direct.Significance, fast.Significance, 1e-9 * (1 + Math.Abs(direct.Significance)));
            compared++;
        }
        Assert.Equal(60, compared);
    }

    [Fact]
    public void OneOffOverloadEqualsTableOverload()
    {
        var profile = new RimProfile(1.0, 40, 1.0, EdgeModel.MaxInsidePx);
        double s0 = -10;
        int m = 27;
        var (y, _) = Window(profile, s0, m, 0.8, 15, 2, 1, false);
        var a = EdgeProfileFit.Fit(y, s0, profile, 4);
        var b = EdgeProfileFit.Fit(y, profile.Columns(s0, m, EdgeProfileFit.MaxOffsetPx(4)), 4);
        Assert.Equal(a, b);
        Assert.Same(profile.Columns(s0, m, 4), profile.Columns(s0, m, 4));
    }
}

/// <summary>The edge fit as it was before <see cref="EdgeColumnTable"/>: each candidate interpolates every sample.</summary>
internal static class DirectEdgeFit
{
    public static EdgeProfileFit.Result Fit(ReadOnlySpan<double> y, double s0, RimProfile profile, double searchPx, ReadOnlySpan<double> rival = default)
    {
        int m = y.Length;
        bool hasRival = !rival.IsEmpty;
        // Sums that do not depend on e.
        double n = m, S = 0, SS = 0, Y = 0, SY = 0, YY = 0, R = 0, RS = 0, RR = 0, RY = 0;
        for (int j = 0; j < m; j++)
        {
            double s = s0 + j * EdgeProfileFit.SampleStepPx;
            S += s; SS += s * s; Y += y[j]; SY += s * y[j]; YY += y[j] * y[j];
            if (hasRival) { double r = rival[j]; R += r; RS += r * s; RR += r * r; RY += r * y[j]; }
        }
        // For a given e the best (b0, b1[, r], a) is a projection: with the e-independent columns (1, s[, rival]) fixed,
        // the edge column D only enters through its part orthogonal to them (a Schur complement), so each candidate e
        // costs the sums of D and a few products instead of a fresh solve. The inverse B⁻¹ of the fixed block's normal
        // matrix and the null-model coefficients h = B⁻¹(Y, SY[, RY]) are computed once per node.
        var z = new Sums();
        if (hasRival)
        {
            Span<double> a0 = [n, S, R, S, SS, RS, R, RS, RR];
            Span<double> inv = stackalloc double[9];
            if (!Invert3(a0, inv)) { hasRival = false; rival = default; }
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
        double sse0 = YY - (z.H0 * Y + z.H1 * SY + z.H2 * RY);
        z.Sse0 = sse0;
        var table = profile.Table;
        double pScale = 1 / RimProfile.StepPx;
        // Table position of sample j for an edge at e: (e − s0 − j·step − xMin)/tableStep, i.e. p(e) − j·Δ.
        double pBase = (-s0 - profile.XMinPx) * pScale, pStride = EdgeProfileFit.SampleStepPx * pScale;

        // Coarse grid, then golden-section refinement around the best grid point.
        const double coarse = 0.5;
        int k = (int)Math.Ceiling(searchPx / coarse);
        double bestE = 0, bestSse = double.PositiveInfinity;
        for (int i = -k; i <= k; i++)
        {
            double e = i * coarse;
            double sse = Evaluate(y, rival, table, pBase + e * pScale, pStride, s0, z, out _);
            if (sse < bestSse) { bestSse = sse; bestE = e; }
        }
        double lo = Math.Max(-searchPx, bestE - coarse), hi = Math.Min(searchPx, bestE + coarse);
        const double g = 0.6180339887498949;
        double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
        double f1 = Evaluate(y, rival, table, pBase + x1 * pScale, pStride, s0, z, out _);
        double f2 = Evaluate(y, rival, table, pBase + x2 * pScale, pStride, s0, z, out _);
        for (int it = 0; it < 14; it++)
        {
            if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = Evaluate(y, rival, table, pBase + x1 * pScale, pStride, s0, z, out _); }
            else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = Evaluate(y, rival, table, pBase + x2 * pScale, pStride, s0, z, out _); }
        }
        double eBest = f1 < f2 ? x1 : x2;
        if (bestSse < Math.Min(f1, f2)) eBest = bestE;
        double sseBest = Evaluate(y, rival, table, pBase + eBest * pScale, pStride, s0, z, out double amp);
        double noise = sseBest / Math.Max(m - 4, 1);
        double significance = noise > 0 && amp > 0 ? (sse0 - sseBest) / noise : 0;
        return new EdgeProfileFit.Result(eBest, significance, amp, noise);
    }

    /// <summary>
    /// What an edge fit needs that does not depend on e: the null-model SSE, the inverse of the fixed block's normal
    /// matrix (symmetric; entries with index 2 only with a rival) and the null-model coefficients h.
    /// </summary>
    private struct Sums
    {
        public double Sse0, I00, I01, I02, I11, I12, I22, H0, H1, H2;
    }

    /// <summary>Inverse of a symmetric 3×3 matrix by cofactors; false when (nearly) singular.</summary>
    private static bool Invert3(ReadOnlySpan<double> a, Span<double> inv)
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
    /// Residual sum of squares with the edge at table position <paramref name="p0"/> for sample 0 (sample j at
    /// p0 − j·<paramref name="pStride"/>); <paramref name="amplitude"/> gets a. Wrong polarity (a ≤ 0) or a degenerate
    /// edge column scores as the null model.
    /// </summary>
    private static double Evaluate(ReadOnlySpan<double> y, ReadOnlySpan<double> rival, ReadOnlySpan<double> table,
        double p0, double pStride, double s0, in Sums z, out double amplitude)
    {
        double D = 0, DS = 0, DD = 0, DY = 0, DR = 0;
        bool hasRival = !rival.IsEmpty;
        int last = table.Length - 1;
        if (!hasRival && p0 - (y.Length - 1) * pStride > 0 && p0 < last)
        {
            // Common case: every sample inside the table and no rival — the same sums without the branches.
            for (int j = 0; j < y.Length; j++)
            {
                double p = p0 - j * pStride;
                int i = (int)p;
                double t0 = table[i];
                double d = t0 + (p - i) * (table[i + 1] - t0);
                double s = s0 + j * EdgeProfileFit.SampleStepPx;
                D += d; DS += d * s; DD += d * d; DY += d * y[j];
            }
        }
        else for (int j = 0; j < y.Length; j++)
        {
            double p = p0 - j * pStride;
            double d;
            if (p <= 0) d = table[0];
            else
            {
                int i = (int)p;
                if (i >= last) d = table[last];
                else { double t0 = table[i]; d = t0 + (p - i) * (table[i + 1] - t0); }
            }
            double s = s0 + j * EdgeProfileFit.SampleStepPx;
            D += d; DS += d * s; DD += d * d; DY += d * y[j];
            if (hasRival) DR += d * rival[j];
        }
        amplitude = 0;
        // Part of D orthogonal to the fixed columns: DD⊥ = DD − cᵀB⁻¹c, DY⊥ = DY − cᵀh, with c = (D, DS[, DR]).
        double q0 = z.I00 * D + z.I01 * DS, q1 = z.I01 * D + z.I11 * DS, q2 = 0;
        double dyPerp = DY - (D * z.H0 + DS * z.H1);
        if (hasRival)
        {
            q0 += z.I02 * DR; q1 += z.I12 * DR; q2 = z.I02 * D + z.I12 * DS + z.I22 * DR;
            dyPerp -= DR * z.H2;
        }
        double ddPerp = DD - (D * q0 + DS * q1 + DR * q2);
        if (!(ddPerp > 1e-12 * DD)) return z.Sse0;
        amplitude = dyPerp / ddPerp;
        if (amplitude <= 0) return z.Sse0; // wrong polarity: no edge of this particle here
        return Math.Max(z.Sse0 - dyPerp * dyPerp / ddPerp, 0);
    }
}
