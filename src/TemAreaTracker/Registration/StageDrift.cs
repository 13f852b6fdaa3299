using OpenCvSharp;

namespace TemAreaTracker.Registration;

/// <summary>
/// Estimates stage drift frame by frame by phase correlation against the previous frame (consecutive frames differ
/// least, however much particles swell over the movie), accumulated from frame 0: a coarse pass on a downsampled copy
/// of the whole frame (fast, tolerant of large shifts), then a sub-pixel pass on a full-resolution central crop.
/// </summary>
/// <remarks>
/// Correlation is computed in CV_32F (about 30× faster than CV_64F in OpenCV) under a Hann window, on lightly
/// smoothed images: phase correlation whitens the spectrum, and shot noise would otherwise outvote the structure.
/// </remarks>
public sealed class StageDrift : IDisposable
{
    private const int CoarseSizePx = 256;
    private const int FineSizePx = 256;
    private readonly int _factor;
    private Mat _refSmall;
    private Mat _refCrop;
    private readonly Rect _crop;
    private readonly Mat _winSmall;
    private readonly Mat _winCrop;
    private Point2d _last;
    // The frame in float, reused frame after frame (a fresh 4 MB buffer per 1024² frame cost page faults every frame).
    private readonly Mat _float = new();

    /// <summary>Correlation peak height below which a shift is not trusted.</summary>
    private const double MinResponse = 0.03;

    /// <summary>Uses <paramref name="reference"/> (usually frame 0) as the zero of drift.</summary>
    /// <remarks>Frames must then be passed to <see cref="Estimate"/> in order.</remarks>
    public StageDrift(Frame reference)
    {
        _factor = Math.Max(1, (int)Math.Ceiling(Math.Max(reference.Width, reference.Height) / (double)CoarseSizePx));
        using var f = reference.ToFloat32();
        _refSmall = Downsample(f);
        _winSmall = new Mat();
        Cv2.CreateHanningWindow(_winSmall, _refSmall.Size(), MatType.CV_32F);
        int cw = Math.Min(FineSizePx, reference.Width), ch = Math.Min(FineSizePx, reference.Height);
        _crop = new Rect((reference.Width - cw) / 2, (reference.Height - ch) / 2, cw, ch);
        _refCrop = new Mat(f, _crop).Clone();
        Cv2.GaussianBlur(_refCrop, _refCrop, new Size(0, 0), 1.0);
        _winCrop = new Mat();
        Cv2.CreateHanningWindow(_winCrop, _crop.Size, MatType.CV_32F);
    }

    /// <summary>
    /// Drift of <paramref name="frame"/> relative to the reference in px: content at p in the reference is at
    /// p + drift in <paramref name="frame"/> (+x right, +y down).
    /// </summary>
    public Point2d Estimate(Frame frame)
    {
        frame.Pixels.ConvertTo(_float, MatType.CV_32FC1);
        var f = _float;
        var small = Downsample(f);
        var step = StepFrom(f, small);
        _refSmall.Dispose();
        _refSmall = small;
        _refCrop.Dispose();
        _refCrop = new Mat(f, _crop).Clone();
        Cv2.GaussianBlur(_refCrop, _refCrop, new Size(0, 0), 1.0);
        return _last = new Point2d(_last.X + step.X, _last.Y + step.Y);
    }

    /// <summary>Shift of this frame against the previous one, px; zero when nothing can be registered.</summary>
    private Point2d StepFrom(Mat f, Mat small)
    {
        var coarse = Cv2.PhaseCorrelate(_refSmall, small, _winSmall, out double coarseResponse);
        if (coarseResponse < MinResponse || Math.Abs(coarse.X) > small.Width / 4.0 || Math.Abs(coarse.Y) > small.Height / 4.0)
            return new Point2d(0, 0); // nothing to register on (or a spurious peak): assume no step
        double cx = coarse.X * _factor, cy = coarse.Y * _factor;
        if (_factor == 1) return new Point2d(cx, cy);

        // Fine pass: the crop of this frame where the previous frame's crop should now be.
        int ox = (int)Math.Round(cx), oy = (int)Math.Round(cy);
        var moved = new Rect(_crop.X + ox, _crop.Y + oy, _crop.Width, _crop.Height);
        if (moved.X < 0 || moved.Y < 0 || moved.Right > f.Width || moved.Bottom > f.Height) return new Point2d(cx, cy);
        using var crop = new Mat(f, moved).Clone();
        Cv2.GaussianBlur(crop, crop, new Size(0, 0), 1.0);
        var fine = Cv2.PhaseCorrelate(_refCrop, crop, _winCrop, out double response);
        if (response < MinResponse || Math.Abs(fine.X) > _factor || Math.Abs(fine.Y) > _factor) return new Point2d(cx, cy);
        return new Point2d(ox + fine.X, oy + fine.Y);
    }

    private Mat Downsample(Mat f)
    {
        var small = new Mat();
        if (_factor == 1) f.CopyTo(small);
        else Cv2.Resize(f, small, new Size(f.Width / _factor, f.Height / _factor), 0, 0, InterpolationFlags.Area);
        // Phase correlation whitens the spectrum, so shot noise at high frequencies would outvote the structure.
        Cv2.GaussianBlur(small, small, new Size(0, 0), 1.5);
        return small;
    }

    public void Dispose()
    {
        _refSmall.Dispose(); _refCrop.Dispose(); _winSmall.Dispose(); _winCrop.Dispose(); _float.Dispose();
    }
}
