using System.Diagnostics;
using TemAreaTracker.Fitting;
using TemAreaTracker.Physics;

namespace TemAreaTracker.Bench;

/// <summary>Issue 4 speed target: one particle's fit with the profile interval and 1000 bootstrap resamples under 1 s.</summary>
internal static class FitBenchmark
{
    public static void Run()
    {
        // 120 frames, D = 5e-12 cm²/s (500 nm²/s), L = 100 nm, 2 % noise: the paper's regime.
        var rng = new Random(3);
        double d = 500, l = 100, t0 = 4;
        double dt = 0.25 * l * l / d / 120 * 4;
        var k = new LithiationKinetics(d, l, t0, 0.9);
        var t = Enumerable.Range(0, 120).Select(i => i * dt).ToArray();
        var a = t.Select(x => Math.PI * l * l * SiliconSwelling.AreaRatio(k.Fraction(x)) * (1 + 0.02 * Gauss(rng))).ToArray();
        var series = new AreaSeries("bench", t, a);

        var configs = new (string Name, FitOptions Options)[]
        {
            ("fit only", new FitOptions { BootstrapResamples = 0, ProfileInterval = false }),
            ("fit + profile", new FitOptions { BootstrapResamples = 0 }),
            ("fit + profile + 1000 bootstrap", new FitOptions { BootstrapResamples = 1000 }),
            ("  same, single thread", new FitOptions { BootstrapResamples = 1000, Parallel = false }),
        };
        DiffusionFitter.Fit(series, KineticModel.SphereDiffusion, configs[2].Options); // warm-up (JIT)
        Console.WriteLine($"fit benchmark: {series.Count} frames, true D = {d * 1e-14:0.00e0} cm²/s, {Environment.ProcessorCount} cores");
        // Wall time suffers when the machine is shared; process CPU time shows the work itself (for the parallel
        // configuration it is the sum over threads).
        Console.WriteLine($"{"configuration",-34} {"median ms",10} {"min ms",8} {"max ms",8} {"CPU ms",8} {"runs",5}  D (cm²/s) [profile CI]");
        foreach (var (name, options) in configs)
        {
            var times = new List<double>();
            var cpu = new List<double>();
            DiffusionFit? fit = null;
            for (int r = 0; r < 7; r++)
            {
                var c0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                fit = DiffusionFitter.Fit(series, KineticModel.SphereDiffusion, options);
                times.Add(sw.Elapsed.TotalMilliseconds);
                cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds);
            }
            times.Sort();
            cpu.Sort();
            var ci = fit!.Ci95Cm2PerS;
            Console.WriteLine($"{name,-34} {times[times.Count / 2],10:F1} {times[0],8:F1} {times[^1],8:F1} {cpu[cpu.Count / 2],8:F1} {times.Count,5}  {fit.DiffusivityCm2PerS:0.000e0} [{ci.Lo:0.00e0}, {ci.Hi:0.00e0}]");
        }
    }

    private static double Gauss(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
