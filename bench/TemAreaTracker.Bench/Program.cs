// Benchmarks run on demand: dotnet run -c Release --project bench/TemAreaTracker.Bench -- [name]
Console.WriteLine("no benchmarks yet");
