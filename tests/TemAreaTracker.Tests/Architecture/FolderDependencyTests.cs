using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace TemAreaTracker.Tests.Architecture;

/// <summary>
/// Folders of the library depend only downward, read from the compiled assembly's IL (so a call inside a method
/// body counts): each folder (= namespace below TemAreaTracker; "root" is TemAreaTracker itself) may use only
/// itself and the folders listed for it here. A folder missing from the table fails, so a new folder is added here
/// on purpose, with its place in the pipeline.
/// </summary>
public class FolderDependencyTests(ITestOutputHelper output)
{
    /// <summary>Folder -> folders it may use, in pipeline order (the order the doc's graph lists them in).</summary>
    internal static readonly IReadOnlyList<KeyValuePair<string, string[]>> Allowed =
    [
        new("root", []),
        new("Physics", ["root"]),
        new("IO", ["root"]),
        new("Registration", ["root"]),
        new("Segmentation", ["root"]),
        new("Tracking", ["root", "Registration", "Segmentation"]),
        new("Measurement", ["root", "Tracking"]),
        new("Fitting", ["root", "Physics"]),
        new("Simulation", ["root", "Physics", "Measurement"]),
        new("Plotting", ["root", "Measurement", "Fitting", "Tracking"]),
        new("Reporting", ["root", "Measurement", "Fitting", "Tracking"]),
        new("Pipeline", ["root", "Physics", "IO", "Registration", "Segmentation", "Tracking", "Measurement", "Fitting", "Simulation", "Plotting", "Reporting"]),
    ];

    /// <summary>True when the table lets <paramref name="from"/> use <paramref name="to"/> (every folder may use itself).</summary>
    internal static bool IsAllowed(string from, string to) =>
        from == to || Allowed.Any(a => a.Key == from && a.Value.Contains(to));

    /// <summary>Library folders that the table does not name.</summary>
    internal static IReadOnlyList<string> FoldersMissingFromTable() =>
        Assemblies.Library.Types.Select(t => Assemblies.LibraryFolder(t.Namespace)).OfType<string>()
            .Distinct().Where(f => Allowed.All(a => a.Key != f)).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Table_NamesEveryFolderOnce_AndOnlyFoldersOfTheTable()
    {
        Assert.Equal(Allowed.Count, Allowed.Select(a => a.Key).Distinct().Count());
        foreach (var (folder, uses) in Allowed)
            foreach (var used in uses)
                Assert.True(Allowed.Any(a => a.Key == used), $"{folder} may use {used}, which is not a folder of the table");
    }

    [Fact]
    public void LibraryFolders_UseOnlyTheFoldersTheTableAllows()
    {
        var edges = Assemblies.LibraryFolderEdges();
        var message = new StringBuilder();
        var missing = FoldersMissingFromTable();
        foreach (var folder in missing)
            message.AppendLine($"folder {folder} is not in the table of {nameof(FolderDependencyTests)}.{nameof(Allowed)}: add it with the folders it may use");
        var forbidden = edges.Where(e => !IsAllowed(e.Key.From, e.Key.To)).ToList();
        foreach (var ((from, to), e) in forbidden)
            message.AppendLine($"{from} -> {to}: {e.FromType} -> {e.ToType} in {e.Where}");
        foreach (var ((from, to), _) in edges)
            output.WriteLine($"{from} -> {to}{(IsAllowed(from, to) ? "" : "   FORBIDDEN")}");
        Assert.True(message.Length == 0,
            $"{forbidden.Count} forbidden folder dependencies (folder -> folder: one example type -> referenced type in member):{Environment.NewLine}{message}");
    }

    /// <summary>
    /// The CLI talks to the library through its public surface only ("Pipeline plus public result types": the
    /// Pipeline types it calls are public too). The library gives the CLI no InternalsVisibleTo, so this guards
    /// against one being added; which folders the CLI uses is drawn in docs/architecture.md (and pinned there by
    /// <see cref="ArchitectureDocTests"/>).
    /// </summary>
    [Fact]
    public void Cli_ReferencesOnlyPublicLibraryTypes()
    {
        var publicTypes = Assemblies.Library.Types.Where(t => t.IsPublic).Select(t => t.FullName).ToHashSet(StringComparer.Ordinal);
        var nonPublic = Assemblies.Cli.Edges.Where(e => e.ToAssembly == Assemblies.LibraryRoot && !publicTypes.Contains(e.ToType))
            .OrderBy(e => e.ToType, StringComparer.Ordinal).ThenBy(e => e.Where, StringComparer.Ordinal)
            .Select(e => $"{e.FromType} -> {e.ToType} in {e.Where}").Distinct().ToList();
        foreach (var (folder, e) in Assemblies.CliUses())
            output.WriteLine($"CLI uses {folder} (e.g. {e.FromType} -> {e.ToType})");
        Assert.True(nonPublic.Count == 0, "the CLI references non-public library types:" + Environment.NewLine + string.Join(Environment.NewLine, nonPublic));
        Assert.NotEmpty(Assemblies.CliUses()); // the reader does see the CLI's calls into the library
    }
}
