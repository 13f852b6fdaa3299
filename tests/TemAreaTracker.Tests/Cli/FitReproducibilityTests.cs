using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace TemAreaTracker.Tests.Cli;

/// <summary>The help's promise "same seed, same intervals", checked across processes (the built temtrack.dll).</summary>
public sealed class FitReproducibilityTests : IDisposable
{
    private readonly CliFixture _f = new();
    public void Dispose() => _f.Dispose();

    private static (int Code, string Err) RunProcess(params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "temtrack.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err.Result);
    }

    private static string BootstrapInterval(string fitDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(fitDir, "fit.json")));
        return doc.RootElement.GetProperty("fits")[0].GetProperty("D_ci95_bootstrap_cm2_s").GetRawText();
    }

    [Fact]
    public void Fit_SameSeed_TwoProcesses_SameBootstrapInterval()
    {
        string csv = _f.AreasCsv("areas.csv", ("P1", 3, 4e-12));
        string a = Path.Combine(_f.Dir, "a"), b = Path.Combine(_f.Dir, "b");
        foreach (var dir in new[] { a, b })
        {
            var (code, err) = RunProcess("fit", csv, "--bootstrap", "200", "--seed", "7", "--out", dir);
            Assert.True(code == 0, err);
        }
        string ia = BootstrapInterval(a);
        Assert.DoesNotContain("null", ia);
        Assert.Equal(ia, BootstrapInterval(b));
    }
}
