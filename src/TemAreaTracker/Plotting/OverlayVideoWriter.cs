using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using OpenCvSharp;

namespace TemAreaTracker.Plotting;

/// <summary>One particle's outline to draw on one overlay frame.</summary>
/// <param name="Outline">Outline in frame px.</param>
/// <param name="ColorIndex">Particle number (its colour).</param>
/// <param name="Label">Text above the outline.</param>
public sealed record OverlayMark(Outline Outline, int ColorIndex, string Label);

/// <summary>
/// Writes the overlay video (MJPG AVI, colour, frame size kept): each frame in grey with every outline dotted in its
/// particle's colour and named. Drawing and JPEG encoding run off the tracking thread, several frames at once, so they
/// overlap tracking; frames are written in order.
/// </summary>
/// <remarks>
/// Encoding a colour frame is the costliest step of a run (1024² px: ~5 ms of CPU with libjpeg-turbo through
/// <see cref="Cv2.ImEncode(string, InputArray, out byte[], int[])"/>, ~11–21 ms inside VideoWriter's own MJPEG encoders).
/// So frames are encoded with ImEncode on pool threads and the finished JPEGs are handed to FFmpeg's AVI muxer in raw
/// mode (VIDEOWRITER_PROP_RAW_VIDEO, OpenCV ≥ 4.10), which copies packets without re-encoding. Where raw mode is not
/// available the writer falls back to VideoWriter's own MJPEG encoding (same file, slower).
/// Memory is bounded: at most <c>queueLength</c> frames are in flight; <see cref="Add"/> blocks beyond that.
/// </remarks>
public sealed class OverlayVideoWriter : IDisposable
{
    private const int RawVideoProperty = 9; // cv::VIDEOWRITER_PROP_RAW_VIDEO (not in OpenCvSharp's enum)

    private readonly BlockingCollection<Task<(byte[]? Jpeg, Mat? Bgr)>> _ordered;
    private readonly Thread _thread;
    private readonly VideoWriter _writer;
    private readonly bool _raw;
    private readonly int _quality;
    private long _busyTicks;
    private Exception? _failure;
    private bool _completed;

    /// <summary>Opens <paramref name="path"/> for writing.</summary>
    /// <param name="path">Output .avi file.</param>
    /// <param name="widthPx">Frame width in px.</param>
    /// <param name="heightPx">Frame height in px.</param>
    /// <param name="framesPerS">Playback rate of the video.</param>
    /// <param name="queueLength">Frames that may be in flight before <see cref="Add"/> blocks.</param>
    /// <param name="jpegQuality">JPEG quality 1–100 of each frame (80 keeps the dotted outlines crisp at about half the size of 95).</param>
    /// <exception cref="IOException">OpenCV cannot open the file for MJPG writing.</exception>
    public OverlayVideoWriter(string path, int widthPx, int heightPx, double framesPerS, int queueLength = 6, int jpegQuality = 80)
    {
        Path = path;
        _quality = jpegQuality;
        var size = new Size(widthPx, heightPx);
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

    /// <summary>True when JPEGs are encoded here and muxed without re-encoding (the fast path).</summary>
    public bool IsRawMuxing => _raw;

    /// <summary>Frames written so far.</summary>
    public int FramesWritten { get; private set; }

    /// <summary>CPU-side time spent drawing and encoding, summed over threads, in s.</summary>
    public double BusyS => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks)).TotalSeconds;

    /// <summary>Queues one frame; takes ownership of <paramref name="gray8"/> (8-bit, one channel, frame size).</summary>
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
        _ordered.Add(Task.Run(() => Render(gray8, marks, caption)));
    }

    private (byte[]? Jpeg, Mat? Bgr) Render(Mat gray8, IReadOnlyList<OverlayMark> marks, string? caption)
    {
        long t0 = Stopwatch.GetTimestamp();
        using (gray8)
        {
            var bgr = new Mat();
            Cv2.CvtColor(gray8, bgr, ColorConversionCodes.GRAY2BGR);
            var labels = new List<Rect>();
            foreach (var m in marks)
                OverlayStyle.DrawDotted(bgr, m.Outline, OverlayStyle.ParticleBgr(m.ColorIndex), m.Label, placedLabels: labels);
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
