using System.Runtime.InteropServices;
using System.Security.Cryptography;
using OpenCvSharp;
using TemAreaTracker.Simulation;
using Xunit;

namespace TemAreaTracker.Tests.Simulation;

public sealed class MovieSimulatorTests
{
    /// <summary>A small, fast cluster movie (non-square so x/y swaps fail).</summary>
    private static SimulationScenario SmallCluster(int seed) =>
        Scenarios.ElectrochemicalCluster(seed, frames: 3) with { ScaleBar = true, TimeStamp = true };

    private static string Hash(SimulationScenario s)
    {
        using var sha = SHA256.Create();
        foreach (var f in MovieSimulator.Render(s))
            using (f)
            {
                f.Pixels.GetArray(out byte[] b);
                sha.TransformBlock(b, 0, b.Length, null, 0);
            }
        sha.TransformFinalBlock([], 0, 0);
        return Convert.ToHexString(sha.Hash!);
    }

    [Fact]
    public void SameSeed_SameBytes_DifferentSeed_DifferentBytes()
    {
        string first = Hash(SmallCluster(11));
        Assert.Equal(first, Hash(SmallCluster(11)));
        Assert.NotEqual(first, Hash(SmallCluster(12)));
        // Same specimen, other noise seed: still different frames.
        Assert.NotEqual(first, Hash(SmallCluster(11) with { NoiseSeed = 13 }));
    }

    private static float[] Pixels(Mat m)
    {
        var a = new float[m.Width * m.Height];
        Marshal.Copy(m.Data, a, 0, a.Length);
        return a;
    }

