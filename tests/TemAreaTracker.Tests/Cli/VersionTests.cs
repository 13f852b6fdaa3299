using System.Diagnostics;
using TemAreaTracker.Cli;
using Xunit;

namespace TemAreaTracker.Tests.Cli;

public class VersionTests
{
    /// <summary>The real executable (the test project references the CLI, so its apphost sits beside the tests).</summary>
    private static (int Code, string Out) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "temtrack")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Trim());
    }

    [Fact]
    public void Version_PrintsReleaseAndCommit_AsRunJsonRecordsIt()
    {
        var (code, output) = Run("--version");
        Assert.Equal(0, code);
        Assert.Equal(CliRunner.Version, output);
        Assert.Matches(@"^\d+\.\d+\.\d+", output);
        // run.json's tool.version is written from the same assembly attribute.
        Assert.Equal(ToolVersion.Current, output);
    }
}
