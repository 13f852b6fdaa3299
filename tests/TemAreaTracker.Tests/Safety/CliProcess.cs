using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TemAreaTracker.Pipeline;
using Xunit;

namespace TemAreaTracker.Tests.Safety;

/// <summary>
/// The real <c>temtrack</c> process (the apphost beside the test assembly: the test project references the CLI), so
/// signals, exit codes and stderr are the ones a user sees.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    public const int SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly SemaphoreSlim _lines = new(0);

    private CliProcess(params string[] args)
    {
        string host = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "temtrack.exe" : "temtrack");
        Assert.True(File.Exists(host), $"{host}: the CLI apphost is not beside the test assembly");
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _stdout.Enqueue(e.Data); _lines.Release(); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _stderr.Enqueue(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static CliProcess Start(params string[] args) => new(args);

    /// <summary>Runs to the end (at most <paramref name="timeoutS"/>).</summary>
    public static CliProcess Run(string[] args, double timeoutS = 120)
    {
        var p = Start(args);
        p.WaitForExit(timeoutS);
        return p;
    }

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<string> StdOut => _stdout.ToArray();

    public IReadOnlyList<string> StdErr => _stderr.ToArray();

    /// <summary>Waits for a stdout line matching <paramref name="match"/>; fails the test after <paramref name="timeoutS"/>.</summary>
    public string WaitForLine(Func<string, bool> match, double timeoutS = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(timeoutS);
        while (true)
        {
            if (_stdout.FirstOrDefault(match) is string line) return line;
            if (_process.HasExited && _stdout.FirstOrDefault(match) is null)
                Assert.Fail($"temtrack exited ({_process.ExitCode}) before the expected line; stdout: {string.Join(" | ", _stdout)}; stderr: {string.Join(" | ", _stderr)}");
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) Assert.Fail($"no expected line within {timeoutS} s; stdout: {string.Join(" | ", _stdout)}");
            _lines.Wait(TimeSpan.FromMilliseconds(Math.Min(100, left.TotalMilliseconds)));
        }
    }

    /// <summary>Waits until the process has used <paramref name="seconds"/> of CPU (user + system).</summary>
    public double WaitForCpu(double seconds, double timeoutS = 120)
    {
        var until = DateTime.UtcNow.AddSeconds(timeoutS);
        while (true)
        {
            if (_process.HasExited) Assert.Fail($"temtrack exited ({_process.ExitCode}) before using {seconds} s of CPU; stderr: {string.Join(" | ", _stderr)}");
            double cpu = CpuSeconds(Id);
            if (cpu >= seconds) return cpu;
            if (DateTime.UtcNow > until) Assert.Fail($"temtrack used only {cpu:0.0} s of CPU in {timeoutS} s");
            Thread.Sleep(20);
        }
    }

    /// <summary>User + system CPU seconds of process <paramref name="pid"/> (Linux /proc).</summary>
    public static double CpuSeconds(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 (utime, stime) in clock ticks; field 3 is f[0].
        return (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public void Signal(int signal) => Assert.Equal(0, kill(Id, signal));

    public void WaitForExit(double timeoutS = 60)
    {
        if (!_process.WaitForExit(TimeSpan.FromSeconds(timeoutS)))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"temtrack did not exit within {timeoutS} s; stdout: {string.Join(" | ", _stdout)}; stderr: {string.Join(" | ", _stderr)}");
        }
        _process.WaitForExit(); // drains stdout and stderr
    }

    /// <summary>Asserts one line on stderr, starting "temtrack: ", and returns it.</summary>
    public string OneErrorLine()
    {
        var lines = StdErr.Where(l => l.Length > 0).ToList();
        Assert.True(lines.Count == 1, $"expected one line on stderr, got {lines.Count}: {string.Join(" | ", lines)}");
        Assert.StartsWith("temtrack: ", lines[0]);
        return lines[0];
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.Dispose();
        _lines.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}

/// <summary>What the safety tests check after every run.</summary>
internal static class Safe
{
    /// <summary>SHA-256 of every file under each of <paramref name="roots"/> (files or folders), by path.</summary>
    public static Dictionary<string, string> Hashes(params string[] roots)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var root in roots)
            foreach (var f in File.Exists(root) ? [root] : Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                using var s = File.OpenRead(f);
                hashes[f] = Convert.ToHexString(SHA256.HashData(s));
            }
        return hashes;
    }

    /// <summary>Temporary folders of runs (.NAME.partial-…, .NAME.replaced-…) anywhere under <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> TemporaryFolders(string root) =>
        Directory.EnumerateDirectories(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(d => OutputFolder.IsTemporaryName(Path.GetFileName(d))).ToList();

    public static void NoTemporaryFolders(string root)
    {
        var left = TemporaryFolders(root);
        Assert.True(left.Count == 0, "temporary folders left: " + string.Join(", ", left));
    }

    /// <summary>Runs a command (mount, umount); returns its exit code and stderr.</summary>
    public static (int Code, string Error) Sh(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        string err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err.Trim());
    }
}
