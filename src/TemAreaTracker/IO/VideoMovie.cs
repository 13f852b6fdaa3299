using System.Globalization;
using OpenCvSharp;

namespace TemAreaTracker.IO;

/// <summary>AVI/MP4/MOV/MKV (anything OpenCV's VideoCapture decodes), frames converted to 8-bit gray.</summary>
/// <remarks>
/// The frame interval comes from the container frame rate (source "container-fps"). Supplementary movies are often sped up,
/// so a caller should treat it as a guess and say so. The frame count is the container's (CAP_PROP_FRAME_COUNT) when it
/// gives one; a file that decodes fewer frames sets <see cref="Movie.StoppedEarly"/>.
/// </remarks>
internal sealed class VideoMovie : Movie
{
    private VideoMovie(MovieHeader header) : base(header)
    {
    }

    /// <summary>Opens a video file; throws <see cref="MovieFormatException"/> when no frame can be decoded.</summary>
    public static VideoMovie Open(string path)
    {
        QuietFfmpeg.Apply();
        string format = System.IO.Path.GetExtension(path).TrimStart('.').ToLowerInvariant();
        if (format.Length == 0) format = "video";
        using var cap = new VideoCapture(path);
        if (!cap.IsOpened())
            throw new MovieFormatException(path, format, "VideoCapture cannot open it (unknown container or codec, or not a video)", 0);
        using var first = new Mat();
        if (!cap.Read(first) || first.Empty())
            throw new MovieFormatException(path, format, "contains no decodable frame", 0);
        double fps = cap.Get(VideoCaptureProperties.Fps);
        double count = cap.Get(VideoCaptureProperties.FrameCount);
        int fourcc = (int)cap.Get(VideoCaptureProperties.FourCC);
        var cal = Calibration.None;
        if (fps > 0 && double.IsFinite(fps) && fps < 1e6)
            cal = cal with { FrameIntervalS = 1 / fps, FrameIntervalSource = "container-fps" };
        int? frames = count > 0 && count < int.MaxValue ? (int)count : null;
        var meta = new Dictionary<string, string>
        {
            ["fps"] = fps.ToString("0.###", CultureInfo.InvariantCulture),
            ["codec"] = FourCC(fourcc),
            ["backend"] = cap.GetBackendName(),
        };
        return new VideoMovie(new MovieHeader(path, format, first.Width, first.Height, frames, "uint8", cal) { Metadata = meta });
    }

    public override IEnumerable<Frame> ReadFrames()
    {
        StoppedEarly = null;
        using var cap = new VideoCapture(SourcePath);
        if (!cap.IsOpened())
            throw new MovieFormatException(SourcePath, Format, "VideoCapture cannot open it", 0);
        int i = 0;
        while (true)
        {
            var bgr = new Mat();
            bool ok;
            try
            {
                ok = cap.Read(bgr) && !bgr.Empty();
            }
            catch (OpenCVException)
            {
                ok = false;
            }
            if (!ok)
            {
                bgr.Dispose();
                break;
            }
            Mat gray;
            if (bgr.Channels() == 1)
            {
                gray = bgr;
            }
            else
            {
                gray = new Mat();
                Cv2.CvtColor(bgr, gray, bgr.Channels() == 4 ? ColorConversionCodes.BGRA2GRAY : ColorConversionCodes.BGR2GRAY);
                bgr.Dispose();
            }
            if (gray.Depth() != MatType.CV_8U)
            {
                var g8 = new Mat();
                gray.ConvertTo(g8, MatType.CV_8UC1, gray.Depth() == MatType.CV_16U ? 1.0 / 257 : 1);
                gray.Dispose();
                gray = g8;
            }
            yield return new Frame(i++, gray);
        }
        if (i == 0)
            throw new MovieFormatException(SourcePath, Format, "contains no decodable frame", 0);
        if (FrameCount is int n && i < n)
            StoppedEarly = $"truncated at frame {i}: the container declares {n} frames but only {i} could be decoded";
    }

    private static string FourCC(int code)
    {
        Span<char> c = stackalloc char[4];
        for (int k = 0; k < 4; k++)
        {
            char ch = (char)((code >> (8 * k)) & 0xFF);
            c[k] = char.IsAsciiLetterOrDigit(ch) || ch == ' ' ? ch : '?';
        }
        return new string(c).Trim();
    }
}

/// <summary>
/// Keeps FFmpeg's decoder chatter ("overread 8", "corrupt frame") off stderr: a damaged file is reported once, as
/// <see cref="Movie.StoppedEarly"/> or a <see cref="MovieFormatException"/>. OpenCV reads OPENCV_FFMPEG_LOGLEVEL from the
/// native environment when its FFmpeg backend starts, so it is set with setenv (Environment.SetEnvironmentVariable only
/// changes .NET's copy on Unix). A user's own setting wins.
/// </summary>
internal static class QuietFfmpeg
{
    private static int _done;

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code enabled for the whole library
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "setenv", CharSet = System.Runtime.InteropServices.CharSet.Ansi)]
    private static extern int SetEnv(string name, string value, int overwrite);
#pragma warning restore SYSLIB1054

    public static void Apply()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0 || !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return;
        try
        {
            SetEnv("OPENCV_FFMPEG_LOGLEVEL", "-8", 0); // AV_LOG_QUIET
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Only cosmetic: FFmpeg may print to stderr.
        }
    }
}