    /// <summary>
    /// An opaque sphere (tiny mean free path) on an ideal background: each pixel's intensity is 1 − covered fraction,
    /// so Σ(1 − I) is the projected area the renderer drew, to be compared with the truth π R².
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(25)]
    public void RenderedArea_OfAnIsolatedParticle_IsWithinHalfAPercentOfTruth(int frame)
    {
        var s = Scenarios.IsolatedSphere(seed: 1, frames: 30, width: 160, height: 120, r0Nm: 30) .Idealized() with
        {
            SiMeanFreePathNm = 1e-4, BraggStrength = 0, DriftStepPx = 0.3, DriftVelocityXPxPerFrame = 0.17,
        };
        var truth = GroundTruth.Compute(s);
        using var m = MovieSimulator.RenderIntensity(s, frame);
        double measured = Pixels(m).Sum(v => 1.0 - v);
        double want = truth.Particles[0].AreaPx[frame];
        Assert.Equal(want, measured, 0.005 * want);
        // …and the particle's centroid is where the truth (drift included) says, to 0.05 px.
        var px = Pixels(m);
        double sx = 0, sy = 0, sw = 0;
        int height = m.Height, width = m.Width;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) { double w = 1 - px[y * width + x]; sx += w * x; sy += w * y; sw += w; }
        Assert.Equal(truth.Particles[0].CentrePx[frame].X, sx / sw, 0.05);
        Assert.Equal(truth.Particles[0].CentrePx[frame].Y, sy / sw, 0.05);
    }

    [Fact]
    public void RenderedArea_On16BitFrame_ThresholdFreeSum_IsWithinHalfAPercent()
    {
        var s = Scenarios.IsolatedSphere(seed: 2, frames: 20, width: 150, height: 110, r0Nm: 36).Idealized() with
        {
            SiMeanFreePathNm = 1e-4, BraggStrength = 0, BitDepth = 16,
        };
        var truth = GroundTruth.Compute(s);
        using var f = MovieSimulator.RenderFrame(s, 15);
        Assert.Equal(MatType.CV_16UC1, f.Pixels.Type());
        f.Pixels.GetArray(out ushort[] v);
        double bg = s.BackgroundLevel * 65535;
        double measured = v.Sum(x => 1 - x / bg);
        Assert.Equal(truth.Particles[0].AreaPx[15], measured, 0.005 * truth.Particles[0].AreaPx[15]);
    }

    [Fact]
    public void DefocusFringe_BrightensOutsideTheRim_DarkensJustInside_AndIsOffByDefault()
    {
        var s = Scenarios.IsolatedSphere(seed: 4, frames: 3, width: 160, height: 120).Idealized() with { BraggStrength = 0 };
        Assert.Equal(0, s.DefocusFringeStrength); // presets (and so the sample movies) are in focus
        var t = GroundTruth.Compute(s);
        var c = t.Particles[0].CentrePx[0];
        double r = t.Particles[0].RadiusNm[0] / s.PixelSizeNm;
        const double w = 3;
        using var plain = MovieSimulator.RenderIntensity(s, 0);
        using var fringed = MovieSimulator.RenderIntensity(s with { DefocusFringeStrength = 0.5, DefocusFringeWidthPx = w }, 0);
        // Mean ratio fringed/plain on thin rings about the centre, at signed distance d outside the rim.
        double Ring(double d)
        {
            double sum = 0; int n = 0;
            for (int y = 0; y < s.Height; y++)
                for (int x = 0; x < s.Width; x++)
                {
                    double rr = Math.Sqrt((x - c.X) * (x - c.X) + (y - c.Y) * (y - c.Y));
                    if (Math.Abs(rr - (r + d)) > 0.5) continue;
                    sum += fringed.At<float>(y, x) / plain.At<float>(y, x); n++;
                }
            return sum / n;
        }
        Assert.True(Ring(w) > 1.01, $"bright fringe about w outside the rim (ratio {Ring(w):0.000})");
        Assert.True(Ring(-w) < 0.99, $"dark band about w inside it (ratio {Ring(-w):0.000})");
        Assert.Equal(1, Ring(8 * w), 1e-3); // far from every rim the specimen's flat support is untouched
    }

    [Fact]
    public void SwellingParticle_GetsLighter_AndBraggPatchesStayInsideAndFade()
    {
        var s = Scenarios.IsolatedSphere(seed: 4, frames: 40, width: 160, height: 120).Idealized();
        var t = GroundTruth.Compute(s);
        var c0 = t.Particles[0].CentrePx[0];
        using var first = MovieSimulator.RenderIntensity(s, 0);
        using var last = MovieSimulator.RenderIntensity(s, 39);
        using var firstNoBragg = MovieSimulator.RenderIntensity(s with { BraggStrength = 0 }, 0);
        using var lastNoBragg = MovieSimulator.RenderIntensity(s with { BraggStrength = 0 }, 39);
        int cx = (int)Math.Round(c0.X), cy = (int)Math.Round(c0.Y);
        Assert.True(lastNoBragg.At<float>(cy, cx) > firstNoBragg.At<float>(cy, cx) + 0.05, "lithiated centre transmits more");

        double r0Px = t.Particles[0].RadiusNm[0] / s.PixelSizeNm;
        double maxDiffOutside = 0, maxDiffInside = 0, lastDiff = 0;
        for (int y = 0; y < s.Height; y++)
            for (int x = 0; x < s.Width; x++)
            {
                double r = Math.Sqrt((x - c0.X) * (x - c0.X) + (y - c0.Y) * (y - c0.Y));
                double d = Math.Abs(first.At<float>(y, x) - firstNoBragg.At<float>(y, x));
                if (r > 0.86 * r0Px + 0.5) maxDiffOutside = Math.Max(maxDiffOutside, d);
                else maxDiffInside = Math.Max(maxDiffInside, d);
                lastDiff = Math.Max(lastDiff, Math.Abs(last.At<float>(y, x) - lastNoBragg.At<float>(y, x)));
            }
        Assert.True(maxDiffInside > 0.05, "pristine crystal shows Bragg patches");
        Assert.Equal(0, maxDiffOutside, 1e-6);
        Assert.Equal(0, lastDiff, 1e-6); // amorphised (f > 0.4) by the last frame
    }

    [Fact]
    public void Noise_HasPoissonVariance_AtTheDose()
    {
        var s = Scenarios.IsolatedSphere(seed: 5, frames: 3, width: 200, height: 160).Idealized() with
        {
            DoseElectronsPerPx = 100, BitDepth = 16, Particles = [],
        };
        using var f = MovieSimulator.RenderFrame(s, 1);
        f.Pixels.GetArray(out ushort[] v);
        double gain = s.BackgroundLevel * 65535 / 100; // grey levels per electron
        var e = v.Select(x => x / gain).ToArray();
        double mean = e.Average(), var = e.Sum(x => (x - mean) * (x - mean)) / (e.Length - 1);
        Assert.Equal(100, mean, 0.5);
        Assert.Equal(100, var, 5.0); // Poisson: variance = mean (σ of the estimate ≈ 0.8 here)
    }

    [Fact]
    public void Render_StreamsAllFrames_WithTimes_AndInvertedContrastFlipsParticles()
    {
        var s = Scenarios.IsolatedSphere(seed: 6, frames: 5, width: 120, height: 100).Idealized();
        var frames = MovieSimulator.Render(s).ToList();
        Assert.Equal(5, frames.Count);
        Assert.Equal(s.FrameIntervalS * 4, frames[4].TimeS!.Value, 1e-12);
        var c = GroundTruth.Compute(s).Particles[0].CentrePx[0];
        byte bgNormal = frames[0].Pixels.At<byte>(2, 2), centreNormal = frames[0].Pixels.At<byte>((int)c.Y, (int)c.X);
        frames.ForEach(f => f.Dispose());
        using var inv = MovieSimulator.RenderFrame(s with { Inverted = true }, 0);
        Assert.True(centreNormal < bgNormal);
        Assert.True(inv.Pixels.At<byte>((int)c.Y, (int)c.X) > inv.Pixels.At<byte>(2, 2));
    }

    [Fact]
    public void ScaleBar_IsBurntInWhereTheTruthSays()
    {
        var s = Scenarios.IsolatedSphere(seed: 7, frames: 3) with { ScaleBar = true, TimeStamp = true };
        var bar = GroundTruth.Compute(s).ScaleBar!;
        using var f = MovieSimulator.RenderFrame(s, 0);
        Assert.Equal(bar.LengthNm / s.PixelSizeNm, bar.LengthPx, 0.5);
        for (int x = bar.Rect.X; x < bar.Rect.Right; x++)
            Assert.Equal(255, f.Pixels.At<byte>(bar.Rect.Y + 1, x));
        Assert.Equal(0, f.Pixels.At<byte>(bar.Rect.Y + 1, bar.Rect.X - 2)); // black backing box around it
    }

    [Fact]
    public void SimulatedMovie_StreamsTheScenario_WithItsCalibration()
    {
        var s = Scenarios.IsolatedSphere(seed: 8, frames: 4, width: 100, height: 90);
        using var movie = new SimulatedMovie(s);
        Assert.Equal(1.5, movie.Calibration.NmPerPixel!.Value, 1e-12);
        Assert.Equal(s.FrameIntervalS, movie.Calibration.FrameIntervalS);
        Assert.Equal((100, 90, 4, "uint8"), (movie.Width, movie.Height, movie.FrameCount!.Value, movie.DataType));
        var frames = movie.ReadFrames().ToList();
        Assert.Equal([0, 1, 2, 3], frames.Select(f => f.Index));
        using var again = movie.ReadFrames().Last();
        Assert.Equal(0, Cv2.Norm(frames[3].Pixels, again.Pixels, NormTypes.INF));
        frames.ForEach(f => f.Dispose());
    }
}
