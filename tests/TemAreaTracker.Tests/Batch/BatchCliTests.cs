using System.Diagnostics;
using Xunit;

namespace TemAreaTracker.Tests.Batch;

/// <summary>
/// The real <c>temtrack</c> executable (the apphost built beside the tests) on tiny simulated movies: kill -9 midway and
/// resume, exit codes, and <c>temtrack report</c> after shards.
/// </summary>
public sealed class BatchCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("temtrack-batchcli-").FullName;
    private string Input => Path.Combine(_dir, "in");
    private string Out => Path.Combine(_dir, "out");

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static int DoneCount(string outDir) =>
        Directory.Exists(outDir)
            ? Directory.GetFiles(outDir, "status.json", SearchOption.AllDirectories).Count(f => File.ReadAllText(f).Contains("\"status\": \"done\"", StringComparison.Ordinal))
            : 0;

    [Fact]
    public void Batch_KilledWithSigkillAtHalf_RerunFinishesOnlyTheRest()
    {
        for (int i = 1; i <= 6; i++)
            BatchFixtures.WriteMovie(Path.Combine(Input, $"m{i}.tif"), Path.Combine(Input, $"m{i}.zip"), seed: i);
        string[] args = ["batch", Input, "--out", Out, "--jobs", "1", "--bootstrap", "20"];

        using (var p = BatchFixtures.Start(args))
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (DoneCount(Out) < 3 && !p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(20);
            Assert.False(p.HasExited, "the batch ended before it could be killed at half way");
            p.Kill(); // SIGKILL: no handler runs
            p.WaitForExit();
        }
        var doneBefore = Directory.GetFiles(Out, "status.json", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("\"status\": \"done\"", StringComparison.Ordinal))
            .ToDictionary(f => f, File.ReadAllText);
        Assert.InRange(doneBefore.Count, 3, 5);
        Assert.False(File.Exists(Path.Combine(Out, "summary.csv")), "the killed run wrote no summary");

        var (code, stdout, stderr) = BatchFixtures.Run(args);

        Assert.True(code == 0, $"exit {code}: {stdout} {stderr}");
        Assert.Equal(6, DoneCount(Out));
        foreach (var (file, text) in doneBefore)
            Assert.Equal(text, File.ReadAllText(file)); // not redone: same status (same start and end times)
        Assert.Contains($"6 movies: 6 done ({doneBefore.Count} unchanged, not redone), 0 failed, 0 skipped", stdout);
        Assert.Equal(7, File.ReadAllLines(Path.Combine(Out, "summary.csv")).Length);
        Assert.Empty(Directory.GetFileSystemEntries(Out, "*.partial-*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFileSystemEntries(Out, "*.tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Batch_Sigint_Exits130_DropsMoviesInProgress_AndResumes()
    {
        for (int i = 1; i <= 3; i++)
            BatchFixtures.WriteMovie(Path.Combine(Input, $"m{i}.tif"), Path.Combine(Input, $"m{i}.zip"), seed: i, frames: 24);
        string[] args = ["batch", Input, "--out", Out, "--jobs", "1", "--bootstrap", "20"];
        using (var p = BatchFixtures.Start(args))
        {
            var stderr = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (DoneCount(Out) < 1 && !p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
            Assert.False(p.HasExited, "the batch ended before the signal");
            using (var kill = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)), "no exit after SIGINT");
            Assert.Equal(130, p.ExitCode);
            Assert.Contains("interrupted", await stderr);
        }
        Assert.Empty(Directory.GetFileSystemEntries(Out, "*.partial-*", SearchOption.AllDirectories));
        int done = DoneCount(Out);
        Assert.InRange(done, 1, 2);

        var (code, stdout, _) = BatchFixtures.Run(args);
        Assert.Equal(0, code);
        Assert.Contains($"3 movies: 3 done ({done} unchanged, not redone)", stdout);
    }

    [Fact]
    public void Batch_ExitCodes_ThreeWhenAMovieFails_TwoForBadInput()
    {
        BatchFixtures.WriteMovie(Path.Combine(Input, "good.tif"), Path.Combine(Input, "good.zip"), seed: 1);
        BatchFixtures.WriteCorruptTiff(Path.Combine(Input, "corrupt.tif"));
        File.Copy(Path.Combine(Input, "good.zip"), Path.Combine(Input, "corrupt.zip"));

        var (code, stdout, stderr) = BatchFixtures.Run("batch", Input, "--out", Out, "--bootstrap", "20");
        Assert.True(code == 3, $"exit {code}: {stdout} {stderr}");
        Assert.Contains("corrupt.tif: failed:", stderr);
        Assert.Contains("batch: [", stdout); // plain progress lines when redirected
        Assert.Contains("2 movies: 1 done (0 unchanged, not redone), 1 failed, 0 skipped", stdout);

        var report = BatchFixtures.Run("report", Out);
        Assert.Equal(3, report.Code);
        Assert.Contains("2 movies: 1 done, 1 failed, 0 skipped; 1 particles", report.Out);

        Assert.Equal(2, BatchFixtures.Run("batch", Path.Combine(_dir, "nowhere"), "--out", Out).Code);
        Assert.Equal(2, BatchFixtures.Run("batch", Input, "--out", Out, "--shard", "3/2").Code);
        Assert.Equal(2, BatchFixtures.Run("batch", Input).Code);
        var noBatch = BatchFixtures.Run("report", Input);
        Assert.Equal(2, noBatch.Code);
        Assert.Contains("no movie status files", noBatch.Err);
        string badManifest = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(badManifest, "movie,pixel_size_nm\ngood.tif,1\n");
        var manifest = BatchFixtures.Run("batch", Input, "--out", Out, "--manifest", badManifest);
        Assert.Equal(2, manifest.Code);
        Assert.Contains("lacks the column(s) rois, frame_interval_s, condition", manifest.Err);
    }

    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"[\s│|]+", " ");

    /// <summary>
    /// Two runs in two processes (one a shard): each movie's areas.csv and fit.csv are byte-identical, and its JSON equal
    /// once the keys the README lists as times, durations, hosts and absolute paths are removed.
    /// </summary>
    [Fact]
    public void Batch_TwoProcesses_PerMovieOutputsDifferOnlyInTheListedKeys()
    {
        BatchFixtures.WriteMovie(Path.Combine(Input, "c", "m.tif"), Path.Combine(Input, "c", "m.zip"), seed: 5);
        string a = Path.Combine(_dir, "a"), b = Path.Combine(_dir, "b");
        Assert.Equal(0, BatchFixtures.Run("batch", Input, "--out", a, "--bootstrap", "50").Code);
        Assert.Equal(0, BatchFixtures.Run("batch", Input, "--out", b, "--bootstrap", "50", "--jobs", "2", "--shard", "1/1").Code);
        Assert.Equal(0, BatchFixtures.Run("report", b).Code);
        string id = "c__m.tif";
        foreach (var f in new[] { "track/areas.csv", "fit/fit.csv" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, id, f)), File.ReadAllBytes(Path.Combine(b, id, f)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "summary.csv")), File.ReadAllBytes(Path.Combine(b, "summary.csv")));
        var listed = new Dictionary<string, string[]>
        {
            ["status.json"] = ["elapsed_s", "host", "started_utc", "finished_utc", "movie_path", "outlines_path"],
            ["track/run.json"] = ["started_utc", "finished_utc", "output", "input.path", "outlines.source", "timings_s", "frames_per_s"],
            ["fit/fit.json"] = ["input"],
        };
        foreach (var (file, keys) in listed)
        {
            var ja = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(a, id, file)))!.AsObject();
            var jb = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(b, id, file)))!.AsObject();
            foreach (var key in keys)
            {
                var (obj1, obj2, name) = key.Contains('.') ? (ja[key.Split('.')[0]]!.AsObject(), jb[key.Split('.')[0]]!.AsObject(), key.Split('.')[1]) : (ja, jb, key);
                Assert.True(obj1.ContainsKey(name), $"{file} has no key {key}");
                obj1.Remove(name);
                obj2.Remove(name);
            }
            Assert.Equal(ja.ToJsonString(), jb.ToJsonString());
        }
    }

    [Fact]
    public void Batch_HelpStatesExitCodesAndJobsRule()
    {
        var (code, stdout, _) = BatchFixtures.Run("batch", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--shard", stdout);
        Assert.Contains("cores divided by the 2 threads one track keeps busy", Flat(stdout));
        var (_, top, _) = BatchFixtures.Run("--help");
        Assert.Contains("3: some movie failed", Flat(top));
    }
}
