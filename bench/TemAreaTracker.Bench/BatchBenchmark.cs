using System.Diagnostics;
using System.Globalization;

namespace TemAreaTracker.Bench;

/// <summary>
/// Throughput of <c>temtrack batch</c> against what a user does without it: <c>temtrack track</c> then <c>temtrack fit</c>
/// for one movie after another (a shell loop), on the same movies with the same defaults (overlay video on, 1000
/// bootstrap resamples). Reports wall time, movies per minute and the peak resident memory of the process (VmHWM, polled;
/// for the loop, the largest of its processes) with --jobs 1 and 2.
/// </summary>
/// <remarks>
/// Runs the real CLI (<c>src/TemAreaTracker.Cli/bin/Release/net10.0/temtrack</c>, or --temtrack PATH) on the sample movies
/// copied --copies times into a scratch folder. Options: [--copies 2] [--runs 1] [--temtrack PATH] [--dir DIR].
/// </remarks>
internal static class BatchBenchmark
{
    public static int Run(string[] args)
    {
        int copies = Int(args, "--copies", 2), runs = Int(args, "--runs", 1);
        string repo = FindRepo();
        string temtrack = Opt(args, "--temtrack") ?? Path.Combine(repo, "src", "TemAreaTracker.Cli", "bin", "Release", "net10.0", "temtrack");
        if (!File.Exists(temtrack)) { Console.Error.WriteLine($"no temtrack at {temtrack}: dotnet build -c Release first, or pass --temtrack"); return 2; }
        string dir = Opt(args, "--dir") ?? Directory.CreateTempSubdirectory("temtrack-bench-batch-").FullName;
        string input = Path.Combine(dir, "movies");
        var movies = new List<(string Movie, string Rois)>();
        for (int c = 1; c <= copies; c++)
            foreach (var src in Directory.GetFiles(Path.Combine(repo, "sample-movies"), "movie.tif", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string rel = Path.GetRelativePath(Path.Combine(repo, "sample-movies"), Path.GetDirectoryName(src)!);
                string to = Path.Combine(input, $"copy{c}", rel);
                Directory.CreateDirectory(to);
                File.Copy(src, Path.Combine(to, "movie.tif"), overwrite: true);
                File.Copy(Path.Combine(Path.GetDirectoryName(src)!, "RoiSet.zip"), Path.Combine(to, "RoiSet.zip"), overwrite: true);
                movies.Add((Path.Combine(to, "movie.tif"), Path.Combine(to, "RoiSet.zip")));
            }
        Console.WriteLine($"{movies.Count} movies (sample-movies x {copies}, 60 frames of 256x256 each), {Environment.ProcessorCount} cores, {runs} run(s) each; temtrack {temtrack}");

        var results = new List<(string Mode, double WallS, double CpuS, double PeakMb)>();
        for (int r = 0; r < runs; r++)
        {
            string scratch = Path.Combine(dir, $"run{r}");
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
            Directory.CreateDirectory(scratch);

            var clock = Stopwatch.StartNew();
            double peak = 0, cpu = 0;
            for (int i = 0; i < movies.Count; i++)
            {
                string t = Path.Combine(scratch, "seq", $"m{i}", "track"), f = Path.Combine(scratch, "seq", $"m{i}", "fit");
                var a = Exec(temtrack, "track", movies[i].Movie, "--rois", movies[i].Rois, "--out", t);
                var b = Exec(temtrack, "fit", Path.Combine(t, "areas.csv"), "--out", f);
                peak = Math.Max(peak, Math.Max(a.PeakMb, b.PeakMb));
                cpu += a.CpuS + b.CpuS;
            }
            results.Add(("track + fit, one after another", clock.Elapsed.TotalSeconds, cpu, peak));

            foreach (int jobs in new[] { 1, 2 })
            {
                clock.Restart();
                var p = Exec(temtrack, "batch", input, "--out", Path.Combine(scratch, $"batch-j{jobs}"), "--jobs", jobs.ToString(CultureInfo.InvariantCulture));
                results.Add(($"batch --jobs {jobs}", clock.Elapsed.TotalSeconds, p.CpuS, p.PeakMb));
            }
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"{"mode",-32} {"wall s",8} {"movies/min",11} {"vs loop",8} {"CPU s",7} {"CPU s/movie",12} {"peak RSS MB",12}");
        double baseline = Median(results.Where(x => x.Mode.StartsWith("track", StringComparison.Ordinal)).Select(x => x.WallS));
        foreach (var g in results.GroupBy(x => x.Mode))
        {
            double wall = Median(g.Select(x => x.WallS)), cpuS = Median(g.Select(x => x.CpuS));
            Console.WriteLine(string.Create(inv,
                $"{g.Key,-32} {wall,8:0.0} {movies.Count * 60 / wall,11:0.0} {baseline / wall,7:0.00}x {cpuS,7:0.0} {cpuS / movies.Count,12:0.00} {g.Max(x => x.PeakMb),12:0}"));
        }
        if (Opt(args, "--dir") is null) Directory.Delete(dir, recursive: true);
        return 0;
    }

    /// <summary>
    /// Runs temtrack to the end (output discarded); returns its CPU time (user + system, from /proc/PID/stat, polled every
    /// 20 ms: the robust number when other jobs share the cores) and peak resident memory in MB (VmHWM).
    /// </summary>
    private static (double CpuS, double PeakMb) Exec(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        double peakKb = 0, ticks = 0;
        while (!p.WaitForExit(20))
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{p.Id}/status"))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        peakKb = Math.Max(peakKb, double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
                // Fields after the command name "(temtrack)": utime and stime are the 12th and 13th (clock ticks, 100/s).
                string stat = File.ReadAllText($"/proc/{p.Id}/stat");
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks = Math.Max(ticks, double.Parse(f[11], CultureInfo.InvariantCulture) + double.Parse(f[12], CultureInfo.InvariantCulture));
            }
            catch (IOException) { }
        }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"temtrack {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}{stdout.Result}");
        return (ticks / 100, peakKb / 1024);
    }

    private static double Median(IEnumerable<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "TemAreaTracker.sln"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }

    private static string? Opt(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Int(string[] args, string name, int fallback) =>
        Opt(args, name) is string s && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : fallback;
}
