using Xunit;

namespace TemAreaTracker.Tests.Architecture;

/// <summary>docs/architecture.md shows the folder graph of the code as compiled, not as once drawn.</summary>
public class ArchitectureDocTests
{
    private const string UpdateVariable = "TEMTRACK_UPDATE_DOCS";

    [Fact]
    public void FolderGraph_InDocs_MatchesTheCompiledCode()
    {
        string path = Path.Combine(ArchitectureDoc.RepoRoot(), "docs", "architecture.md");
        string committed = File.ReadAllText(path);
        string regenerated = ArchitectureDoc.WithFolderGraph(committed, ArchitectureDoc.FolderGraphBlock());
        if (regenerated == committed.Replace("\r\n", "\n", StringComparison.Ordinal)) return;
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, regenerated);
            return;
        }
        Assert.Fail($"""
            docs/architecture.md: the folder graph between {ArchitectureDoc.Begin} and {ArchitectureDoc.End} differs from the compiled code.
            Regenerate it (then review and commit the diff):
              {UpdateVariable}=1 dotnet test tests/TemAreaTracker.Tests -c Release --filter "FullyQualifiedName~{nameof(ArchitectureDocTests)}"
            The code's graph:
            {ArchitectureDoc.FolderGraphBlock()}
            """);
    }

    [Fact]
    public void WithFolderGraph_ReplacesOnlyTheTextBetweenTheMarkers()
    {
        string doc = $"intro\r\n{ArchitectureDoc.Begin}\r\nold\r\n{ArchitectureDoc.End}\r\noutro\r\n";
        Assert.Equal($"intro\n{ArchitectureDoc.Begin}\nnew\n{ArchitectureDoc.End}\noutro\n", ArchitectureDoc.WithFolderGraph(doc, "new\n"));
    }
}
