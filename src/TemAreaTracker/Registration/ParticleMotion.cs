using System.Numerics.Tensors;
using OpenCvSharp;

namespace TemAreaTracker.Registration;

/// <summary>
/// Where a particle went between two consecutive frames: its neighbourhood in the previous frame matched (normalised
/// cross-correlation) within a small window of the current one, to sub-pixel by a parabola through the peak.
/// </summary>
/// <remarks>
/// Stage drift is the same everywhere, but a particle can also move (a swelling cluster pushes its members apart), and
/// a frame with little texture registers poorly as a whole. Matching each particle's own patch gives the tracker a
/// prior within a fraction of a pixel either way; the edge fit then does the rest.
/// </remarks>
internal static class ParticleMotion
{
    /// <summary>Correlation below which the match is not trusted.</summary>
    private const double MinCorrelation = 0.5;

    /// <summary>
    /// Shift in px of the content inside <paramref name="box"/> from <paramref name="previous"/> to
    /// <paramref name="current"/>, searched within ±<paramref name="searchPx"/> of <paramref name="predicted"/>;
    /// <paramref name="predicted"/> itself when the match is not trusted.
    /// </summary>
    public static Point2d Shift(Mat previous, Mat current, Rect box, Point2d predicted, int searchPx)
    {
        var frame = new Rect(0, 0, previous.Width, previous.Height);
        box &= frame;
        if (box.Width < 8 || box.Height < 8) return predicted;
        int px = (int)Math.Round(predicted.X), py = (int)Math.Round(predicted.Y);
        var window = new Rect(box.X + px - searchPx, box.Y + py - searchPx, box.Width + 2 * searchPx, box.Height + 2 * searchPx) & frame;
        if (window.Width <= box.Width + 2 || window.Height <= box.Height + 2) return predicted;
        int sw = window.Width - box.Width + 1, sh = window.Height - box.Height + 1;
        // Patches in float (frames may be 8- or 16-bit; only these two small regions are converted).
        using var templateView = new Mat(previous, box);
        using var windowView = new Mat(current, window);
        using var t32 = new Mat();
        using var w32 = new Mat();
        templateView.ConvertTo(t32, MatType.CV_32FC1);
        windowView.ConvertTo(w32, MatType.CV_32FC1);
        using var ncc = new Correlator(t32, w32);
        var score = new float[sw * sh];
        Array.Fill(score, float.NaN);
        float At(int x, int y)
        {
            ref float v = ref score[y * sw + x];
            if (float.IsNaN(v)) v = ncc.Score(x, y);
            return v;
        }
        // The correlation peak of a particle's patch is several px wide: climb from a coarse grid over the window
        // (every 4 px, plus the predicted position) instead of scoring every offset; a few dozen scores instead of
        // (2·searchPx + 1)².
        int bx = sw / 2, by = sh / 2;
        float bv = At(bx, by);
        for (int y = 0; y < sh; y += 4)
            for (int x = 0; x < sw; x += 4)
                if (At(x, y) > bv) { bv = At(x, y); bx = x; by = y; }
        while (true)
        {
            int nx = bx, ny = by;
            for (int y = Math.Max(by - 1, 0); y <= Math.Min(by + 1, sh - 1); y++)
                for (int x = Math.Max(bx - 1, 0); x <= Math.Min(bx + 1, sw - 1); x++)
                    if (At(x, y) > bv) { bv = At(x, y); nx = x; ny = y; }
            if (nx == bx && ny == by) break;
            bx = nx; by = ny;
        }
        if (!(bv >= MinCorrelation)) return predicted;
        double dx = SubPixel(score, sw, sh, bx, by, horizontal: true), dy = SubPixel(score, sw, sh, bx, by, horizontal: false);
        return new Point2d(window.X + bx + dx - box.X, window.Y + by + dy - box.Y);
    }

    /// <summary>
    /// Zero-mean normalised cross-correlation (OpenCV's TM_CCOEFF_NORMED) of the template <paramref name="box"/> of
    /// <paramref name="previous"/> at every offset inside <paramref name="window"/> of <paramref name="current"/>
    /// (CV_32F images), computed directly; score is (window − box + 1) wide, row-major.
    /// </summary>
    internal static void NormalisedCrossCorrelation(Mat previous, Rect box, Mat current, Rect window, float[] score, int sw, int sh)
    {
        using var t = new Mat(previous, box);
        using var w = new Mat(current, window);
        using var ncc = new Correlator(t, w);
        for (int y = 0; y < sh; y++)
            for (int x = 0; x < sw; x++)
                score[y * sw + x] = ncc.Score(x, y);
    }

