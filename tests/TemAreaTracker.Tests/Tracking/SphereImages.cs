using OpenCvSharp;

namespace TemAreaTracker.Tests.Tracking;

/// <summary>
/// Minimal bright-field renderer for tracker unit tests, independent of the project's simulator: spheres of
/// given radii absorb as exp(−chord/λ), supersampled 8×, Gaussian PSF, optional Poisson noise.
/// </summary>
internal static class SphereImages
{
    public sealed record Sphere(double X, double Y, double RadiusPx, double LambdaPx = 60);

    public static Frame Render(int index, int width, int height, IReadOnlyList<Sphere> spheres, double blurSigmaPx = 1.0,
        double background = 200, double? dosePerPx = null, int seed = 1, bool inverted = false, int supersample = 8)
    {
        // Average transmission over supersampled sub-pixels (exact enough at 8x for the rim's √ profile).
        var trans = new double[width * height];
        for (int py = 0; py < height; py++)
            for (int px = 0; px < width; px++)
            {
                double acc = 0;
                for (int sy = 0; sy < supersample; sy++)
                    for (int sx = 0; sx < supersample; sx++)
                    {
                        double x = px - 0.5 + (sx + 0.5) / supersample, y = py - 0.5 + (sy + 0.5) / supersample;
                        double opt = 0;
                        foreach (var s in spheres)
                        {
                            double r2 = (x - s.X) * (x - s.X) + (y - s.Y) * (y - s.Y);
                            if (r2 < s.RadiusPx * s.RadiusPx) opt += 2 * Math.Sqrt(s.RadiusPx * s.RadiusPx - r2) / s.LambdaPx;
                        }
                        acc += Math.Exp(-opt);
                    }
                trans[py * width + px] = acc / (supersample * supersample);
            }
        var img = new Mat(height, width, MatType.CV_32FC1);
        for (int py = 0; py < height; py++)
            for (int px = 0; px < width; px++)
            {
                double t = trans[py * width + px];
                img.Set(py, px, (float)(inverted ? background * (1 - t) + 20 : background * t));
            }
        if (blurSigmaPx > 0) Cv2.GaussianBlur(img, img, new Size(0, 0), blurSigmaPx);
        if (dosePerPx is double dose)
        {
            var rng = new Random(seed);
            for (int py = 0; py < height; py++)
                for (int px = 0; px < width; px++)
                {
                    double mean = img.At<float>(py, px) / background * dose;
                    double counts = mean + Math.Sqrt(Math.Max(mean, 0)) * Gaussian(rng);
                    img.Set(py, px, (float)(counts / dose * background));
                }
        }
        var u8 = new Mat();
        img.ConvertTo(u8, MatType.CV_8UC1);
        img.Dispose();
        return new Frame(index, u8);
    }

    public static Outline Circle(string name, double x, double y, double r, int n = 40, double jitterPx = 0, int seed = 3)
    {
        var rng = new Random(seed);
        var v = new Point2d[n];
        double phase = rng.NextDouble() * 6;
        for (int i = 0; i < n; i++)
        {
            double th = 2 * Math.PI * i / n;
            double rr = r + jitterPx * Math.Sin(3 * th + phase) + 0.5 * jitterPx * (rng.NextDouble() - 0.5);
            v[i] = new Point2d(x + rr * Math.Cos(th), y + rr * Math.Sin(th));
        }
        return new Outline(name, v);
    }

    private static double Gaussian(Random r)
    {
        double u1 = 1 - r.NextDouble(), u2 = r.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
