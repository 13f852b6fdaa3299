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
    // Buffers reused frame after frame (a fresh 4 MB buffer per 1024² frame cost page faults every frame): the frame
    // in float (non-8-bit frames), or in 16 bits and its shrunk copy (8-bit frames).
    private readonly Mat _float = new(), _wide = new(), _wideSmall = new();

    /// <summary>Correlation peak height below which a shift is not trusted.</summary>
    private const double MinResponse = 0.03;

    /// <summary>Uses <paramref name="reference"/> (usually frame 0) as the zero of drift.</summary>
    /// <remarks>Frames must then be passed to <see cref="Estimate"/> in order.</remarks>
    public StageDrift(Frame reference)
    {
        Width = reference.Width;
        Height = reference.Height;
        _factor = Math.Max(1, (int)Math.Ceiling(Math.Max(reference.Width, reference.Height) / (double)CoarseSizePx));
        _refSmall = Downsample(reference.Pixels);
        _winSmall = new Mat();
        Cv2.CreateHanningWindow(_winSmall, _refSmall.Size(), MatType.CV_32F);
        int cw = Math.Min(FineSizePx, reference.Width), ch = Math.Min(FineSizePx, reference.Height);
        _crop = new Rect((reference.Width - cw) / 2, (reference.Height - ch) / 2, cw, ch);
        _refCrop = Crop(reference.Pixels, _crop);
        _winCrop = new Mat();
        Cv2.CreateHanningWindow(_winCrop, _crop.Size, MatType.CV_32F);
    }

    /// <summary>Size of the reference frame, px (every frame must have it).</summary>
    public int Width { get; }

    /// <inheritdoc cref="Width"/>
    public int Height { get; }

    /// <summary>
    /// Drift of <paramref name="frame"/> relative to the reference in px: content at p in the reference is at
    /// p + drift in <paramref name="frame"/> (+x right, +y down).
    /// </summary>
    public Point2d Estimate(Frame frame)
    {
        var small = Downsample(frame.Pixels);
        var step = StepFrom(frame.Pixels, small);
        _refSmall.Dispose();
        _refSmall = small;
        _refCrop.Dispose();
        _refCrop = Crop(frame.Pixels, _crop);
        return _last = new Point2d(_last.X + step.X, _last.Y + step.Y);
    }

    /// <summary>Shift of this frame against the previous one, px; zero when nothing can be registered.</summary>
    private Point2d StepFrom(Mat frame, Mat small)
    {
        var coarse = Cv2.PhaseCorrelate(_refSmall, small, _winSmall, out double coarseResponse);
        if (coarseResponse < MinResponse || Math.Abs(coarse.X) > small.Width / 4.0 || Math.Abs(coarse.Y) > small.Height / 4.0)
            return new Point2d(0, 0); // nothing to register on (or a spurious peak): assume no step
        double cx = coarse.X * _factor, cy = coarse.Y * _factor;
        if (_factor == 1) return new Point2d(cx, cy);

        // Fine pass: the crop of this frame where the previous frame's crop should now be.
        int ox = (int)Math.Round(cx), oy = (int)Math.Round(cy);
        var moved = new Rect(_crop.X + ox, _crop.Y + oy, _crop.Width, _crop.Height);
        if (moved.X < 0 || moved.Y < 0 || moved.Right > frame.Width || moved.Bottom > frame.Height) return new Point2d(cx, cy);
        using var crop = Crop(frame, moved);
        var fine = Cv2.PhaseCorrelate(_refCrop, crop, _winCrop, out double response);
        if (response < MinResponse || Math.Abs(fine.X) > _factor || Math.Abs(fine.Y) > _factor) return new Point2d(cx, cy);
        return new Point2d(ox + fine.X, oy + fine.Y);
    }

    /// <summary>The frame shrunk by the coarse factor (area average, in float) and lightly smoothed.</summary>
    /// <remarks>
    /// 8-bit frames whose size the factor divides are averaged without a full-frame float copy (4 bytes a pixel, the
    /// costliest step here): scaled by f² into 16 bits, the area average is the exact integer block sum, and dividing
    /// the small image by f² gives exactly the float path's block means. Other frames go through float.
    /// </remarks>
    private Mat Downsample(Mat frame)
    {
        var small = new Mat();
        int area = _factor * _factor;
        var size = new Size(frame.Width / _factor, frame.Height / _factor);
        if (_factor > 1 && frame.Type() == MatType.CV_8UC1 && area * 255 <= ushort.MaxValue
            && frame.Width % _factor == 0 && frame.Height % _factor == 0)
        {
            frame.ConvertTo(_wide, MatType.CV_16UC1, area);
            Cv2.Resize(_wide, _wideSmall, size, 0, 0, InterpolationFlags.Area);
            _wideSmall.ConvertTo(small, MatType.CV_32FC1, 1.0 / area);
        }
        else
        {
            frame.ConvertTo(_float, MatType.CV_32FC1);
            if (_factor == 1) _float.CopyTo(small);
            else Cv2.Resize(_float, small, size, 0, 0, InterpolationFlags.Area);
        }
        // Phase correlation whitens the spectrum, so shot noise at high frequencies would outvote the structure.
        Cv2.GaussianBlur(small, small, new Size(0, 0), 1.5);
        return small;
    }

    /// <summary>A full-resolution crop in float, lightly smoothed (only the crop is converted).</summary>
    private static Mat Crop(Mat frame, Rect r)
    {
        var crop = new Mat();
        using (var view = new Mat(frame, r)) view.ConvertTo(crop, MatType.CV_32FC1);
        Cv2.GaussianBlur(crop, crop, new Size(0, 0), 1.0);
        return crop;
    }

    public void Dispose()
    {
        _refSmall.Dispose(); _refCrop.Dispose(); _winSmall.Dispose(); _winCrop.Dispose(); _float.Dispose(); _wide.Dispose(); _wideSmall.Dispose();
    }
}