    /// <summary>
    /// Direct TM_CCOEFF_NORMED of a float template against offsets in a float window: the zero-mean template packed
    /// once, window sums from integral images (OpenCV's, in double: exact for 8- and 16-bit data), and one vectorised
    /// dot product per row and offset. Buffers are native (OpenCV), not fresh managed arrays every frame.
    /// </summary>
    /// <remarks>
    /// Only a few offsets are needed, so this costs a fraction of OpenCV's DFT route (which scores every offset; about
    /// 3 ms of CPU for a 60 px template there).
    /// </remarks>
    private sealed unsafe class Correlator : IDisposable
    {
        private readonly Mat _t = new();
        private readonly float* _tData;
        private readonly double _tt;
        private readonly int _tw, _th, _n;
        private readonly byte* _wData;
        private readonly long _wStep; // bytes
        private readonly Mat _sum = new(), _sq = new();
        private readonly double* _sumData, _sqData;
        private readonly long _iStride; // elements

        public Correlator(Mat template, Mat window)
        {
            if (template.Type() != MatType.CV_32FC1 || window.Type() != MatType.CV_32FC1)
                throw new ArgumentException("images must be CV_32FC1");
            _tw = template.Width; _th = template.Height; _n = _tw * _th;
            // Zero-mean template, packed (Σ T'·I = Σ T'·I' since Σ T' = 0).
            float tMean = (float)Cv2.Mean(template).Val0;
            Cv2.Subtract(template, new Scalar(tMean), _t);
            if (!_t.IsContinuous()) throw new InvalidOperationException("template must be continuous");
            _tData = (float*)_t.Data;
            _tt = Cv2.Norm(_t, NormTypes.L2SQR);
            _wData = (byte*)window.Data; // the view stays alive while the correlator is used
            _wStep = window.Step();
            Cv2.Integral(window, _sum, _sq, MatType.CV_64F);
            _sumData = (double*)_sum.Data;
            _sqData = (double*)_sq.Data;
            _iStride = _sum.Step() / sizeof(double);
            if (_sq.Step() / sizeof(double) != _iStride) throw new InvalidOperationException("integral images differ in layout");
        }

        /// <summary>Correlation with the template's top-left at (ox, oy) of the window; 0 where either is flat.</summary>
        public float Score(int ox, int oy)
        {
            double cross = 0;
            for (int y = 0; y < _th; y++)
                cross += TensorPrimitives.Dot(new ReadOnlySpan<float>(_tData + y * _tw, _tw), new ReadOnlySpan<float>((float*)(_wData + (oy + y) * _wStep) + ox, _tw));
            long a = oy * _iStride + ox, b = a + _tw, c = (oy + _th) * _iStride + ox, d = c + _tw;
            double si = _sumData[d] - _sumData[b] - _sumData[c] + _sumData[a], sii = _sqData[d] - _sqData[b] - _sqData[c] + _sqData[a];
            double var = sii - si * si / _n;
            double denom = Math.Sqrt(Math.Max(var, 0) * _tt);
            return denom > 1e-12 * (Math.Abs(sii) + 1) ? (float)Math.Clamp(cross / denom, -1, 1) : 0f;
        }

        public void Dispose()
        {
            _t.Dispose();
            _sum.Dispose();
            _sq.Dispose();
        }
    }

    private static double SubPixel(float[] score, int sw, int sh, int ax, int ay, bool horizontal)
    {
        int n = horizontal ? sw : sh;
        int i = horizontal ? ax : ay;
        if (i <= 0 || i >= n - 1) return 0;
        float Get(int k) => horizontal ? score[ay * sw + k] : score[k * sw + ax];
        double a = Get(i - 1), b = Get(i), c = Get(i + 1);
        double d = a - 2 * b + c;
        return d < 0 ? Math.Clamp(0.5 * (a - c) / d, -0.5, 0.5) : 0;
    }
}
