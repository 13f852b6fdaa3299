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
/// within 2.5 σ of the mode of their grey levels (σ from the width of the mode's peak); then each round keeps the cells within 2.5 σ of
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
        // Start from the cells near the support's grey level, the mode of the cells' histogram (the support is the
        // one sharp peak; particles and a body spread over a wide range and may cover more than half the frame): a
        // least-squares fit through a large dark body would bend toward it and the clipping would never recover.
        {
            var all = new List<float>();
            for (int k = 0; k < n; k++) if (usable[k]) all.Add(v[k]);
            if (all.Count >= 12)
            {
                var (mode, sigma) = ModeAndWidth(all);
                int count = 0;
                for (int k = 0; k < n; k++) if (keep[k] = usable[k] && Math.Abs(v[k] - mode) <= 2.5 * sigma) count++;
                if (count < 12) Array.Copy(usable, keep, n);
            }
        }
        var c = new double[6];
        var residual = new double[n];
        for (int round = 0; round < 6; round++)
        {
            if (!Solve(basis, v, keep, c)) break;
            var res = new List<float>();
            for (int k = 0; k < n; k++)
            {
                double b = 0;
                for (int p = 0; p < 6; p++) b += c[p] * basis[k * 6 + p];
                residual[k] = v[k] - b;
                if (usable[k]) res.Add((float)residual[k]);
            }
            if (res.Count < 12) break;
            // The support's residuals form the main peak whatever share of the frame the particles cover.
            var (med, sigma) = ModeAndWidth(res);
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

    /// <summary>
    /// The main mode of <paramref name="values"/> (histogram of 200 bins between the 1st and 99th percentiles, smoothed
    /// over 3 bins; of its peaks, the one whose basin holds the most values) and the σ of that peak from its half width
    /// at half maximum on its narrower side (HWHM / 1.1774).
    /// </summary>
    internal static (double Mode, double Sigma) ModeAndWidth(List<float> values)
    {
        values.Sort();
        double lo = values[(int)(0.01 * (values.Count - 1))], hi = values[(int)(0.99 * (values.Count - 1))];
        if (!(hi > lo)) return (lo, Math.Max(1e-12, Math.Abs(lo) * 1e-6));
        const int bins = 200;
        double width = (hi - lo) / bins;
        var hist = new double[bins];
        foreach (float x in values)
        {
            int b = (int)((x - lo) / width);
            if (b >= 0 && b < bins) hist[b]++;
        }
        var smooth = new double[bins];
        for (int b = 0; b < bins; b++)
        {
            double sum = 0, wsum = 0;
            for (int d = -9; d <= 9; d++)
            {
                int k = b + d;
                if (k < 0 || k >= bins) continue;
                double g = Math.Exp(-d * d / 18.0);
                sum += g * hist[k]; wsum += g;
            }
            smooth[b] = sum / wsum;
        }
        // Basins of the histogram's peaks, flooded from the top; a peak rising less than a quarter of its height above
        // where it meets a higher one joins it. The basin holding the most values is the support's: broad from texture
        // and illumination, it outweighs a taller, narrower peak of a uniform dark body and a low plateau of particles.
        var order = Enumerable.Range(0, bins).OrderByDescending(b => smooth[b]).ToArray();
        var root = new int[bins];
        Array.Fill(root, -1);
        var peakBin = new int[bins];
        int Find(int i) { while (root[i] != i) i = root[i] = root[root[i]]; return i; }
        foreach (int b in order)
        {
            int best = -1;
            foreach (int nb in new[] { b - 1, b + 1 })
            {
                if (nb < 0 || nb >= bins || root[nb] < 0) continue;
                int r = Find(nb);
                if (best < 0) { best = r; continue; }
                if (r == best) continue;
                // Two basins meet at this bin: the lower one joins the higher when it is not prominent.
                int hiR = smooth[peakBin[r]] >= smooth[peakBin[best]] ? r : best, loR = hiR == r ? best : r;
                if (smooth[peakBin[loR]] - smooth[b] < 0.25 * smooth[peakBin[loR]]) root[loR] = hiR;
                best = hiR;
            }
            if (best < 0) { root[b] = b; peakBin[b] = b; }
            else root[b] = best;
        }
        var mass = new double[bins];
        for (int b = 0; b < bins; b++) mass[Find(b)] += hist[b];
        int main = 0;
        for (int b = 1; b < bins; b++) if (mass[b] > mass[main]) main = b;
        int m = peakBin[main];
        double halfMax = smooth[m] / 2;
        int left = m, right = m;
        while (left > 0 && smooth[left] > halfMax) left--;
        while (right < bins - 1 && smooth[right] > halfMax) right++;
        double hwhm = Math.Max(1, Math.Min(m - left, right - m)) * width;
        return (lo + (m + 0.5) * width, hwhm / 1.1774);
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
