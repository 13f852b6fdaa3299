using OpenCvSharp;

namespace TemAreaTracker;

/// <summary>
/// One image of a movie: single-channel pixels as stored (8/16-bit unsigned, 16/32-bit signed, 32/64-bit float),
/// its index in the movie and, where the file carries one, its own time stamp.
/// </summary>
/// <remarks>The frame owns <see cref="Pixels"/>; dispose it when done (frames are streamed, never all held).</remarks>
public sealed class Frame : IDisposable
{
    /// <summary>Creates a frame that takes ownership of <paramref name="pixels"/>.</summary>
    public Frame(int index, Mat pixels, double? timeS = null)
    {
        if (pixels.Channels() != 1)
            throw new ArgumentException($"frame {index}: expected 1 channel, got {pixels.Channels()}", nameof(pixels));
        Index = index;
        Pixels = pixels;
        TimeS = timeS;
    }

    /// <summary>Zero-based position in the movie.</summary>
    public int Index { get; }

    /// <summary>Pixels, one channel, row-major, (0,0) top-left, +x right, +y down.</summary>
    public Mat Pixels { get; }

    /// <summary>Acquisition time of this frame in s from the first frame, when the file records it.</summary>
    public double? TimeS { get; }

    public int Width => Pixels.Width;
    public int Height => Pixels.Height;

    /// <summary>The pixels as CV_32F (a new Mat; the caller disposes it).</summary>
    public Mat ToFloat32()
    {
        var f = new Mat();
        Pixels.ConvertTo(f, MatType.CV_32FC1);
        return f;
    }

    public void Dispose() => Pixels.Dispose();
}
