using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// Bilinear sub-pixel reads of one frame's intensity (pixel centres at integer coordinates), in float.
/// </summary>
internal sealed unsafe class ImageSampler : IDisposable
{
    private readonly Mat _pixels;
    private readonly float* _data;
    private readonly long _stride;

    public ImageSampler(Frame frame)
    {
        _pixels = frame.ToFloat32();
        if (!_pixels.IsContinuous()) throw new InvalidOperationException("frame pixels must be continuous");
        _data = (float*)_pixels.Data;
        _stride = _pixels.Step() / sizeof(float);
        Width = _pixels.Width;
        Height = _pixels.Height;
    }

    /// <summary>The frame as CV_32F (owned by the sampler).</summary>
    public Mat Pixels => _pixels;

    public int Width { get; }
    public int Height { get; }

    /// <summary>True when (x, y) can be interpolated (inside the pixel-centre grid).</summary>
    public bool Contains(double x, double y) => x >= 0 && y >= 0 && x <= Width - 1 && y <= Height - 1;

    /// <summary>Bilinear intensity at (x, y); the caller checks <see cref="Contains"/>.</summary>
    public float At(double x, double y)
    {
        int x0 = Math.Min((int)x, Width - 2), y0 = Math.Min((int)y, Height - 2);
        float fx = (float)(x - x0), fy = (float)(y - y0);
        float* r0 = _data + y0 * _stride + x0;
        float* r1 = r0 + _stride;
        float top = r0[0] + fx * (r0[1] - r0[0]);
        float bottom = r1[0] + fx * (r1[1] - r1[0]);
        return top + fy * (bottom - top);
    }

    /// <summary>Integer-pixel read (no bounds check).</summary>
    public float Pixel(int x, int y) => _data[y * _stride + x];

    public void Dispose() => _pixels.Dispose();
}
