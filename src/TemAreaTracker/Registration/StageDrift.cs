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
/// Images are windowed when they are made (the previous frame's images are the next frame's references).
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
    private int _fineFailures, _framesSinceFine, _steps;
    private readonly bool _rewindowReference;
    // Buffers reused frame after frame (a fresh 4 MB buffer per 1024² frame cost page faults every frame): the frame
    // in float (non-8-bit frames), or in 16 bits and its shrunk copy (8-bit frames).
    private readonly Mat _float = new(), _wide = new(), _wideSmall = new();

    private static readonly Mat NoWindow = new();

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
        Cv2.Multiply(_refSmall, _winSmall, _refSmall);
        _rewindowReference = Cv2.GetOptimalDFTSize(_refSmall.Rows) == _refSmall.Rows && Cv2.GetOptimalDFTSize(_refSmall.Cols) == _refSmall.Cols;
        int cw = Math.Min(FineSizePx, reference.Width), ch = Math.Min(FineSizePx, reference.Height);
        _crop = new Rect((reference.Width - cw) / 2, (reference.Height - ch) / 2, cw, ch);
        _winCrop = new Mat();
        Cv2.CreateHanningWindow(_winCrop, _crop.Size, MatType.CV_32F);
        _refCrop = Crop(reference.Pixels, _crop, _winCrop);
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
        Cv2.Multiply(small, _winSmall, small);
        var step = StepFrom(frame.Pixels, small);
        _refSmall.Dispose();
        _refSmall = small;
        // The next fine pass needs this frame's crop; a paused one does not (except on the frame before a retry).
        if (_factor > 1 && (_fineFailures < FineFailuresToPause || _framesSinceFine + 1 >= FineRetryFrames))
        {
            _refCrop.Dispose();
            _refCrop = Crop(frame.Pixels, _crop, _winCrop);
        }
        return _last = new Point2d(_last.X + step.X, _last.Y + step.Y);
    }

    /// <summary>Shift of this frame against the previous one, px; zero when nothing can be registered.</summary>
    /// <remarks>
    /// Each phase correlation costs three 256² DFTs. A fine pass that has failed on <see cref="FineFailuresToPause"/>
    /// frames running (a crop with nothing to register on: noise, or no particle in the centre) is only retried every
    /// <see cref="FineRetryFrames"/> frames meanwhile, and the coarse result stands, as it does when it fails.
    /// </remarks>
    private Point2d StepFrom(Mat frame, Mat small)
    {
        // Images are windowed when made, and phaseCorrelate is handed none. Handed a window, phaseCorrelate windows
        // its inputs in place when their size needs no padding for the DFT (256² does), so this class used to correlate
        // the previous frame's image windowed twice from the second step on; that is kept here (_rewindowReference) so
        // that measuring drift faster does not change it. Windowing both alike is a separate change (it changes the
        // tracking results; see the speed2 notes).
        using var rewindowed = _rewindowReference && _steps > 0 ? new Mat() : null;
        if (rewindowed is not null) Cv2.Multiply(_refSmall, _winSmall, rewindowed);
        var coarse = Cv2.PhaseCorrelate(rewindowed ?? _refSmall, small, NoWindow, out double coarseResponse);
        _steps++;
        if (coarseResponse < MinResponse || Math.Abs(coarse.X) > small.Width / 4.0 || Math.Abs(coarse.Y) > small.Height / 4.0)
            return new Point2d(0, 0); // nothing to register on (or a spurious peak): assume no step
        double cx = coarse.X * _factor, cy = coarse.Y * _factor;
        if (_factor == 1) return new Point2d(cx, cy);

        // Fine pass: the crop of this frame where the previous frame's crop should now be.
        if (_fineFailures >= FineFailuresToPause && ++_framesSinceFine < FineRetryFrames) return new Point2d(cx, cy);
        _framesSinceFine = 0;
        var fine = Fine(frame, (int)Math.Round(cx), (int)Math.Round(cy));
        _fineFailures = fine is null ? _fineFailures + 1 : 0;
        return fine ?? new Point2d(cx, cy);
    }

    /// <summary>Consecutive failures after which the fine pass pauses, and frames between its retries then.</summary>
    private const int FineFailuresToPause = 4, FineRetryFrames = 8;

    /// <summary>
    /// Fine pass: the crop of this frame where the previous frame's crop should be after a step of (ox, oy) px; null
    /// when the crop leaves the frame or does not register within ±factor px of that.
    /// </summary>
    private Point2d? Fine(Mat frame, int ox, int oy)
    {
        var moved = new Rect(_crop.X + ox, _crop.Y + oy, _crop.Width, _crop.Height);
        if (moved.X < 0 || moved.Y < 0 || moved.Right > frame.Width || moved.Bottom > frame.Height) return null;
        using var crop = Crop(frame, moved, _winCrop);
        var fine = Cv2.PhaseCorrelate(_refCrop, crop, NoWindow, out double response);
        if (response < MinResponse || Math.Abs(fine.X) > _factor || Math.Abs(fine.Y) > _factor) return null;
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

    /// <summary>A full-resolution crop in float, lightly smoothed and windowed (only the crop is converted).</summary>
    private static Mat Crop(Mat frame, Rect r, Mat window)
    {
        var crop = new Mat();
        using (var view = new Mat(frame, r)) view.ConvertTo(crop, MatType.CV_32FC1);
        Cv2.GaussianBlur(crop, crop, new Size(0, 0), 1.0);
        Cv2.Multiply(crop, window, crop);
        return crop;
    }

    public void Dispose()
    {
        _refSmall.Dispose(); _refCrop.Dispose(); _winSmall.Dispose(); _winCrop.Dispose(); _float.Dispose(); _wide.Dispose(); _wideSmall.Dispose();
    }
}
