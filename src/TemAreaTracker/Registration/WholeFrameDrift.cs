using System.Numerics;
using OpenCvSharp;

namespace TemAreaTracker.Registration;

/// <summary>
/// Stage drift by normalised cross-correlation of the whole frame, shrunk to at most 128 px, against a key frame: the
/// fallback of <see cref="StageDrift"/> where the support has no texture (vacuum, liquid). The particles are then all
/// there is to register on, and they swell, so this is good to a px or two, not to a tenth (see remarks).
/// </summary>
/// <remarks>
/// <para>Against a key frame, not the previous frame, so that errors do not accumulate frame by frame; the key moves to
/// the current frame when the match with it weakens (<see cref="RekeyCorrelation"/>) or the drift since it nears the
/// edge of the search.</para>
/// <para>Correlation, not phase correlation: phase correlation whitens the spectrum, and a disc that has swelled
/// flips the sign of its spectrum against the key's between the zeros of the two discs' Bessel functions, so the peak
/// collapses within a few frames of a particle starting to swell (measured on the simulator's isolated sphere: peak
/// height 1.0 → −0.17 at the onset). Plain correlation keeps a peak, but a flat-topped one: a disc lies inside a larger
/// one equally well at any offset up to their difference in radius, so where the peak lies on that plateau depends on
/// the rest of the frame (a particle cut by the template's border pulls it). Smoothing rounds the plateau; a particle
/// that swells away from the body it presses against moves the plateau itself.</para>
/// </remarks>
internal sealed class WholeFrameDrift : IDisposable
{
    private const int SizePx = 128;

    /// <summary>
    /// Smoothing σ of the shrunk frame, px of it: shot noise, and the swollen particles' flat-topped peak rounded (on the
    /// track benchmark's movie, five discs swelling by up to 28 % in radius, worst error over 300 frames 1.8 px; shrunk
    /// to 256 px, σ 1 gave 5.8 px there and σ 2 1.9 px).
    /// </summary>
    private const double SmoothingPx = 1.0;

    /// <summary>The key's border left out of its template, as a fraction of the side: the search, ±1/8 of the frame.</summary>
    private const int SearchFraction = 8;

    /// <summary>Correlation below which the match is not trusted.</summary>
    private const double MinCorrelation = 0.3;

    /// <summary>Correlation below which the key moves to the current frame (it has changed too much since).</summary>
    private const double RekeyCorrelation = 0.8;

    private readonly int _factor, _marginX, _marginY;
    private Mat _template = new();
    private Point2d _keyDrift;
    private readonly Mat _small = new(), _score = new();
    // Reused frame after frame (a fresh 4 MB buffer per 1024² frame cost page faults every frame): the frame in float
    // (frames that are not 8-bit).
    private readonly Mat _float = new();

    /// <summary>Makes <paramref name="key"/>, whose drift is <paramref name="keyDrift"/>, the key frame.</summary>
    public WholeFrameDrift(Mat key, Point2d keyDrift)
    {
        _factor = Math.Max(1, (int)Math.Ceiling(Math.Max(key.Width, key.Height) / (double)SizePx));
        _marginX = Math.Max(2, key.Width / _factor / SearchFraction);
        _marginY = Math.Max(2, key.Height / _factor / SearchFraction);
        Rekey(key, keyDrift);
    }

    /// <summary>Makes <paramref name="frame"/>, whose drift is <paramref name="drift"/>, the key frame.</summary>
    public void Rekey(Mat frame, Point2d drift)
    {
        Downsample(frame, _small);
        _template.Dispose();
        using (var inner = new Mat(_small, new Rect(_marginX, _marginY, _small.Width - 2 * _marginX, _small.Height - 2 * _marginY)))
            _template = inner.Clone();
        _keyDrift = drift;
    }

