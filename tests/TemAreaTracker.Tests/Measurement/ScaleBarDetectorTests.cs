using OpenCvSharp;
using TemAreaTracker.Measurement;
using Xunit;

namespace TemAreaTracker.Tests.Measurement;

public class ScaleBarDetectorTests
{
    /// <summary>
    /// Draws a grey, noisy, non-square frame with a few particles and, in <paramref name="corner"/>, a solid bar
    /// filling columns x0..x0+length-1 with its label above it.
    /// </summary>
    private static Mat Draw(ImageCorner corner, bool brightBar, int lengthPx, int thicknessPx, double noiseSigma, int seed, int width = 640, int height = 480)
    {
        var img = new Mat(height, width, MatType.CV_8UC1, new Scalar(brightBar ? 110 : 150));
        var rng = new Random(seed);
        // Particles (dark discs) and a gradient, as a bright-field frame has.
        for (int i = 0; i < 6; i++)
            Cv2.Circle(img, new Point(rng.Next(100, width - 100), rng.Next(100, height - 100)), rng.Next(15, 40), new Scalar(60), -1, LineTypes.AntiAlias);
        int margin = 20;
        bool bottom = corner is ImageCorner.BottomLeft or ImageCorner.BottomRight;
        bool left = corner is ImageCorner.BottomLeft or ImageCorner.TopLeft;
        int x0 = left ? margin + rng.Next(0, 10) : width - margin - lengthPx - rng.Next(0, 10);
        int y0 = bottom ? height - margin - thicknessPx : margin + 22;
        var ink = new Scalar(brightBar ? 255 : 0);
        Cv2.Rectangle(img, new Point(x0, y0), new Point(x0 + lengthPx - 1, y0 + thicknessPx - 1), ink, -1);
        Cv2.PutText(img, "100 nm", new Point(x0 + lengthPx / 2 - 30, y0 - 6), HersheyFonts.HersheySimplex, 0.5, ink, 1, LineTypes.AntiAlias);
        if (noiseSigma > 0)
        {
            using var noise = new Mat(height, width, MatType.CV_16SC1);
            Cv2.Randn(noise, new Scalar(0), new Scalar(noiseSigma));
            using var i16 = new Mat();
            img.ConvertTo(i16, MatType.CV_16SC1);
            Cv2.Add(i16, noise, i16);
            i16.ConvertTo(img, MatType.CV_8UC1); // saturates
        }
        return img;
    }

    public static TheoryData<ImageCorner, bool, int, int, double> Cases()
    {
        var data = new TheoryData<ImageCorner, bool, int, int, double>();
        int k = 0;
        foreach (ImageCorner corner in Enum.GetValues<ImageCorner>())
            foreach (bool bright in new[] { true, false })
            {
                int length = new[] { 97, 150, 213, 128 }[k % 4];
                int thick = new[] { 4, 6, 3, 8 }[(k / 2) % 4];
                data.Add(corner, bright, length, thick, k % 3 == 0 ? 0 : 18);
                k++;
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Find_MeasuresBarLength_Within1Percent(ImageCorner corner, bool bright, int lengthPx, int thicknessPx, double noise)
    {
        using var img = Draw(corner, bright, lengthPx, thicknessPx, noise, seed: lengthPx + thicknessPx);
        var bar = ScaleBarDetector.Find(img);
        Assert.NotNull(bar);
        Assert.Equal(corner, bar!.Corner);
        Assert.Equal(bright, bar.IsBright);
        Assert.InRange(bar.LengthPx, lengthPx * 0.99, lengthPx * 1.01);
    }

    [Fact]
    public void Find_NoiseFreeSharpBar_EndsOnPixelEdges()
    {
        using var img = Draw(ImageCorner.BottomRight, brightBar: true, lengthPx: 120, thicknessPx: 5, noiseSigma: 0, seed: 1);
        var bar = ScaleBarDetector.Find(img)!;
        Assert.Equal(120, bar.LengthPx, 0.02);
        Assert.Equal(bar.LeftEdgePx, Math.Round(bar.LeftEdgePx - 0.5) + 0.5, 0.02);
    }

    [Fact]
    public void Find_SixteenBitFrame_SameLengthAs8Bit()
    {
        using var img = Draw(ImageCorner.TopLeft, brightBar: false, lengthPx: 180, thicknessPx: 5, noiseSigma: 10, seed: 3);
        using var img16 = new Mat();
        img.ConvertTo(img16, MatType.CV_16UC1, 200);
        var bar = ScaleBarDetector.Find(img16);
        Assert.NotNull(bar);
        Assert.InRange(bar!.LengthPx, 180 * 0.99, 180 * 1.01);
    }

    [Fact]
    public void Find_AfterBlurAndJpeg_StillWithin1Percent()
    {
        // Supplementary movies are MJPG/H.264: bar ends are blurred and ringing; the half-level crossing stays on the edge.
        using var img = Draw(ImageCorner.BottomRight, brightBar: true, lengthPx: 143, thicknessPx: 6, noiseSigma: 8, seed: 9);
        Cv2.GaussianBlur(img, img, new Size(0, 0), 1.2);
        Cv2.ImEncode(".jpg", img, out byte[] jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 70));
        using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Grayscale);
        var bar = ScaleBarDetector.Find(decoded);
        Assert.NotNull(bar);
        Assert.InRange(bar!.LengthPx, 143 * 0.99, 143 * 1.01);
    }

    [Fact]
    public void Find_WhiteBarOnBlackLabelBox_MeasuresTheBarNotTheBox()
    {
        using var img = new Mat(480, 640, MatType.CV_8UC1, new Scalar(140));
        using (var noise = new Mat(480, 640, MatType.CV_8UC1))
        {
            Cv2.Randu(noise, new Scalar(0), new Scalar(20));
            Cv2.Add(img, noise, img);
        }
        // Microscope-style label: black box holding the text and a white bar 160 px long.
        Cv2.Rectangle(img, new Point(12, 400), new Point(230, 468), new Scalar(0), -1);
        Cv2.PutText(img, "200 nm", new Point(80, 428), HersheyFonts.HersheySimplex, 0.6, new Scalar(255), 1, LineTypes.AntiAlias);
        Cv2.Rectangle(img, new Point(40, 445), new Point(199, 452), new Scalar(255), -1);
        var bar = ScaleBarDetector.Find(img);
        Assert.NotNull(bar);
        Assert.True(bar!.IsBright);
        Assert.InRange(bar.LengthPx, 160 * 0.99, 160 * 1.01);
    }

    [Fact]
    public void Find_FrameWithoutBar_ReturnsNull()
    {
        using var img = new Mat(300, 400, MatType.CV_8UC1, new Scalar(128));
        using var noise = new Mat(300, 400, MatType.CV_8UC1);
        Cv2.Randu(noise, new Scalar(0), new Scalar(30));
        Cv2.Add(img, noise, img);
        Cv2.Circle(img, new Point(200, 150), 40, new Scalar(40), -1);
        Assert.Null(ScaleBarDetector.Find(img));
    }
}
