using OpenCvSharp;
using TemAreaTracker.Registration;
using Xunit;

namespace TemAreaTracker.Tests.Registration;

public class StageDriftTests
{
    /// <summary>Textured 8-bit frames whose content moves by (0.8, −0.5) px a frame.</summary>
    private static Mat[] Movie(int size, int frames)
    {
        using var texture = new Mat(size + 40, size + 40, MatType.CV_32FC1);
        Cv2.Randu(texture, 0, 255);
        Cv2.GaussianBlur(texture, texture, new Size(0, 0), 3);
        Cv2.Normalize(texture, texture, 20, 235, NormTypes.MinMax);
        var result = new Mat[frames];
        for (int k = 0; k < frames; k++)
        {
            using var m = new Mat(2, 3, MatType.CV_64FC1);
            m.Set(0, 0, 1.0); m.Set(0, 1, 0.0); m.Set(0, 2, 0.8 * k - 20);
            m.Set(1, 0, 0.0); m.Set(1, 1, 1.0); m.Set(1, 2, -0.5 * k - 20);
            using var moved = new Mat();
            Cv2.WarpAffine(texture, moved, m, new Size(size, size), InterpolationFlags.Linear);
            result[k] = new Mat();
            moved.ConvertTo(result[k], MatType.CV_8UC1);
        }
        return result;
    }

    /// <summary>
    /// 8-bit frames are shrunk without a float copy of the whole frame; the drift must be bit for bit what the same
    /// frames give in float (the general path), and right.
    /// </summary>
    [Theory]
    [InlineData(1024)]
    [InlineData(1000)] // not a multiple of the shrink factor: the float path for both
    public void EightBitFramesGiveTheFloatPathsDrift(int size)
    {
        var frames = Movie(size, 6);
        using var d8 = new StageDrift(new Frame(0, frames[0]));
        using var f0 = new Mat();
        frames[0].ConvertTo(f0, MatType.CV_32FC1);
        using var d32 = new StageDrift(new Frame(0, f0));
        var last = new Point2d(0, 0);
        for (int k = 1; k < frames.Length; k++)
        {
            using var fk = new Mat();
            frames[k].ConvertTo(fk, MatType.CV_32FC1);
            var a = d8.Estimate(new Frame(k, frames[k]));
            var b = d32.Estimate(new Frame(k, fk));
            Assert.Equal(b.X, a.X);
            Assert.Equal(b.Y, a.Y);
            // Each step is good to a few tenths of a px (particle motion refines it); the steps add up.
            Assert.InRange(a.X - last.X, 0.8 - 0.25, 0.8 + 0.25);
            Assert.InRange(a.Y - last.Y, -0.5 - 0.25, -0.5 + 0.25);
            last = a;
        }
        foreach (var f in frames) f.Dispose();
    }
}
