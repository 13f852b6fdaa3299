using OpenCvSharp;
using TemAreaTracker.Registration;
using TemAreaTracker.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace TemAreaTracker.Tests.Registration;

public class StageDriftTests(ITestOutputHelper output)
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
    /// 8-bit frames are measured without a float copy of the whole frame; the drift must be bit for bit what the same
    /// frames give in float (the general path), and right.
    /// </summary>
    [Theory]
    [InlineData(1024)]
    [InlineData(1000)] // not a multiple of the shrink factor: the float path for both
    public void EightBitFramesGiveTheFloatPathsDrift(int size)
    {
        var frames = Movie(size, 6);
        using var d8 = new StageDrift(new Frame(0, frames[0]), []);
        using var f0 = new Mat();
        frames[0].ConvertTo(f0, MatType.CV_32FC1);
        using var d32 = new StageDrift(new Frame(0, f0), []);
        for (int k = 1; k < frames.Length; k++)
        {
            using var fk = new Mat();
            frames[k].ConvertTo(fk, MatType.CV_32FC1);
            var a = d8.Estimate(new Frame(k, frames[k]));
            var b = d32.Estimate(new Frame(k, fk));
            Assert.Equal(b, a);
            Assert.Equal(DriftMethod.Support, a.Method);
            // Noise-free texture: every patch agrees to a few hundredths of a px, and nothing accumulates.
            Assert.InRange(a.Px.X, 0.8 * k - 0.1, 0.8 * k + 0.1);
            Assert.InRange(a.Px.Y, -0.5 * k - 0.1, -0.5 * k + 0.1);
        }
        foreach (var f in frames) f.Dispose();
    }

    /// <summary>
    /// Drift of a simulated movie against <see cref="GroundTruth.DriftPx"/>, with the hand outlines drawn on frame 0:
    /// the largest and the last |estimated − true| over the movie, px, and how many frames each method measured.
    /// </summary>
    private (double Max, double Final, Dictionary<DriftMethod, int> Methods) Recover(SimulationScenario s)
    {
        var truth = GroundTruth.Compute(s);
        var outlines = HandOutlines.Draw(truth);
        StageDrift? drift = null;
        double max = 0, final = 0;
        var methods = new Dictionary<DriftMethod, int>();
        foreach (var f in MovieSimulator.Render(s, truth))
            using (f)
            {
                if (drift is null) { drift = new StageDrift(f, outlines); continue; }
                var e = drift.Estimate(f);
                var t = truth.DriftPx[f.Index];
                final = Math.Sqrt((e.Px.X - t.X) * (e.Px.X - t.X) + (e.Px.Y - t.Y) * (e.Px.Y - t.Y));
                max = Math.Max(max, final);
                methods[e.Method] = methods.GetValueOrDefault(e.Method) + 1;
            }
        drift?.Dispose();
        output.WriteLine($"{s.Name} {s.Width}x{s.Height}, {s.Frames} frames, dose {s.DoseElectronsPerPx}, step σ {s.DriftStepPx} px: " +
                         $"max {max:0.00} px, final {final:0.00} px; {string.Join(", ", methods.Select(m => $"{m.Key} {m.Value}"))}");
        return (max, final, methods);
    }

    private static SimulationScenario Scene(string name, int seed, int frames) => name switch
    {
        "isolated" => Scenarios.IsolatedSphere(seed, frames: frames, width: 200, height: 160),
        "cluster" => Scenarios.ElectrochemicalCluster(seed, frames: frames, width: 256, height: 224),
        _ => Scenarios.ChemicalElectrochemicalPair(seed, frames: frames, width: 224, height: 288).Electrochemical,
    };

    /// <summary>
    /// Seeds and knobs the presets were not tuned for: a cluster and a pair swelling away from the electrolyte (which
    /// biased frame-to-frame whole-frame correlation by tens of px), contrast inverted, 16-bit, strong flicker with a
    /// burnt-in scale bar and time stamp, dose 300. Limits: the issue's 0.5 px where met; dose 300 SHORTFALL (shot
    /// noise scatters each 32 px patch by ~0.5 px there, and the 200x160 isolated frame has room for only ~5 patches).
    /// </summary>
    [Theory]
    [InlineData("cluster", 7, 1000, 0.2, true, false, 0.5, 0.5)]   // measured 2026-12-01: see the test output
    [InlineData("pair", 8, 1000, 0.2, false, true, 0.5, 0.5)]
    [InlineData("isolated", 6, 1000, 0.2, false, false, 0.8, 0.5)] // SHORTFALL max: ~5 patches fit beside the swollen sphere
    [InlineData("cluster", 9, 300, 1.5, false, false, 1.2, 1.0)]   // SHORTFALL: dose 300
    [InlineData("pair", 10, 300, 0.2, true, true, 1.2, 1.0)]       // SHORTFALL: dose 300, 16-bit, inverted, flicker
    public void Drift_FollowsGroundTruth_OnSimulatedMovies(string scene, int seed, double dose, double stepPx, bool inverted,
        bool flickerAndOverlays, double maxErrorPx, double finalErrorPx)
    {
        var s = Scene(scene, seed, 80) with
        {
            DoseElectronsPerPx = dose, DriftStepPx = stepPx, DriftVelocityXPxPerFrame = 0.05, DriftVelocityYPxPerFrame = -0.03,
            Inverted = inverted, BitDepth = inverted && flickerAndOverlays ? 16 : 8,
            FlickerFraction = flickerAndOverlays ? 0.15 : 0.02, ScaleBar = flickerAndOverlays, TimeStamp = flickerAndOverlays,
        };
        var (max, final, methods) = Recover(s);
        Assert.True(max <= maxErrorPx, $"worst frame {max:0.00} px > {maxErrorPx} px");
        Assert.True(final <= finalErrorPx, $"last frame {final:0.00} px > {finalErrorPx} px");
        Assert.True(methods.GetValueOrDefault(DriftMethod.Support) >= 0.75 * (s.Frames - 1), "most frames measured on the support");
    }

    /// <summary>A slow steady drift over a long movie: measured against the key, the error must not grow with time.</summary>
    [Fact]
    public void SlowDrift_OverALongMovie_DoesNotAccumulate()
    {
        var s = Scene("cluster", 11, 200) with { DriftStepPx = 0, DriftVelocityXPxPerFrame = 0.05, DriftVelocityYPxPerFrame = -0.03 };
        var (max, final, _) = Recover(s);
        Assert.True(max <= 0.5, $"worst frame {max:0.00} px > 0.5 px");
        Assert.True(final <= 0.3, $"last frame {final:0.00} px > 0.3 px");
    }

    /// <summary>Steps of several px a frame, some beyond the patches' ±8 px search: the whole frame says where to look.</summary>
    [Fact]
    public void StageJumps_BeyondThePatchSearch_AreFollowed()
    {
        var s = Scene("pair", 12, 40) with { DriftStepPx = 4 };
        var truth = GroundTruth.Compute(s);
        double largest = Enumerable.Range(1, s.Frames - 1).Max(k => Math.Max(Math.Abs(truth.DriftPx[k].X - truth.DriftPx[k - 1].X), Math.Abs(truth.DriftPx[k].Y - truth.DriftPx[k - 1].Y)));
        Assert.True(largest > 8, $"the movie must step beyond the search (largest step {largest:0.0} px)");
        var (max, _, _) = Recover(s);
        Assert.True(max <= 0.5, $"worst frame {max:0.00} px > 0.5 px");
    }

    /// <summary>
    /// No support texture (a particle in vacuum): the whole-frame correlation stands in, says so, and stays within a
    /// px or so (the sphere swells evenly about its centre).
    /// </summary>
    [Fact]
    public void WithoutSupportTexture_FallsBackToTheWholeFrame()
    {
        var s = Scene("isolated", 13, 60) with { CarbonTextureStrength = 0 };
        var (max, _, methods) = Recover(s);
        Assert.True(methods.GetValueOrDefault(DriftMethod.WholeFrame) >= 0.9 * (s.Frames - 1), "whole-frame correlation, reported as such");
        Assert.True(max <= 1.5, $"worst frame {max:0.00} px > 1.5 px");
    }
}
