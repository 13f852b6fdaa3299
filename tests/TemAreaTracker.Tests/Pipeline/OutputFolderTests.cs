using TemAreaTracker.Pipeline;
using Xunit;

namespace TemAreaTracker.Tests.Pipeline;

public sealed class OutputFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("outfolder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string P(string name) => Path.Combine(_root, name);

    private string[] Entries() => Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public void Write_FillsATemporarySibling_RenamedWhenDone()
    {
        var folder = new OutputFolder(P("out") + Path.DirectorySeparatorChar, overwrite: false);
        Assert.Equal(P("out"), folder.FullPath);
        string seen = folder.Write(tmp =>
        {
            Assert.Equal(_root, Path.GetDirectoryName(tmp));
            Assert.StartsWith(".out.", Path.GetFileName(tmp));
            File.WriteAllText(Path.Combine(tmp, "a.txt"), "new");
            return tmp;
        });
        Assert.False(Directory.Exists(seen));
        Assert.Equal(["out"], Entries());
        Assert.Equal("new", File.ReadAllText(P("out/a.txt")));
    }

    [Theory]
    [InlineData(false, "output folder already exists; pass --force to replace it")]
    [InlineData(true, "already exists; pass --force to replace it")]
    public void ExistingFolder_RefusedWithoutOverwrite_Untouched(bool replacesFile, string message)
    {
        Directory.CreateDirectory(P("out"));
        File.WriteAllText(P("out/mine.txt"), "mine");
        var folder = new OutputFolder(P("out"), overwrite: false, replacesFile);
        Assert.Equal($"{P("out")}: {message}", Assert.Throws<IOException>(folder.EnsureFree).Message);
        Assert.Throws<IOException>(() => folder.Write(tmp => File.WriteAllText(Path.Combine(tmp, "a.txt"), "new")));
        Assert.Equal("mine", File.ReadAllText(P("out/mine.txt")));
        Assert.Equal(["out"], Entries());
    }

    [Fact]
    public void ExistingFolder_ReplacedWithOverwrite_OnlyAfterSuccess()
    {
        Directory.CreateDirectory(P("out"));
        File.WriteAllText(P("out/mine.txt"), "mine");
        var folder = new OutputFolder(P("out"), overwrite: true);
        folder.EnsureFree();
        Assert.Throws<InvalidOperationException>(() => folder.Write(tmp => throw new InvalidOperationException("fill failed")));
        Assert.Equal("mine", File.ReadAllText(P("out/mine.txt")));
        Assert.Equal(["out"], Entries());

        folder.Write(tmp => File.WriteAllText(Path.Combine(tmp, "a.txt"), "new"));
        Assert.False(File.Exists(P("out/mine.txt")));
        Assert.Equal("new", File.ReadAllText(P("out/a.txt")));
        Assert.Equal(["out"], Entries());
    }

    [Fact]
    public void FileInPlace_RefusedByTrack_ReplacedByTheOthersWithOverwrite()
    {
        File.WriteAllText(P("out"), "a file");
        Assert.Equal($"{P("out")}: is a file, not an output folder",
            Assert.Throws<IOException>(new OutputFolder(P("out"), overwrite: true).EnsureFree).Message);
        Assert.Equal($"{P("out")}: already exists; pass --force to replace it",
            Assert.Throws<IOException>(new OutputFolder(P("out"), overwrite: false, replacesFile: true).EnsureFree).Message);

        var folder = new OutputFolder(P("out"), overwrite: true, replacesFile: true);
        folder.EnsureFree();
        folder.Write(tmp => File.WriteAllText(Path.Combine(tmp, "a.txt"), "new"));
        Assert.Equal("new", File.ReadAllText(P("out/a.txt")));
        Assert.Equal(["out"], Entries());
    }

    [Fact]
    public void ShownName_NamesTheFolderInMessages()
    {
        Directory.CreateDirectory(P("out"));
        var e = Assert.Throws<IOException>(new OutputFolder(P("out"), overwrite: false, shownName: "results").EnsureFree);
        Assert.Equal("results: output folder already exists; pass --force to replace it", e.Message);
    }
}
