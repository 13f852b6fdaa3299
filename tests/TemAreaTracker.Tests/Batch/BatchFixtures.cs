using System.Diagnostics;
using TemAreaTracker.IO;
using TemAreaTracker.Pipeline;
using TemAreaTracker.Simulation;

namespace TemAreaTracker.Tests.Batch;

/// <summary>
/// Tiny simulated movies for batch tests: one swelling sphere (ground truth known), 96x80 px (non-square), 10 frames,
/// written as an ImageJ TIFF with its outlines, so the real readers, tracker and fitter run in well under a second each.
/// </summary>
internal static class BatchFixtures
{
    /// <summary>Writes a movie to <paramref name="moviePath"/> (.tif) and, unless null, its outlines to <paramref name="outlinesPath"/>.</summary>
    public static void WriteMovie(string moviePath, string? outlinesPath, int seed, int frames = 10)
    {
        var scenario = Scenarios.IsolatedSphere(seed, r0Nm: 27, frames: frames, width: 96, height: 80);
        string tmp = Directory.CreateTempSubdirectory("temtrack-batch-sim-").FullName;
        try
        {
            var output = SimulationExport.Write(scenario, tmp, MovieFileFormat.Tiff);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(moviePath))!);
            File.Copy(output.MoviePath, moviePath, overwrite: true);
            if (outlinesPath is not null) File.Copy(output.RoiSetPath, outlinesPath, overwrite: true);
        }
        finally { Directory.Delete(tmp, recursive: true); }
    }

    /// <summary>A corrupt "movie": a TIFF header followed by garbage.</summary>
    public static void WriteCorruptTiff(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        bytes[0] = (byte)'I'; bytes[1] = (byte)'I'; bytes[2] = 42; bytes[3] = 0;
        bytes[4] = 0xF0; bytes[5] = 0xFF; bytes[6] = 0xFF; bytes[7] = 0x7F; // first IFD far past the end
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>The real <c>temtrack</c> apphost built next to the tests (the test project references the CLI).</summary>
    public static string Temtrack => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "temtrack.exe" : "temtrack");

    /// <summary>Starts <c>temtrack</c> with <paramref name="args"/>; output is redirected (plain progress lines).</summary>
    public static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo(Temtrack) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi) ?? throw new InvalidOperationException("could not start temtrack");
    }

    /// <summary>Runs <c>temtrack</c> to the end; returns exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(entireProcessTree: true); throw new TimeoutException($"temtrack {string.Join(' ', args)} ran over 3 min"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
