using System.Diagnostics;
using System.Text.Json.Nodes;
using TemAreaTracker.Pipeline;
using Xunit;

namespace TemAreaTracker.Tests.Pipeline;

public sealed class OutputFolderTests : IDisposable
{
    private static readonly string[] Own = ["a.txt", "b.txt"];

    private readonly string _root = Directory.CreateTempSubdirectory("outfolder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string P(string name) => Path.Combine(_root, name);

    private string[] Entries() => Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private OutputFolder Folder(string name = "out", bool overwrite = false, params CommandInput[] inputs) =>
        new(P(name), overwrite, "test", Own, inputs);

    private static void Fill(string tmp) => File.WriteAllText(Path.Combine(tmp, "a.txt"), "new");

    [Fact]
    public void Write_FillsATemporarySibling_RenamedWhenDone_WithItsMarker()
    {
        var folder = new OutputFolder(P("out") + Path.DirectorySeparatorChar, overwrite: false, "test", Own);
        Assert.Equal(P("out"), folder.FullPath);
        string seen = folder.Write(tmp =>
        {
            Assert.Equal(_root, Path.GetDirectoryName(tmp));
            Assert.StartsWith($".out.partial-{OutputOwner.Host}-{Environment.ProcessId}-", Path.GetFileName(tmp));
            Assert.True(OutputFolder.IsTemporaryName(Path.GetFileName(tmp)));
            // The partial folder says whose it is from the start.
            var partial = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp, OutputFolder.MarkerFile)))!;
            Assert.Equal("partial", (string?)partial["state"]);
            Fill(tmp);
            return tmp;
        });
        Assert.False(Directory.Exists(seen));
        Assert.Equal(["out"], Entries());
        Assert.Equal("new", File.ReadAllText(P("out/a.txt")));
        var marker = JsonNode.Parse(File.ReadAllText(P("out/" + OutputFolder.MarkerFile)))!;
        Assert.Equal("temtrack", (string?)marker["tool"]);
        Assert.Equal("test", (string?)marker["command"]);
        Assert.Equal(ToolVersion.Current, (string?)marker["version"]);
        Assert.Equal(Environment.MachineName, (string?)marker["host"]);
        Assert.Equal("complete", (string?)marker["state"]);
        Assert.True(DateTime.UtcNow - DateTime.Parse((string)marker["created_utc"]!).ToUniversalTime() < TimeSpan.FromMinutes(5));
        Assert.Equal(["a.txt"], marker["files"]!.AsArray().Select(x => (string?)x));
    }

    [Fact]
    public void ExistingFolder_RefusedWithoutOverwrite_Untouched()
    {
        Folder().Write(Fill);
        var folder = Folder();
        Assert.Equal($"{P("out")}: output folder already exists; pass --force to replace it", Assert.Throws<IOException>(folder.EnsureFree).Message);
        Assert.Throws<IOException>(() => folder.Write(tmp => File.WriteAllText(Path.Combine(tmp, "a.txt"), "newer")));
        Assert.Equal("new", File.ReadAllText(P("out/a.txt")));
        Assert.Equal(["out"], Entries());
    }

    [Fact]
    public void MarkedFolder_ReplacedWithOverwrite_OnlyAfterSuccess()
    {
        Folder().Write(tmp => File.WriteAllText(Path.Combine(tmp, "b.txt"), "old"));
        var folder = Folder(overwrite: true);
        folder.EnsureFree();
        Assert.Throws<InvalidOperationException>(() => folder.Write(tmp => throw new InvalidOperationException("fill failed")));
        Assert.Equal("old", File.ReadAllText(P("out/b.txt")));
        Assert.Equal(["out"], Entries());

        folder.Write(Fill);
        Assert.False(File.Exists(P("out/b.txt")));
        Assert.Equal("new", File.ReadAllText(P("out/a.txt")));
        Assert.Equal(["out"], Entries());
    }

    [Fact]
    public void UnmarkedFolder_OfThisCommandsFilesOnly_ReplacedWithOverwrite()
    {
        // Written before markers existed: nothing but names this command writes (and OS litter).
        Directory.CreateDirectory(P("out"));
        File.WriteAllText(P("out/b.txt"), "old");
        File.WriteAllText(P("out/.DS_Store"), "");
        Folder(overwrite: true).Write(Fill);
        Assert.Equal("new", File.ReadAllText(P("out/a.txt")));
        Assert.False(File.Exists(P("out/b.txt")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Overwrite_RefusesAFolderHoldingAForeignFile_NamingIt_AndKeepsIt(bool marked)
    {
        if (marked) Folder().Write(Fill);
        else
        {
            Directory.CreateDirectory(P("out"));
            File.WriteAllText(P("out/a.txt"), "new");
        }
        File.WriteAllText(P("out/NOTES.txt"), "user data");
        var folder = Folder(overwrite: true);
        string expected = $"{P("out")}: holds NOTES.txt, which temtrack did not write; --force replaces only temtrack output folders: move it away or choose another --out";
        Assert.Equal(expected, Assert.Throws<IOException>(folder.EnsureFree).Message);
        Assert.Equal(expected, Assert.Throws<IOException>(() => folder.Write(tmp => File.WriteAllText(Path.Combine(tmp, "a.txt"), "newer"))).Message);
        Assert.Equal("user data", File.ReadAllText(P("out/NOTES.txt")));
        Assert.Equal("new", File.ReadAllText(P("out/a.txt")));
        Assert.Equal(["out"], Entries());
    }

    [Fact]
    public void Overwrite_RefusesASubfolderItDidNotWrite()
    {
        Folder().Write(Fill);
        Directory.CreateDirectory(P("out/raw"));
        Assert.Contains("holds raw/, which temtrack did not write", Assert.Throws<IOException>(Folder(overwrite: true).EnsureFree).Message);
        Assert.True(Directory.Exists(P("out/raw")));
    }

    [Fact]
    public void ForeignFileAppearingDuringTheRun_RefusedAtTheEnd_NothingLost()
    {
        Folder().Write(Fill);
        var e = Assert.Throws<IOException>(() => Folder(overwrite: true).Write(tmp =>
        {
            File.WriteAllText(P("out/late.txt"), "user data");
            Fill(tmp);
        }));
        Assert.Contains("holds late.txt", e.Message);
        Assert.Equal("user data", File.ReadAllText(P("out/late.txt")));
        Assert.Equal(["out"], Entries());
    }

    [Fact]
    public void FileInPlace_RefusedWithOrWithoutOverwrite()
    {
        File.WriteAllText(P("out"), "a file");
        foreach (bool overwrite in new[] { false, true })
            Assert.Equal($"{P("out")}: is a file, not an output folder", Assert.Throws<IOException>(Folder(overwrite: overwrite).EnsureFree).Message);
        Assert.Equal("a file", File.ReadAllText(P("out")));
    }

    [Fact]
    public void Out_ThatIsOrContainsAnInput_Refused_NamingBoth()
    {
        Directory.CreateDirectory(P("work/frames"));
        File.WriteAllText(P("work/movie.tif"), "movie");
        var movie = new CommandInput("movie", P("work/movie.tif"));
        Assert.Equal($"--out {P("work")} contains the movie {P("work/movie.tif")}; choose an output folder that holds no input",
            Assert.Throws<IOException>(Folder("work", true, movie).EnsureFree).Message);
        Assert.Equal($"--out {_root} contains the movie {P("work/movie.tif")}; choose an output folder that holds no input",
            Assert.Throws<IOException>(new OutputFolder(_root, true, "test", Own, [movie]).EnsureFree).Message);
        Assert.Equal($"--out {P("work/movie.tif")} is the movie {P("work/movie.tif")}; choose another output folder",
            Assert.Throws<IOException>(Folder("work/movie.tif", true, movie).EnsureFree).Message);
        Assert.StartsWith($"--out {P("work/frames")} is the movie",
            Assert.Throws<IOException>(Folder("work/frames", true, new CommandInput("movie", P("work/frames/"))).EnsureFree).Message);
        // Through a symbolic link too.
        Directory.CreateSymbolicLink(P("link"), P("work"));
        Assert.StartsWith($"--out {P("link")} contains the movie", Assert.Throws<IOException>(Folder("link", true, movie).EnsureFree).Message);
        // Beside the input, in its folder, is fine.
        Folder("work/out", false, movie).Write(Fill);
        Assert.Equal("movie", File.ReadAllText(P("work/movie.tif")));
    }

    [Fact]
    public void Cancelled_BeforeComplete_NothingWritten()
    {
        using var cts = new CancellationTokenSource();
        var e = Assert.Throws<RunInterruptedException>(() => Folder().Write(tmp => { Fill(tmp); cts.Cancel(); }, cts.Token));
        Assert.Equal("interrupted while writing the outputs", e.Message);
        Assert.Empty(Entries());
    }

    [Fact]
    public void FailedRun_RemovesTheParentFoldersItCreated()
    {
        Assert.Throws<InvalidOperationException>(() => Folder("a/b/out").Write(_ => throw new InvalidOperationException("fill failed")));
        Assert.Empty(Entries());
    }

    // ---------------------------------------------------------------- temporary folders of runs that are gone

    private string Temp(string kind, string host, int pid, ulong start, params string[] files)
    {
        string dir = P($".out.{kind}-{host}-{pid}-{start}-0123abcd");
        Directory.CreateDirectory(dir);
        foreach (var f in files) File.WriteAllText(Path.Combine(dir, f), f);
        return dir;
    }

    private static void Mark(string dir, string state) =>
        File.WriteAllText(Path.Combine(dir, OutputFolder.MarkerFile), $$"""{"tool": "temtrack", "command": "test", "state": "{{state}}"}""");

    private static int ExitedPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    [Fact]
    public void PartialOfAProcessThatIsGone_RemovedByTheNextRun()
    {
        string dead = Temp("partial", OutputOwner.Host, ExitedPid(), 12345, "overlay.avi");
        Mark(dead, "partial");
        // Same id, other start: the id was reused, the owner is gone.
        string reused = Temp("partial", OutputOwner.Host, Environment.ProcessId, OutputOwner.Start + 1);
        Folder("other").Write(Fill);
        Assert.Equal(["other"], Entries());
    }

    [Fact]
    public void PartialOfALiveProcess_OrOfAnotherHostWithinADay_LeftAlone()
    {
        string live = Temp("partial", OutputOwner.Host, Environment.ProcessId, OutputOwner.Start, "overlay.avi");
        Mark(live, "partial");
        string foreign = Temp("partial", "some-other-host", 4242, 1, "overlay.avi");
        Mark(foreign, "partial");
        Folder("other").Write(Fill);
        Assert.True(Directory.Exists(live));
        Assert.True(Directory.Exists(foreign));

        // A day without a change: the other host's run is gone.
        foreach (var e in new DirectoryInfo(foreign).EnumerateFileSystemInfos().Append(new DirectoryInfo(foreign)))
            e.LastWriteTimeUtc = DateTime.UtcNow - TimeSpan.FromDays(1.5);
        Folder("third").Write(Fill);
        Assert.False(Directory.Exists(foreign));
        Assert.True(Directory.Exists(live));
    }

    [Fact]
    public void PartialName_WithoutOurMarker_AndNotEmpty_LeftAlone()
    {
        string notOurs = Temp("partial", OutputOwner.Host, ExitedPid(), 12345, "thesis.tex");
        string empty = Temp("partial", OutputOwner.Host, ExitedPid(), 12345);
        Folder("other").Write(Fill);
        Assert.True(Directory.Exists(notOurs));
        Assert.False(Directory.Exists(empty));
    }

    [Fact]
    public void OldOutputMovedAside_ByARunKilledBeforeTheSwap_MovedBack()
    {
        string aside = Temp("replaced", OutputOwner.Host, ExitedPid(), 12345, "a.txt");
        Assert.Equal($"{P("out")}: output folder already exists; pass --force to replace it", Assert.Throws<IOException>(Folder().EnsureFree).Message);
        Assert.Equal("a.txt", File.ReadAllText(P("out/a.txt")));
        Assert.False(Directory.Exists(aside));

        // Once the new output is in place, an old one left aside is deleted.
        aside = Temp("replaced", OutputOwner.Host, ExitedPid(), 12345, "a.txt");
        Folder("other").Write(Fill);
        Assert.Equal(["other", "out"], Entries());
    }

    [Fact]
    public void LegacyPartial_RemovedOnceUnchangedForADay()
    {
        string legacy = P(".out.partial-123-0123abcd");
        Directory.CreateDirectory(legacy);
        File.WriteAllText(Path.Combine(legacy, ".outlines.spool"), "x");
        Folder("other").Write(Fill);
        Assert.True(Directory.Exists(legacy));
        foreach (var e in new DirectoryInfo(legacy).EnumerateFileSystemInfos().Append(new DirectoryInfo(legacy)))
            e.LastWriteTimeUtc = DateTime.UtcNow - TimeSpan.FromDays(2);
        Folder("third").Write(Fill);
        Assert.False(Directory.Exists(legacy));
    }

    [Fact]
    public void ShownName_NamesTheFolderInMessages()
    {
        Directory.CreateDirectory(P("out"));
        var e = Assert.Throws<IOException>(new OutputFolder(P("out"), overwrite: false, "test", Own, shownName: "results").EnsureFree);
        Assert.Equal("results: output folder already exists; pass --force to replace it", e.Message);
    }
}
