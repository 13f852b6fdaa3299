using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// A smooth illumination estimate b(x, y) = c0 + c1·u + c2·v + c3·u² + c4·u·v + c5·v² (u, v: position from the frame
/// centre over half its longer side), fitted by least squares to the frame averaged on a coarse grid, with
/// sigma-clipping of the cells that stand out (particles, the electrolyte body).
/// </summary>
/// <remarks>
/// Condenser illumination falls off smoothly toward the frame's corners; a quadratic follows that fall-off over the
/// whole frame and, unlike a local average, is not pulled toward a large dark body. The first fit uses the cells
/// within 2.5 σ of the frame's median grey level (σ = 1.4826 · MAD); then each round keeps the cells within 2.5 σ of
/// the fit on both sides (σ of the kept cells' residuals), or, once the particles' side is known, 2.5 σ on that side
/// and 4 σ on the other; six rounds.
/// </remarks>
internal sealed class QuadraticBackground
{
    private readonly double[] _c;
    private readonly double _cx, _cy, _scale;

    private QuadraticBackground(double[] c, double cx, double cy, double scale) { _c = c; _cx = cx; _cy = cy; _scale = scale; }

    /// <param name="f">Frame (CV_32F).</param>
    /// <param name="weight8">255 where the frame may be used.</param>
    /// <param name="darkSide">True: particles darker than the support; false: brighter; null: unknown (clip both sides alike).</param>
    public static QuadraticBackground Fit(Mat f, Mat weight8, bool? darkSide)
    {
        int w = f.Width, h = f.Height;
        int step = Math.Max(1, Math.Max(w, h) / 96);
        int gw = Math.Max(1, w / step), gh = Math.Max(1, h / step);
        using var fs = new Mat();
        using var ws = new Mat();
        using var wf = new Mat();
        weight8.ConvertTo(wf, MatType.CV_32FC1, 1 / 255.0);
        Cv2.Resize(f, fs, new Size(gw, gh), 0, 0, InterpolationFlags.Area);
        Cv2.Resize(wf, ws, new Size(gw, gh), 0, 0, InterpolationFlags.Area);
        fs.GetArray(out float[] v);
        ws.GetArray(out float[] wt);
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0, scale = Math.Max(w, h) / 2.0;
        int n = v.Length;
        var basis = new double[n * 6];
        var keep = new bool[n];
        for (int j = 0; j < gh; j++)
            for (int i = 0; i < gw; i++)
            {
                int k = j * gw + i;
                // Cell centre in frame px (area averaging over [i·sx, (i+1)·sx)).
                double x = (i + 0.5) * w / (double)gw - 0.5, y = (j + 0.5) * h / (double)gh - 0.5;
                double u = (x - cx) / scale, t = (y - cy) / scale;
                basis[k * 6] = 1; basis[k * 6 + 1] = u; basis[k * 6 + 2] = t;
                basis[k * 6 + 3] = u * u; basis[k * 6 + 4] = u * t; basis[k * 6 + 5] = t * t;
                keep[k] = wt[k] > 0.999f;
            }
        var usable = (bool[])keep.Clone();
        // Start from the cells near the frame's typical grey level: a least-squares fit through a large dark body
        // would bend toward it and the clipping would never recover.
        {
            var all = new List<double>();
            for (int k = 0; k < n; k++) if (usable[k]) all.Add(v[k]);
            if (all.Count >= 12)
            {
                all.Sort();
                double med = all[all.Count / 2];
                for (int i = 0; i < all.Count; i++) all[i] = Math.Abs(all[i] - med);
                all.Sort();
                double band = 2.5 * 1.4826 * all[all.Count / 2];
                int count = 0;
                for (int k = 0; k < n; k++) if (keep[k] = usable[k] && Math.Abs(v[k] - med) <= band) count++;
                if (count < 12) Array.Copy(usable, keep, n);
            }
        }
        var c = new double[6];
        var residual = new double[n];
        for (int round = 0; round < 6; round++)
        {
            if (!Solve(basis, v, keep, c)) break;
            var kept = new List<double>();
            for (int k = 0; k < n; k++)
            {
                double b = 0;
                for (int p = 0; p < 6; p++) b += c[p] * basis[k * 6 + p];
                residual[k] = v[k] - b;
                if (keep[k]) kept.Add(residual[k]);
            }
            if (kept.Count < 12) break;
            kept.Sort();
            double med = kept[kept.Count / 2];
            for (int i = 0; i < kept.Count; i++) kept[i] = Math.Abs(kept[i] - med);
            kept.Sort();
            double sigma = Math.Max(1.4826 * kept[kept.Count / 2], 1e-12 * (Math.Abs(med) + 1));
            // Residual r = frame − background: dark particles make it negative.
            double lo = darkSide == true ? 2.5 : darkSide == false ? 4 : 2.5;
            double hi = darkSide == true ? 4 : 2.5;
            int count = 0;
            for (int k = 0; k < n; k++)
            {
                keep[k] = usable[k] && residual[k] - med > -lo * sigma && residual[k] - med < hi * sigma;
                if (keep[k]) count++;
            }
            if (count < 12) break;
        }
        return new QuadraticBackground(c, cx, cy, scale);
    }

    private static bool Solve(double[] basis, float[] v, bool[] keep, double[] c)
    {
        Span<double> a = stackalloc double[36];
        Span<double> b = stackalloc double[6];
        a.Clear(); b.Clear();
        int used = 0;
        for (int k = 0; k < v.Length; k++)
        {
            if (!keep[k]) continue;
            used++;
            for (int p = 0; p < 6; p++)
            {
                double bp = basis[k * 6 + p];
                b[p] += bp * v[k];
                for (int q = 0; q < 6; q++) a[p * 6 + q] += bp * basis[k * 6 + q];
            }
        }
        if (used < 12) return false;
        Span<double> x = stackalloc double[6];
        if (!SmallLinearSolve.Solve(a, b, x, 6)) return false;
        x.CopyTo(c);
        return true;
    }

    /// <summary>The surface at every pixel (CV_32F, <paramref name="w"/> × <paramref name="h"/>).</summary>
    public Mat Render(int w, int h)
    {
        var px = new float[w * h];
        for (int y = 0; y < h; y++)
        {
            double t = (y - _cy) / _scale;
            for (int x = 0; x < w; x++)
            {
                double u = (x - _cx) / _scale;
                px[y * w + x] = (float)(_c[0] + _c[1] * u + _c[2] * t + _c[3] * u * u + _c[4] * u * t + _c[5] * t * t);
            }
        }
        var m = new Mat(h, w, MatType.CV_32FC1);
        m.SetArray(px);
        return m;
    }
}
