using TemAreaTracker.Segmentation;
using Xunit;

namespace TemAreaTracker.Tests.Segmentation;

public class RimProfileTests
{
    /// <summary>The blur (OpenCV's filter, through the DFT) equals the direct convolution with edges replicated.</summary>
    [Theory]
    [InlineData(0.1, 50.0, 0.5, 40.0)]
    [InlineData(1.0, 30.0, 1.0, 40.0)]
    [InlineData(8.0, 12.0, 2.8, 40.0)]
    [InlineData(2.5, 5.0, 1.4, 16.0)]
    [InlineData(0.7, 60.0, 0.0, 20.0)]
    public void BlurEqualsDirectConvolution(double tau, double radius, double sigmaPx, double maxInside)
    {
        var profile = new RimProfile(tau, radius, sigmaPx, maxInside);
        double sigma = Math.Max(sigmaPx, 0.05), step = RimProfile.StepPx, xMin = -5 * sigma - 1;
        Assert.Equal(xMin, profile.XMinPx);
        int n = profile.Table.Length;
        var sharp = new double[n];
        double k = tau / (2 * radius);
        for (int i = 0; i < n; i++)
        {
            double x = xMin + i * step;
            double chord = x <= 0 ? 0 : x >= radius ? 2 * radius : 2 * Math.Sqrt(2 * radius * x - x * x);
            sharp[i] = 1 - Math.Exp(-k * chord);
        }
        int half = (int)Math.Ceiling(4 * sigma / step);
        double sum = 0;
        var kernel = new double[2 * half + 1];
        for (int j = -half; j <= half; j++) sum += kernel[j + half] = Math.Exp(-0.5 * Math.Pow(j * step / sigma, 2));
        for (int i = 0; i < n; i++)
        {
            double acc = 0;
            for (int j = -half; j <= half; j++) acc += kernel[j + half] * sharp[Math.Clamp(i - j, 0, n - 1)];
            Assert.Equal(acc / sum, profile.Table[i], 1e-12);
        }
    }
}
