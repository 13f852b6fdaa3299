using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using OpenCvSharp;

namespace TemAreaTracker.Plotting;

/// <summary>One particle's outline to draw on one overlay frame.</summary>
/// <param name="Outline">Outline in frame px.</param>
/// <param name="ColorIndex">Particle number (its colour).</param>
/// <param name="Label">Text above the outline.</param>
internal sealed record OverlayMark(Outline Outline, int ColorIndex, string Label);

/// <summary>
/// Writes the overlay video (MJPG AVI, colour): each frame in grey with every outline dotted in its particle's colour
/// and named, scaled down when its long side exceeds <c>maxSidePx</c> (a quality-control video; the measurements are
/// in areas.csv and outlines.zip). Drawing and JPEG encoding run off the tracking thread, several frames at once, so
/// they overlap tracking; frames are written in order.
/// </summary>
/// <remarks>
/// Encoding a colour frame is the costliest step of a run (1024² px: ~2.5-5 ms of CPU with libjpeg-turbo through
/// <see cref="Cv2.ImEncode(string, InputArray, out byte[], int[])"/>, ~11–21 ms inside VideoWriter's own MJPEG encoders).
/// So frames are encoded with ImEncode on pool threads and the finished JPEGs are handed to FFmpeg's AVI muxer in raw
/// mode (VIDEOWRITER_PROP_RAW_VIDEO, OpenCV ≥ 4.10), which copies packets without re-encoding. Where raw mode is not
/// available the writer falls back to VideoWriter's own MJPEG encoding (same file, slower).
/// Memory is bounded: at most <c>queueLength</c> frames are in flight; <see cref="Add"/> blocks beyond that.
/// A frame is shrunk (area interpolation) before it is coloured and encoded, so a 1024² movie costs a quarter of that
/// at the default 512 px; outlines are drawn at their sub-pixel positions at the video's scale.
/// </remarks>
internal sealed class OverlayVideoWriter : IDisposable
{
    private const int RawVideoProperty = 9; // cv::VIDEOWRITER_PROP_RAW_VIDEO (not in OpenCvSharp's enum)

    /// <summary>Default cap on the video's long side, px: frames larger than this are scaled down to it.</summary>
    public const int DefaultMaxSidePx = 512;

    private readonly BlockingCollection<Task<(byte[]? Jpeg, Mat? Bgr)>> _ordered;
    private readonly Thread _thread;
    private readonly VideoWriter _writer;
    private readonly bool _raw;
    private readonly int _quality;
    private readonly Size _frameSize;
    private long _busyTicks;
    private long _packetBytes;
    private Exception? _failure;
    private bool _completed;

    /// <summary>Opens <paramref name="path"/> for writing.</summary>
    /// <param name="path">Output .avi file.</param>
    /// <param name="widthPx">Frame width in px (of the frames given to <see cref="Add"/>).</param>
    /// <param name="heightPx">Frame height in px.</param>
    /// <param name="framesPerS">Playback rate of the video.</param>
    /// <param name="queueLength">Frames that may be in flight before <see cref="Add"/> blocks.</param>
    /// <param name="jpegQuality">JPEG quality 1–100 of each frame (80 keeps the dotted outlines crisp at about half the size of 95).</param>
    /// <param name="maxSidePx">Longest side of the video, px: larger frames are scaled down (aspect kept), smaller ones kept.</param>
    /// <exception cref="IOException">OpenCV cannot open the file for MJPG writing.</exception>
    public OverlayVideoWriter(string path, int widthPx, int heightPx, double framesPerS, int queueLength = 6, int jpegQuality = 80,
        int maxSidePx = DefaultMaxSidePx)
    {
        Path = path;
        _quality = jpegQuality;
        _frameSize = new Size(widthPx, heightPx);
        Scale = Math.Min(1.0, maxSidePx / (double)Math.Max(widthPx, heightPx));
        var size = Scale < 1
            ? new Size(Math.Max(1, (int)Math.Round(widthPx * Scale)), Math.Max(1, (int)Math.Round(heightPx * Scale)))
            : _frameSize;
        VideoSize = size;
        _writer = TryOpenRaw(path, size, framesPerS);
        _raw = _writer.IsOpened();
        if (!_raw)
        {
            _writer.Dispose();
            _writer = new VideoWriter();
            if (!_writer.Open(path, FourCC.MJPG, framesPerS, size, isColor: true))
            {
                _writer.Dispose();
                throw new IOException($"{path}: cannot open an MJPG AVI for writing");
            }
            _writer.Set(VideoWriterProperties.Quality, jpegQuality);
        }
        _ordered = new BlockingCollection<Task<(byte[]?, Mat?)>>(Math.Max(1, queueLength));
        _thread = new Thread(Consume) { IsBackground = true, Name = "overlay-writer" };
        _thread.Start();
    }

    private static VideoWriter TryOpenRaw(string path, Size size, double fps)
    {
        try
        {
            return new VideoWriter(path, VideoCaptureAPIs.FFMPEG, FourCC.MJPG, fps, size, [RawVideoProperty, 1]);
        }
        catch (OpenCVException)
        {
            return new VideoWriter();
        }
    }

