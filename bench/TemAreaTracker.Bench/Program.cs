// Benchmarks run on demand: dotnet run -c Release --project bench/TemAreaTracker.Bench -- [name] [options]
using TemAreaTracker.Bench;

switch (args.FirstOrDefault())
{
    case "track":
        return TrackBenchmark.Run(args[1..]);
    default:
        Console.WriteLine("benchmarks: track [--frames 200] [--runs 3] [--dir DIR]");
        return args.Length == 0 ? 0 : 2;
}
