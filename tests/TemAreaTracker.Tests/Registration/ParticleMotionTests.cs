using OpenCvSharp;
using TemAreaTracker.Registration;
using Xunit;

namespace TemAreaTracker.Tests.Registration;

public class ParticleMotionTests
{
    [Theory]
    [InlineData(20, 20, 9)]
    [InlineData(61, 47, 16)]
    public void DirectCorrelationMatchesOpenCvCCoeffNormed(int tw, int th, int search)
    {
        using var previous = new Mat(160, 160, MatType.CV_32FC1);
        using var current = new Mat(160, 160, MatType.CV_32FC1);
        Cv2.Randu(previous, 0, 255);
        Cv2.GaussianBlur(previous, previous, new Size(0, 0), 2);
        Cv2.Randu(current, 0, 255);
        Cv2.AddWeighted(previous, 0.8, current, 0.2, 0, current);
        var box = new Rect(50, 40, tw, th);
        var window = new Rect(box.X - search / 2, box.Y - search / 2, tw + search, th + search);
        using var expected = new Mat();
        using (var t = new Mat(previous, box))
        using (var w = new Mat(current, window))
            Cv2.MatchTemplate(w, t, expected, TemplateMatchModes.CCoeffNormed);
        int sw = search + 1, sh = search + 1;
        var score = new float[sw * sh];
        ParticleMotion.NormalisedCrossCorrelation(previous, box, current, window, score, sw, sh);
        Assert.Equal(expected.Width, sw);
        Assert.Equal(expected.Height, sh);
        for (int y = 0; y < sh; y++)
            for (int x = 0; x < sw; x++)
                Assert.InRange(score[y * sw + x] - expected.At<float>(y, x), -1e-4f, 1e-4f);
    }

    [Fact]
    public void FindsASubPixelShiftOfBlurredContent()
    {
        using var a = new Mat(128, 128, MatType.CV_32FC1, Scalar.All(100));
        Cv2.Circle(a, new Point(60, 64), 15, Scalar.All(30), -1, LineTypes.AntiAlias);
        Cv2.GaussianBlur(a, a, new Size(0, 0), 2);
        using var b = new Mat();
        using var m = Mat.FromArray(new double[,] { { 1, 0, 3.4 }, { 0, 1, -2.3 } });
        Cv2.WarpAffine(a, b, m, a.Size(), InterpolationFlags.Cubic, BorderTypes.Replicate);
        var shift = ParticleMotion.Shift(a, b, new Rect(38, 42, 44, 44), new Point2d(3, -2), searchPx: 8);
        Assert.InRange(shift.X, 3.2, 3.6);
        Assert.InRange(shift.Y, -2.5, -2.1);
    }
}
