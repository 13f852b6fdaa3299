// Benchmarks run on demand: dotnet run -c Release --project bench/TemAreaTracker.Bench -- [name ...]
// Each benchmark is a static method registered below by name; with no name, the list is printed.
using TemAreaTracker.Bench;

var benchmarks = new Dictionary<string, (string Description, Action Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["fit"] = ("one particle's sphere-diffusion fit with profile interval and 1000 bootstrap resamples (target < 1 s)", FitBenchmark.Run),
};

if (args.Length == 0)
{
    Console.WriteLine("usage: dotnet run -c Release --project bench/TemAreaTracker.Bench -- NAME [NAME ...]");
    foreach (var (name, (description, _)) in benchmarks) Console.WriteLine($"  {name,-12} {description}");
    return 0;
}
foreach (string name in args)
{
    if (!benchmarks.TryGetValue(name, out var b))
    {
        Console.Error.WriteLine($"unknown benchmark '{name}'; known: {string.Join(", ", benchmarks.Keys)}");
        return 2;
    }
    b.Run();
}
return 0;