    /// <summary>
    /// Drift of <paramref name="frame"/> in px, and whether the key should move to this frame (the match with it has
    /// weakened, or its search is running out); null when nothing can be registered.
    /// </summary>
    /// <remarks>
    /// The caller moves the key (<see cref="Rekey"/>): only where this is all there is, since a key moved on a frame
    /// it measured wrongly would carry the error on to every frame after.
    /// </remarks>
    public (Point2d Drift, bool Stale)? Measure(Mat frame)
    {
        Downsample(frame, _small);
        Cv2.MatchTemplate(_small, _template, _score, TemplateMatchModes.CCoeffNormed);
        Cv2.MinMaxLoc(_score, out _, out double best, out _, out Point at);
        // A peak on the border of the search is a peak outside it (or none): not trusted.
        if (!(best >= MinCorrelation) || at.X <= 0 || at.Y <= 0 || at.X >= _score.Width - 1 || at.Y >= _score.Height - 1) return null;
        double fx = SubPixel(_score.At<float>(at.Y, at.X - 1), best, _score.At<float>(at.Y, at.X + 1));
        double fy = SubPixel(_score.At<float>(at.Y - 1, at.X), best, _score.At<float>(at.Y + 1, at.X));
        // Block means are centred half a block in: a shift of s small px is s·factor px of the frame.
        var drift = new Point2d(_keyDrift.X + (at.X + fx - _marginX) * _factor, _keyDrift.Y + (at.Y + fy - _marginY) * _factor);
        return (drift, best < RekeyCorrelation || Math.Abs(at.X - _marginX) > _marginX / 2 || Math.Abs(at.Y - _marginY) > _marginY / 2);
    }

    /// <summary>Vertex of the parabola through three correlation values around a peak, −0.5..0.5.</summary>
    private static double SubPixel(double left, double centre, double right)
    {
        double d = left - 2 * centre + right;
        return d < 0 ? Math.Clamp(0.5 * (left - right) / d, -0.5, 0.5) : 0;
    }

    /// <summary>The frame shrunk by the factor (area average, in float) and lightly smoothed (shot noise), into <paramref name="small"/>.</summary>
    /// <remarks>
    /// 8-bit frames whose size the factor divides are averaged without a full-frame float copy (4 bytes a pixel, the
    /// costliest step here): the block sums are exact integers, and scaled by 1/f² in float they are exactly the float
    /// path's block means (and what OpenCV's area resize of the frame scaled by f² into 16 bits gave, in a third of its
    /// time). Other frames go through float.
    /// </remarks>
    private void Downsample(Mat frame, Mat small)
    {
        int area = _factor * _factor;
        var size = new Size(frame.Width / _factor, frame.Height / _factor);
        if (_factor > 1 && frame.Type() == MatType.CV_8UC1 && area * 255 <= ushort.MaxValue
            && frame.Width % _factor == 0 && frame.Height % _factor == 0)
            BlockMeans(frame, _factor, (float)(1.0 / area), small);
        else
        {
            frame.ConvertTo(_float, MatType.CV_32FC1);
            if (_factor == 1) _float.CopyTo(small);
            else Cv2.Resize(_float, small, size, 0, 0, InterpolationFlags.Area);
        }
        Cv2.GaussianBlur(small, small, new Size(0, 0), SmoothingPx);
    }

    /// <summary>
    /// Sums of the <paramref name="factor"/>² pixels of each block of an 8-bit <paramref name="frame"/>, times
    /// <paramref name="scale"/>, into a CV_32F <paramref name="small"/> (factor² · 255 must fit 16 bits).
    /// </summary>
    internal static unsafe void BlockMeans(Mat frame, int factor, float scale, Mat small)
    {
        int w = frame.Width / factor, h = frame.Height / factor, cols = w * factor;
        small.Create(h, w, MatType.CV_32FC1);
        // Each band of factor rows is summed down its columns (vectorised, in 16 bits), then across each block.
        var column = new ushort[cols];
        ref ushort c = ref column[0];
        for (int by = 0; by < h; by++)
        {
            Array.Clear(column);
            for (int r = 0; r < factor; r++)
            {
                byte* row = (byte*)frame.Ptr(by * factor + r);
                int x = 0;
                for (; x <= cols - Vector<byte>.Count; x += Vector<byte>.Count)
                {
                    Vector.Widen(Vector.Load(row + x), out Vector<ushort> lo, out Vector<ushort> hi);
                    (Vector.LoadUnsafe(ref c, (nuint)x) + lo).StoreUnsafe(ref c, (nuint)x);
                    (Vector.LoadUnsafe(ref c, (nuint)(x + Vector<ushort>.Count)) + hi).StoreUnsafe(ref c, (nuint)(x + Vector<ushort>.Count));
                }
                for (; x < cols; x++) column[x] += row[x];
            }
            float* o = (float*)small.Ptr(by);
            for (int bx = 0; bx < w; bx++)
            {
                int sum = 0;
                for (int k = bx * factor; k < (bx + 1) * factor; k++) sum += column[k];
                o[bx] = sum * scale;
            }
        }
    }

    public void Dispose()
    {
        _template.Dispose(); _small.Dispose(); _score.Dispose();
        _float.Dispose();
    }
}
