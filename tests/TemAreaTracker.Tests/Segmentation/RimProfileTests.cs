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

    /// <summary>
    /// With a defocus fringe the table is 1 − T·(1 + c·w·∇²(G_w ∗ h)) blurred by the PSF: checked at scattered depths
    /// against a direct quadrature of the same formula ((G_w ∗ h)'' = G_w'' ∗ h, (G_w ∗ h)' = G_w' ∗ h), to 1e-3.
    /// </summary>
    [Theory]
    [InlineData(20.0, 30.0, 3.3, 0.18, 6.0)]
    [InlineData(1.0, 20.0, 1.0, 0.05, 9.0)]
    [InlineData(0.7, 25.0, 2.0, -0.1, 3.0)]
    public void Fringe_MatchesDirectQuadrature(double tau, double radius, double sigma, double strength, double width)
    {
        var profile = new RimProfile(tau, radius, sigma, 40, strength, width);
        static double Chord(double x, double r) => x <= 0 ? 0 : x >= r ? 2 * r : 2 * Math.Sqrt(2 * r * x - x * x);
        double Sharp(double x)
        {
            double t = Math.Exp(-tau / (2 * radius) * Chord(x, radius));
            double d1 = 0, d2 = 0, n = 0;
            for (double u = -5 * width; u <= 5 * width; u += 1.0 / 128)
            {
                double g = Math.Exp(-0.5 * u * u / (width * width)), h = Chord(x - u, radius);
                n += g; d1 += -u / (width * width) * g * h; d2 += (u * u / Math.Pow(width, 4) - 1 / (width * width)) * g * h;
            }
            double laplacian = d2 / n - d1 / n / Math.Max(radius - x, 1);
            return 1 - t * Math.Max(0, 1 + strength * width * laplacian);
        }
        for (double x = -8; x <= 12; x += 1.37)
        {
            double acc = 0, norm = 0;
            for (double u = -5 * sigma; u <= 5 * sigma; u += 1.0 / 64)
            {
                double g = Math.Exp(-0.5 * u * u / (sigma * sigma));
                acc += g * Sharp(x - u); norm += g;
            }
            Assert.Equal(acc / norm, profile[x], 1e-3);
        }
    }

    /// <summary>Underfocus (c &gt; 0) brightens the support just outside the rim, overfocus darkens it; in focus it is untouched.</summary>
    [Fact]
    public void Fringe_BandOutsideTheRim_HasTheSignOfTheDefocus()
    {
        var inFocus = new RimProfile(20, 30, 1.5, 40);
        var under = new RimProfile(20, 30, 1.5, 40, 0.2, 4);
        var over = new RimProfile(20, 30, 1.5, 40, -0.2, 4);
        double Outside(RimProfile p) => Enumerable.Range(1, 40).Select(i => p[-i * 0.25]).Min();
        double OutsideMax(RimProfile p) => Enumerable.Range(1, 40).Select(i => p[-i * 0.25]).Max();
        Assert.True(Outside(inFocus) > -1e-9);
        Assert.True(Outside(under) < -0.02, $"no bright band: {Outside(under):0.0000}");
        Assert.True(OutsideMax(over) > 0.02, $"no dark band: {OutsideMax(over):0.0000}");
        Assert.Equal(inFocus[5], new RimProfile(20, 30, 1.5, 40, 0, 6)[5], 12);
    }

    /// <summary>A model's copy keeps its fringe and gets a profile of its own parameters.</summary>
    [Fact]
    public void EdgeModel_With_KeepsTheFringeAndRebuildsTheProfile()
    {
        var m = new EdgeModel(2, 10, 30, true) { FringeStrength = 0.1, FringeWidthPx = 5 };
        var sharper = m with { BlurSigmaPx = 1 };
        Assert.Equal(0.1, sharper.FringeStrength);
        Assert.Equal(5, sharper.FringeWidthPx);
        Assert.NotEqual(m.Profile[-3], sharper.Profile[-3]);
        Assert.Equal(new RimProfile(10, 30, 1, EdgeModel.MaxInsidePx, 0.1, 5)[-3], sharper.Profile[-3], 12);
    }
}
