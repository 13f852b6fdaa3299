// Benchmarks run on demand: dotnet run -c Release --project bench/TemAreaTracker.Bench -- NAME [options]
// With no name, the list is printed. Each prints a table of medians and ratios against a baseline in the same run.
using TemAreaTracker.Bench;

// As the CLI does, before any OpenCV call.
TemAreaTracker.OpenCvRuntime.Configure();

var benchmarks = new Dictionary<string, (string Description, Func<string[], int> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["fit"] = ("one particle's sphere-diffusion fit with profile interval and 1000 bootstrap resamples (target < 1 s)",
        _ => { FitBenchmark.Run(); return 0; }),
    ["track"] = ("track on a 1024x1024 8-bit movie, 5 particles, TIFF and MJPG vs decode-only [--frames 200] [--runs 3] [--dir DIR]",
        TrackBenchmark.Run),
    ["accuracy"] = ("tracking area error vs simulator truth: scenarios x dose x drift x contrast [--seeds 3] [--frames 32] [--scenario NAME]",
        AccuracyBenchmark.Run),
    ["detect"] = ("--auto particle detection: recall/precision vs simulator truth per condition, sample movies, chenlab and MSA real frames [--seeds 4] [--refine] [--only TEXT] [--dump DIR]",
        DetectBenchmark.Run),
    ["profile"] = ("tracker alone on MOVIE ROIS: first frame vs later frames, ms [--repeat 3]", ProfileBenchmark.Run),
    ["batch"] = ("temtrack batch --jobs 1/2 vs track + fit one movie after another: movies/min, peak RSS [--copies 2] [--runs 1] [--temtrack PATH]",
        BatchBenchmark.Run),
};

if (args.Length == 0)
{
    Console.WriteLine("usage: dotnet run -c Release --project bench/TemAreaTracker.Bench -- NAME [options]");
    foreach (var (name, (description, _)) in benchmarks) Console.WriteLine($"  {name,-8} {description}");
    return 0;
}
if (!benchmarks.TryGetValue(args[0], out var b))
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'; known: {string.Join(", ", benchmarks.Keys)}");
    return 2;
}
return b.Run(args[1..]);
