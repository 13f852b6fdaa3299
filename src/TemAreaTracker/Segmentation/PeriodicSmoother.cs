using System.Numerics;
using System.Numerics.Tensors;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// Smooths values around a closed outline as a periodic function of angle: the node edges of an
/// <see cref="ActiveOutline"/> pass (displacements along the normals, or a round particle's radius r(θ)), so that nodes
/// without a clear edge follow their neighbours instead of jumping.
/// </summary>
internal static class PeriodicSmoother
{
    /// <summary>
    /// Penalised robust Fourier fit of a periodic function f(θ) to values v at angles θ: minimises
    /// Σ wᵢ ρ(vᵢ − f(θᵢ)) + λ Σw Σ k⁴ (aₖ² + bₖ²) with Tukey's ρ by iteratively reweighted least squares.
    /// The k⁴ penalty is a bending energy: high harmonics (node noise, contact dents) are damped, while the mean
    /// (uniform swelling) and k = 1 (a shift) are free.
    /// </summary>
    public static Func<double, double> Fit(double[] theta, double[] v, double[] w0, double smoothing, out double scatter)
    {
        int n = v.Length;
        // The bending penalty makes harmonics above ~16 negligible for any smoothing used here.
        int K = Math.Min(16, (n - 1) / 2);
        int p = 2 * K + 1;
        // Harmonics up to 2K per node: the first p columns are the basis; all of them give the weighted trigonometric
        // moments Cₘ = Σ wᵢ cos mθᵢ, Sₘ = Σ wᵢ sin mθᵢ (m ≤ 2K), from which every entry of XᵀWX follows by the
        // product-to-sum identities — n·4K products per iteration instead of n·p²/2.
        int q = 4 * K + 1;
        // Pooled: n·q doubles is over the large-object threshold for big outlines, and this runs ~10 times a frame.
        var X = System.Buffers.ArrayPool<double>.Shared.Rent(n * q);
        for (int i = 0; i < n; i++) Harmonics(theta[i], 2 * K, X.AsSpan(i * q, q));
        var w = (double[])w0.Clone();
        var coef = new double[p];
        var A = new double[p * p];
        var b = new double[p];
        var f = new double[n];
        var C = new double[2 * K + 1];
        var S = new double[2 * K + 1];
        var res = new double[n];
        scatter = double.NaN;
        // M[t] = Σ wᵢ·hₜ(θᵢ) over all q harmonics: M₀ = Σw, M₂ₘ₋₁ = Cₘ, M₂ₘ = Sₘ (one contiguous, vectorised row update per node).
        var M = new double[q];
        for (int iter = 0; iter < 4; iter++)
        {
            Array.Clear(b); Array.Clear(M);
            for (int i = 0; i < n; i++)
            {
                double wi = w[i];
                if (wi <= 0) continue;
                var h = X.AsSpan(i * q, q);
                AddScaled(b, h[..p], wi * v[i]);
                AddScaled(M, h, wi);
            }
            double sw = M[0];
            C[0] = sw;
            for (int m = 1; m <= 2 * K; m++) { C[m] = M[2 * m - 1]; S[m] = M[2 * m]; }
            // Basis r: 0 → 1, 2k−1 → cos kθ, 2k → sin kθ.
            for (int r = 0; r < p; r++)
            {
                int j = (r + 1) / 2; bool js = r > 0 && r % 2 == 0;
                for (int c = r; c < p; c++)
                {
                    int k = (c + 1) / 2; bool ks = c > 0 && c % 2 == 0;
                    int d = Math.Abs(j - k), e = j + k;
                    double val;
                    if (!js && !ks) val = 0.5 * (C[d] + C[e]);
                    else if (js && ks) val = 0.5 * (C[d] - C[e]);
                    else if (!js) val = 0.5 * (S[e] - Math.Sign(j - k) * S[d]); // cos jθ · sin kθ
                    else val = 0.5 * (S[e] - Math.Sign(k - j) * S[d]);          // sin jθ · cos kθ
                    A[r * p + c] = val;
                    A[c * p + r] = val;
                }
            }
            for (int k = 1; k <= K; k++)
            {
                double pen = smoothing * sw * Math.Pow(k, 4) + 1e-9 * sw;
                A[(2 * k - 1) * p + 2 * k - 1] += pen; A[2 * k * p + 2 * k] += pen;
            }
            A[0] += 1e-9 * sw;
            if (!SmallLinearSolve.Solve(A, b, coef, p)) break;
            int nres = 0;
            for (int i = 0; i < n; i++)
            {
                double fi = TensorPrimitives.Dot(X.AsSpan(i * q, p), coef);
                f[i] = fi;
                if (w0[i] > 0) res[nres++] = Math.Abs(v[i] - fi);
            }
            double mad = nres > 0 ? RobustStats.UpperMedian(res.AsSpan(0, nres)) * 1.4826 : 0;
            scatter = mad;
            double c4 = 4.685 * Math.Max(mad, 0.05);
            for (int i = 0; i < n; i++)
            {
                if (w0[i] <= 0) continue;
                double u = (v[i] - f[i]) / c4;
                w[i] = Math.Abs(u) >= 1 ? 0 : w0[i] * (1 - u * u) * (1 - u * u);
            }
        }
        System.Buffers.ArrayPool<double>.Shared.Return(X);
        var a = coef;
        // The series summed as the harmonics come (the same recurrence and order as Harmonics, so the same values),
        // without a buffer: a round outline's smoothing evaluates it four times a node.
        return th =>
        {
            double c1 = Math.Cos(th), s1 = Math.Sin(th), c = c1, s = s1;
            double sum = 0;
            sum += a[0];
            for (int k = 1; k <= K; k++)
            {
                sum += a[2 * k - 1] * c;
                sum += a[2 * k] * s;
                (c, s) = (c * c1 - s * s1, s * c1 + c * s1);
            }
            return sum;
        };
    }

    /// <summary>
    /// acc += x · f, element by element (each the same product then sum as TensorPrimitives.MultiplyAdd, unfused): a
    /// plain vector loop, since for rows of a few dozen values the library call's set-up cost as much as the sums.
    /// </summary>
    private static void AddScaled(Span<double> acc, ReadOnlySpan<double> x, double f)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vf = new Vector<double>(f);
            for (; j <= acc.Length - Vector<double>.Count; j += Vector<double>.Count)
                (new Vector<double>(x[j..]) * vf + new Vector<double>(acc[j..])).CopyTo(acc[j..]);
        }
        for (; j < acc.Length; j++) acc[j] = x[j] * f + acc[j];
    }

    /// <summary>(1, cos θ, sin θ, cos 2θ, sin 2θ, …, cos Kθ, sin Kθ) by the angle-addition recurrence (two trig calls, not 2K).</summary>
    private static void Harmonics(double theta, int K, Span<double> h)
    {
        h[0] = 1;
        if (K == 0) return;
        double c1 = Math.Cos(theta), s1 = Math.Sin(theta), c = c1, s = s1;
        for (int k = 1; k <= K; k++)
        {
            h[2 * k - 1] = c; h[2 * k] = s;
            (c, s) = (c * c1 - s * s1, s * c1 + c * s1);
        }
    }
}