    /// <summary>The video file.</summary>
    public string Path { get; }

    /// <summary>Video px per frame px (1 when the frames fit within the cap).</summary>
    public double Scale { get; }

    /// <summary>Size of the video's frames.</summary>
    public Size VideoSize { get; }

    /// <summary>True when JPEGs are encoded here and muxed without re-encoding (the fast path).</summary>
    public bool IsRawMuxing => _raw;

    /// <summary>Frames written so far.</summary>
    public int FramesWritten { get; private set; }

    /// <summary>CPU-side time spent drawing and encoding, summed over threads, in s.</summary>
    public double BusyS => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks)).TotalSeconds;

    /// <summary>Queues one frame; takes ownership of <paramref name="gray8"/> (8-bit, one channel, frame size).</summary>
    /// <exception cref="ArgumentException"><paramref name="gray8"/> is not of the frame size given to the constructor.</exception>
    /// <param name="gray8">Display pixels.</param>
    /// <param name="marks">Outlines to draw.</param>
    /// <param name="caption">Text for the bottom-left corner (e.g. "frame 12  t = 6 s"), or null.</param>
    public void Add(Mat gray8, IReadOnlyList<OverlayMark> marks, string? caption = null)
    {
        if (_failure is not null || _completed)
        {
            gray8.Dispose();
            Complete();
            throw new InvalidOperationException($"{Path}: writer already completed");
        }
        if (gray8.Size() != _frameSize)
        {
            var got = gray8.Size();
            gray8.Dispose();
            throw new ArgumentException($"{Path}: frame is {got.Width}x{got.Height} px, expected {_frameSize.Width}x{_frameSize.Height}", nameof(gray8));
        }
        _ordered.Add(Task.Run(() => Render(gray8, marks, caption)));
    }

    private (byte[]? Jpeg, Mat? Bgr) Render(Mat gray8, IReadOnlyList<OverlayMark> marks, string? caption)
    {
        long t0 = Stopwatch.GetTimestamp();
        using (gray8)
        {
            var bgr = new Mat();
            if (Scale < 1)
            {
                using var small = new Mat();
                Cv2.Resize(gray8, small, VideoSize, 0, 0, InterpolationFlags.Area);
                Cv2.CvtColor(small, bgr, ColorConversionCodes.GRAY2BGR);
            }
            else Cv2.CvtColor(gray8, bgr, ColorConversionCodes.GRAY2BGR);
            OverlayStyle.DrawMarks(bgr, marks, Scale);
            if (caption is not null) OverlayStyle.DrawCaption(bgr, caption);
            if (!_raw)
            {
                Interlocked.Add(ref _busyTicks, Stopwatch.GetElapsedTime(t0).Ticks);
                return (null, bgr);
            }
            using (bgr)
            {
                Cv2.ImEncode(".jpg", bgr, out byte[] jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, _quality));
                Interlocked.Add(ref _busyTicks, Stopwatch.GetElapsedTime(t0).Ticks);
                return (jpeg, null);
            }
        }
    }

    /// <summary>Waits until every queued frame is written and closes the file; rethrows a failure of the writer.</summary>
    public void Complete()
    {
        Finish();
        if (_failure is not null) throw new IOException($"{Path}: writing the overlay video failed: {_failure.Message}", _failure);
        // OpenCV's AVI muxer ignores failed writes (a full disk): a file shorter than the JPEGs muxed into it is one.
        if (_raw && new FileInfo(Path).Length < _packetBytes) throw new IOException($"{Path}: the overlay video was cut short while writing it");
    }

    private void Finish()
    {
        if (_completed) return;
        _completed = true;
        _ordered.CompleteAdding();
        _thread.Join();
        _writer.Release();
    }

    private void Consume()
    {
        foreach (var task in _ordered.GetConsumingEnumerable())
        {
            (byte[]? Jpeg, Mat? Bgr) frame;
            try { frame = task.GetAwaiter().GetResult(); }
            catch (Exception e) { _failure ??= e; continue; }
            using var _ = frame.Bgr;
            if (_failure is not null) continue; // drain so the producer never blocks forever
            try
            {
                if (frame.Jpeg is byte[] jpeg)
                {
                    // Raw mode takes one encoded packet as a single-row 8-bit Mat.
                    using var packet = new Mat(1, jpeg.Length, MatType.CV_8UC1);
                    Marshal.Copy(jpeg, 0, packet.Data, jpeg.Length);
                    long t0 = Stopwatch.GetTimestamp();
                    _writer.Write(packet);
                    _packetBytes += jpeg.Length;
                    Interlocked.Add(ref _busyTicks, Stopwatch.GetElapsedTime(t0).Ticks);
                }
                else
                {
                    long t0 = Stopwatch.GetTimestamp();
                    _writer.Write(frame.Bgr!);
                    Interlocked.Add(ref _busyTicks, Stopwatch.GetElapsedTime(t0).Ticks);
                }
                FramesWritten++;
            }
            catch (Exception e) { _failure ??= e; }
        }
    }

    public void Dispose()
    {
        Finish();
        _writer.Dispose();
        _ordered.Dispose();
    }
}
