using OpenCvSharp;
using TemAreaTracker.Registration;
using Xunit;

namespace TemAreaTracker.Tests.Registration;

public class WholeFrameDriftTests
{
    /// <summary>
    /// 8-bit block means are bit for bit what OpenCV's area resize gives of the frame in float (and of the frame scaled
    /// by f² into 16 bits then divided by f², the path they replace), for factors with exact and inexact 1/f².
    /// </summary>
    [Theory]
    [InlineData(8, 1024, 1024)]
    [InlineData(3, 96, 123)]
    [InlineData(12, 144, 60)]
    [InlineData(16, 64, 80)]
    public void BlockMeansEqualOpenCvAreaResize(int factor, int width, int height)
    {
        using var frame = new Mat(height, width, MatType.CV_8UC1);
        Cv2.Randu(frame, 0, 256);
        var size = new Size(width / factor, height / factor);
        using var small = new Mat();
        WholeFrameDrift.BlockMeans(frame, factor, (float)(1.0 / (factor * factor)), small);

        using var wide = new Mat();
        using var wideSmall = new Mat();
        using var viaWide = new Mat();
        frame.ConvertTo(wide, MatType.CV_16UC1, factor * factor);
        Cv2.Resize(wide, wideSmall, size, 0, 0, InterpolationFlags.Area);
        wideSmall.ConvertTo(viaWide, MatType.CV_32FC1, 1.0 / (factor * factor));
        Assert.Equal(0, Cv2.Norm(small, viaWide, NormTypes.INF));

        using var f32 = new Mat();
        using var viaFloat = new Mat();
        frame.ConvertTo(f32, MatType.CV_32FC1);
        Cv2.Resize(f32, viaFloat, size, 0, 0, InterpolationFlags.Area);
        Assert.Equal(0, Cv2.Norm(small, viaFloat, NormTypes.INF));
    }
}
