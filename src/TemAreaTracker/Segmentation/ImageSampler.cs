using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// Bilinear sub-pixel reads of one frame's intensity (pixel centres at integer coordinates), in float.
/// </summary>
/// <remarks>
/// The sampler keeps its own copy of the frame in the frame's pixel type (8-bit, 16-bit or float) and converts only
/// the four pixels each read touches: the tracker reads a few thousand points per frame, so converting the whole frame
/// to float (4 bytes a pixel, a fresh allocation every frame) cost more than the reads. 8- and 16-bit values are exact
/// in float, so reads are the same as from a converted copy. Pixel buffers are recycled between frames (a small pool).
/// </remarks>
internal sealed unsafe class ImageSampler : IDisposable
{
    private static readonly ConcurrentBag<Mat> Pool = new();
    private const int MaxPooled = 4;
    private readonly Mat _pixels;
    private readonly byte* _data;
    private readonly long _stride; // in elements
    private readonly int _depth;   // MatType.CV_8U, CV_16U or CV_32F
    private int _disposed;

    public ImageSampler(Frame frame)
    {
        var src = frame.Pixels;
        int depth = src.Depth();
        _pixels = Rent(src.Rows, src.Cols, depth is MatType.CV_8U or MatType.CV_16U or MatType.CV_32F ? src.Type() : MatType.CV_32FC1);
        if (_pixels.Type() == src.Type()) src.CopyTo(_pixels);
        else src.ConvertTo(_pixels, MatType.CV_32FC1);
        if (!_pixels.IsContinuous()) throw new InvalidOperationException("frame pixels must be continuous");
        _depth = _pixels.Depth();
        _data = (byte*)_pixels.Data;
        _stride = _pixels.Step() / _pixels.ElemSize();
        Width = _pixels.Width;
        Height = _pixels.Height;
    }

    /// <summary>The frame's pixels in its own type (8U, 16U or 32F; owned by the sampler).</summary>
    public Mat Pixels => _pixels;

    public int Width { get; }
    public int Height { get; }

    /// <summary>True when (x, y) can be interpolated (inside the pixel-centre grid).</summary>
    public bool Contains(double x, double y) => x >= 0 && y >= 0 && x <= Width - 1 && y <= Height - 1;

    /// <summary>True when (x, y) lies inside the pixel-centre grid by more than <paramref name="marginPx"/>.</summary>
    public bool ContainsWithin(double x, double y, double marginPx) =>
        x > marginPx && y > marginPx && x < Width - 1 - marginPx && y < Height - 1 - marginPx;

    /// <summary>Bilinear intensity at (x, y); the caller checks <see cref="Contains"/>.</summary>
    public float At(double x, double y) => _depth switch
    {
        MatType.CV_8U => Bilinear<byte>(x, y),
        MatType.CV_16U => Bilinear<ushort>(x, y),
        _ => Bilinear<float>(x, y),
    };

    /// <summary>
    /// Bilinear intensities along a line, as <see cref="At"/> gives them: values[j] at (x + sⱼ·ux, y + sⱼ·uy) with
    /// sⱼ = s0 + j·step, negated when <paramref name="negate"/> (a dark particle's signal); the caller checks that
    /// both ends are inside. One switch on the pixel type per line instead of per sample (profile windows are most of
    /// the tracker's reads).
    /// </summary>
    public void Line(double x, double y, double ux, double uy, double s0, double step, bool negate, Span<double> values)
    {
        switch (_depth)
        {
            case MatType.CV_8U: Line<byte>(x, y, ux, uy, s0, step, negate, values); break;
            case MatType.CV_16U: Line<ushort>(x, y, ux, uy, s0, step, negate, values); break;
            default: Line<float>(x, y, ux, uy, s0, step, negate, values); break;
        }
    }

    private void Line<T>(double x, double y, double ux, double uy, double s0, double step, bool negate, Span<double> values)
        where T : unmanaged, INumberBase<T>
    {
        for (int j = 0; j < values.Length; j++)
        {
            double s = s0 + j * step;
            double v = Bilinear<T>(x + s * ux, y + s * uy);
            values[j] = negate ? -v : v;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Bilinear<T>(double x, double y) where T : unmanaged, INumberBase<T>
    {
        int x0 = Math.Min((int)x, Width - 2), y0 = Math.Min((int)y, Height - 2);
        float fx = (float)(x - x0), fy = (float)(y - y0);
        T* r0 = (T*)_data + (y0 * _stride + x0);
        T* r1 = r0 + _stride;
        float a = float.CreateTruncating(r0[0]), b = float.CreateTruncating(r0[1]), c = float.CreateTruncating(r1[0]), d = float.CreateTruncating(r1[1]);
        float top = a + fx * (b - a);
        float bottom = c + fx * (d - c);
        return top + fy * (bottom - top);
    }

    /// <summary>Integer-pixel read (no bounds check).</summary>
    public float Pixel(int x, int y) => _depth switch
    {
        MatType.CV_8U => _data[y * _stride + x],
        MatType.CV_16U => ((ushort*)_data)[y * _stride + x],
        _ => ((float*)_data)[y * _stride + x],
    };

    private static Mat Rent(int rows, int cols, MatType type)
    {
        var spare = new List<Mat>();
        Mat? found = null;
        while (found is null && Pool.TryTake(out var m))
        {
            if (m.Rows == rows && m.Cols == cols && m.Type() == type) found = m;
            else spare.Add(m);
        }
        foreach (var m in spare) m.Dispose(); // another size or type: the movie changed, drop them
        return found ?? new Mat(rows, cols, type);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (Pool.Count < MaxPooled) Pool.Add(_pixels);
        else _pixels.Dispose();
    }
}
