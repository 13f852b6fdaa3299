using System.Diagnostics;
using System.Globalization;
using TemAreaTracker.Tests.EndToEnd;

namespace TemAreaTracker.Bench;

/// <summary>
/// The full tracking-accuracy matrix of issue 3: every scenario × dose {1000, 300} × drift {0.2, 1.5 px (+ steady)} ×
/// contrast, over several seeds; prints one row per outline and movie, then the summary per scenario and class.
/// The tests (tests/.../EndToEnd/TrackingAccuracyTests.cs) run a fast subset of the same code.
/// </summary>
internal static class AccuracyBenchmark
{
    public static int Run(string[] args)
    {
        int seeds = 3, frames = 32;
        var scenarios = AccuracyMatrix.ScenarioNames.ToList();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seeds" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0:
                    seeds = s; i++; break;
                case "--frames" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int f) && f >= 8:
                    frames = f; i++; break;
                case "--scenario" when i + 1 < args.Length && AccuracyMatrix.ScenarioNames.Contains(args[i + 1]):
                    scenarios = [args[i + 1]]; i++; break;
                default:
                    Console.Error.WriteLine($"accuracy: bad option '{args[i]}'; use [--seeds N] [--frames N] [--scenario {string.Join("|", AccuracyMatrix.ScenarioNames)}]");
                    return 2;
            }
        }
        var sw = Stopwatch.StartNew();
        var cases = scenarios.SelectMany(AccuracyMatrix.FullFactorial).ToList();
        Console.WriteLine($"accuracy matrix: {cases.Count} cases x {seeds} seeds, {frames} frames each");
        var rows = AccuracyMatrix.Run(cases, Enumerable.Range(1, seeds), frames, parallel: true);
        Console.WriteLine(AccuracyMatrix.Table(rows));
        Console.WriteLine($"in {sw.Elapsed.TotalSeconds:0} s");
        return 0;
    }
}
