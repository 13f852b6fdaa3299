using System.Text.Json.Nodes;
using TemAreaTracker.Pipeline;
using Xunit;

namespace TemAreaTracker.Tests.Safety;

/// <summary>
/// Issue 11's bad-input list, run as a user would: the real <c>temtrack</c> process, real signals, a read-only mount and
/// a full tmpfs. Each refusal or failure is one line on stderr, a non-zero exit, inputs byte-identical afterwards (SHA-256
/// of every input file before and after) and no partial folder; the last two must succeed.
/// </summary>
/// <remarks>The mounts need root, as the suite and CI run.</remarks>
public sealed class BadInputProcessTests : IClassFixture<SafetyInputs>, IDisposable
{
    private readonly SafetyInputs _inputs;
    private readonly string _root = Directory.CreateTempSubdirectory("temtrack-safety-").FullName;
    private readonly List<string> _mounts = [];

    public BadInputProcessTests(SafetyInputs inputs) => _inputs = inputs;

    public void Dispose()
    {
        foreach (var m in Enumerable.Reverse(_mounts))
            if (Safe.Sh("umount", m).Code != 0) Safe.Sh("umount", "-l", m);
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string P(string name) => Path.Combine(_root, name);

    private void Mount(params string[] args)
    {
        var (code, error) = Safe.Sh("mount", args);
        Assert.True(code == 0, $"mount {string.Join(' ', args)} failed ({error}); these tests need root, as the suite and CI run");
        _mounts.Add(args[^1]);
    }

    /// <summary>The run failed as a refusal must: one line (returned), non-zero exit, inputs untouched, no partial folder.</summary>
    private string Refused(CliProcess run, Dictionary<string, string> before, params string[] inputs)
    {
        Assert.NotEqual(0, run.ExitCode);
        string line = run.OneErrorLine();
        Assert.Equal(before, Safe.Hashes(inputs));
        Safe.NoTemporaryFolders(_root);
        return line;
    }

    private static string[] Track((string Movie, string Rois) m, string outDir, params string[] more) =>
        ["track", m.Movie, "--rois", m.Rois, "--out", outDir, .. more];

    [Fact]
    public void OutEqualToTheInputsFolder_Refused_NamingBoth()
    {
        var m = SafetyInputs.CopyTo(_inputs.Short, P("data"));
        File.WriteAllText(P("data/NOTES.txt"), "the user's notes");
        var before = Safe.Hashes(P("data"));
        foreach (var force in new[] { false, true })
        {
            using var run = CliProcess.Run(Track(m, P("data"), force ? ["--force"] : []));
            Assert.Equal($"temtrack: --out {P("data")} contains the movie {m.Movie}; choose an output folder that holds no input",
                Refused(run, before, P("data")));
            Assert.Equal(2, run.ExitCode);
        }
        Assert.Equal(["NOTES.txt", "RoiSet.zip", "movie.tif"], Directory.GetFileSystemEntries(P("data")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // fit: --out the folder of its areas.csv.
        File.Copy(_inputs.AreasCsv, P("data/areas.csv"));
        before = Safe.Hashes(P("data"));
        using var fit = CliProcess.Run(["fit", P("data/areas.csv"), "--bootstrap", "0", "--force", "--out", P("data")]);
        Assert.Equal($"temtrack: --out {P("data")} contains the areas.csv {P("data/areas.csv")}; choose an output folder that holds no input",
            Refused(fit, before, P("data")));
    }

    [Fact]
    public void OutAParentOfTheInput_Refused_WithForce_TheFindingOfIssue11()
    {
        // track work/movie.tif --rois work/RoiSet.zip --out work/.. --force used to delete the movie, the ROIs and the notes.
        var m = SafetyInputs.CopyTo(_inputs.Short, P("project/work"));
        File.WriteAllText(P("project/NOTES.txt"), "the user's notes");
        var before = Safe.Hashes(P("project"));
        using var run = CliProcess.Run(Track(m, P("project"), "--force"));
        Assert.Equal($"temtrack: --out {P("project")} contains the movie {m.Movie}; choose an output folder that holds no input",
            Refused(run, before, P("project")));

        // The ROI file is an input too.
        var rois = P("elsewhere/RoiSet.zip");
        Directory.CreateDirectory(P("elsewhere"));
        File.Copy(m.Rois, rois);
        before = Safe.Hashes(P("project"), P("elsewhere"));
        using var run2 = CliProcess.Run(["track", m.Movie, "--rois", rois, "--out", P("elsewhere"), "--force"]);
        Assert.Equal($"temtrack: --out {P("elsewhere")} contains the ROI file {rois}; choose an output folder that holds no input",
            Refused(run2, before, P("project"), P("elsewhere")));
    }

    [Fact]
    public void ForceOnAFolderWithAForeignFile_Refused_NamingIt()
    {
        var m = SafetyInputs.CopyTo(_inputs.Short, P("in"));
        using (var first = CliProcess.Run(Track(m, P("out"))))
            Assert.Equal(0, first.ExitCode);
        File.WriteAllText(P("out/NOTES.txt"), "the user's notes");
        var before = Safe.Hashes(P("in"), P("out"));
        using var run = CliProcess.Run(Track(m, P("out"), "--force"));
        Assert.Equal($"temtrack: {P("out")}: holds NOTES.txt, which temtrack did not write; --force replaces only temtrack output folders: move it away or choose another --out",
            Refused(run, before, P("in"), P("out")));

        // A folder written before markers existed, holding only track's own files, is replaced.
        File.Delete(P("out/NOTES.txt"));
        File.Delete(P("out/" + OutputFolder.MarkerFile));
        using var again = CliProcess.Run(Track(m, P("out"), "--force"));
        Assert.Equal(0, again.ExitCode);
        Assert.Equal("track", (string?)JsonNode.Parse(File.ReadAllText(P("out/" + OutputFolder.MarkerFile)))!["command"]);
    }

    [Theory]
    [InlineData(CliProcess.SIGINT, 130)]
    [InlineData(CliProcess.SIGTERM, 130)]
    public void Sigint_At20PercentOfATrackRun_RemovesThePartialFolder_Exit130(int signal, int exitCode)
    {
        var m = SafetyInputs.CopyTo(_inputs.Long, P("in"));
        var before = Safe.Hashes(P("in"));
        using var run = CliProcess.Start(Track(m, P("out")));
        run.WaitForLine(l => l.Contains("frames (20%)"));
        Assert.NotEmpty(Safe.TemporaryFolders(_root)); // the run is writing
        run.Signal(signal);
        run.WaitForExit();
        Assert.Equal(exitCode, run.ExitCode);
        string line = Refused(run, before, P("in"));
        Assert.Matches(@"^temtrack: interrupted at frame \d+ of 200; nothing written$", line);
        int frame = int.Parse(line.Split(' ')[4]);
        Assert.InRange(frame, 40, 199);
        Assert.False(Directory.Exists(P("out")));
    }

    [Fact]
    public void Sigint_At20PercentOfAFitBootstrap_NothingWritten_Exit130()
    {
        Directory.CreateDirectory(P("in"));
        File.Copy(_inputs.AreasCsv, P("in/areas.csv"));
        var before = Safe.Hashes(P("in"));
        using var run = CliProcess.Start("fit", P("in/areas.csv"), "--bootstrap", "20000", "--out", P("out"));
        // The fit prints nothing until it ends: its CPU time tells how far it is. Start-up and reading take ~1.5 s of
        // CPU, the 4 bootstraps of 20000 refits ~10 s more, so 3.5 s is about 20 % of the fitting.
        run.WaitForCpu(3.5);
        run.Signal(CliProcess.SIGINT);
        run.WaitForExit(timeoutS: 30);
        Assert.Equal(130, run.ExitCode);
        Assert.Matches(@"^temtrack: interrupted while fitting p[1-4]; nothing written$", Refused(run, before, P("in")));
        Assert.False(Directory.Exists(P("out")));
    }

    [Fact]
    public void ReadOnlyOutputParent_OneLine_NothingWritten()
    {
        var m = SafetyInputs.CopyTo(_inputs.Short, P("in"));
        Directory.CreateDirectory(P("ro"));
        File.WriteAllText(P("ro/kept.txt"), "already there");
        Mount("--bind", P("ro"), P("ro"));
        Mount("-o", "remount,bind,ro", P("ro"));
        var before = Safe.Hashes(P("in"), P("ro"));
        using var run = CliProcess.Run(Track(m, P("ro/out")));
        Assert.Equal($"temtrack: {P("ro/out")}: cannot write: read-only file system", Refused(run, before, P("in"), P("ro")));
        using var nested = CliProcess.Run(Track(m, P("ro/a/b/out")));
        Assert.Equal($"temtrack: {P("ro/a/b/out")}: cannot write: read-only file system", Refused(nested, before, P("in"), P("ro")));
        Assert.Equal(["kept.txt"], Directory.GetFileSystemEntries(P("ro")).Select(Path.GetFileName));
    }

    [Fact]
    public void FullDisk_OneLine_NothingWritten_BesideFilesUntouched()
    {
        var m = SafetyInputs.CopyTo(_inputs.Short, P("in"));
        Directory.CreateDirectory(P("disk"));
        Mount("-t", "tmpfs", "-o", "size=3m", "tmpfs", P("disk"));
        // Room for the first outputs but not all of them: the disk fills up in the middle of the run.
        File.WriteAllBytes(P("disk/filler.bin"), new byte[3 * 1024 * 1024 - 200 * 1024]);
        var before = Safe.Hashes(P("in"), P("disk"));
        using var run = CliProcess.Run(Track(m, P("disk/out")));
        Assert.Equal($"temtrack: {P("disk/out")}: cannot write: no space left on device", Refused(run, before, P("in"), P("disk")));
        Assert.Equal(["filler.bin"], Directory.GetFileSystemEntries(P("disk")).Select(Path.GetFileName));
    }

    [Fact]
    public void Sigkill_ThenTheSameCommand_Completes_NoPartialFolderRemains()
    {
        var m = SafetyInputs.CopyTo(_inputs.Long, P("in"));
        var before = Safe.Hashes(P("in"));
        string[] args = Track(m, P("out"));
        using (var killed = CliProcess.Start(args))
        {
            killed.WaitForLine(l => l.Contains("frames (20%)"));
            killed.Signal(CliProcess.SIGKILL);
            killed.WaitForExit();
        }
        var left = Safe.TemporaryFolders(_root);
        Assert.Single(left); // what SIGKILL leaves: nothing can clean up in the process itself
        Assert.StartsWith(".out.partial-", Path.GetFileName(left[0]));

        using var again = CliProcess.Run(args);
        Assert.Equal(0, again.ExitCode);
        Assert.Empty(again.StdErr);
        Safe.NoTemporaryFolders(_root);
        Assert.Equal(201, File.ReadAllLines(P("out/areas.csv")).Length);
        Assert.Equal(before, Safe.Hashes(P("in")));
    }

    [Fact]
    public void MoviePathAndOut_WithSpacesAndNonAsciiLetters_Succeed()
    {
        var m = SafetyInputs.CopyTo(_inputs.Short, P("données de test"), movieName: "mövie 1.tif", roisName: "RoiSet ü.zip");
        var before = Safe.Hashes(P("données de test"));
        string outDir = P("résultats été/sortie 1");
        using var run = CliProcess.Run(Track(m, outDir));
        Assert.True(run.ExitCode == 0, string.Join(" | ", run.StdErr));
        Assert.Empty(run.StdErr);
        foreach (var f in TrackPipeline.OutputFiles.Append(OutputFolder.MarkerFile))
            Assert.True(new FileInfo(Path.Combine(outDir, f)).Length > 0, f);
        var runJson = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "run.json")))!;
        Assert.Contains("mövie 1.tif", runJson.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }));

        string csv = P("données de test/aires é 1.csv");
        File.Copy(_inputs.AreasCsv, csv);
        before = Safe.Hashes(P("données de test"));
        using var fit = CliProcess.Run(["fit", csv, "--bootstrap", "0", "--out", P("résultats été/ajustement ñ")]);
        Assert.True(fit.ExitCode == 0, string.Join(" | ", fit.StdErr));
        Assert.True(File.Exists(P("résultats été/ajustement ñ/fit.json")));
        Assert.Equal(before, Safe.Hashes(P("données de test")));
        Safe.NoTemporaryFolders(_root);
    }
}
