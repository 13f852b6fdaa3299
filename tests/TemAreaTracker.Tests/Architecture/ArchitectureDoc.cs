using System.Text;

namespace TemAreaTracker.Tests.Architecture;

/// <summary>
/// Writes the folder graph of docs/architecture.md from the compiled assemblies: one Mermaid node per library
/// folder (pipeline order of <see cref="FolderDependencyTests.Allowed"/>, then any folder the table lacks), an arrow
/// "A --> B" where code in A uses a type of B, and the CLI's arrows into the library. An arrow the table forbids is
/// drawn dashed and labelled, so a loop shows in the picture until it is fixed.
/// </summary>
internal static class ArchitectureDoc
{
    public const string Begin = "<!-- folder-graph:begin -->";
    public const string End = "<!-- folder-graph:end -->";
    private const string CliNode = "CLI";

    /// <summary>The text between the markers (a fenced Mermaid block), newline-terminated lines.</summary>
    public static string FolderGraphBlock()
    {
        var edges = Assemblies.LibraryFolderEdges();
        var cliUses = Assemblies.CliUses();
        var folders = Assemblies.Library.Types.Select(t => Assemblies.LibraryFolder(t.Namespace)).OfType<string>()
            .Concat(edges.Keys.SelectMany(k => new[] { k.From, k.To })).Distinct().ToList();
        var tableOrder = FolderDependencyTests.Allowed.Select(a => a.Key).ToList();
        var ordered = folders.Where(tableOrder.Contains).OrderBy(tableOrder.IndexOf)
            .Concat(folders.Where(f => !tableOrder.Contains(f)).Order(StringComparer.Ordinal)).ToList();
        int Rank(string folder) => ordered.IndexOf(folder);

        var sb = new StringBuilder();
        sb.Append("```mermaid\n");
        sb.Append("graph TD\n");
        sb.Append($"    {CliNode}[\"temtrack CLI\"]\n");
        foreach (var f in ordered)
            sb.Append(f == "root" ? "    root[\"root: core types\"]\n" : $"    {f}\n");
        foreach (var folder in cliUses.Keys.OrderBy(Rank))
            sb.Append($"    {CliNode} --> {folder}\n");
        foreach (var (from, to) in edges.Keys.OrderBy(k => Rank(k.From)).ThenBy(k => Rank(k.To)))
            sb.Append(FolderDependencyTests.IsAllowed(from, to) ? $"    {from} --> {to}\n" : $"    {from} -. not allowed .-> {to}\n");
        sb.Append("```\n");
        return sb.ToString();
    }

    /// <summary><paramref name="document"/> with the text between the markers replaced by <paramref name="block"/>
    /// (line endings normalised to \n).</summary>
    public static string WithFolderGraph(string document, string block)
    {
        string text = document.Replace("\r\n", "\n", StringComparison.Ordinal);
        int begin = text.IndexOf(Begin, StringComparison.Ordinal);
        int end = text.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin) throw new InvalidOperationException($"markers {Begin} ... {End} not found (in this order)");
        int contentStart = begin + Begin.Length;
        return text[..contentStart] + "\n" + block + text[end..];
    }

    /// <summary>The checkout's root: the first folder upward from the test binaries that holds TemAreaTracker.sln.</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TemAreaTracker.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"no TemAreaTracker.sln above {AppContext.BaseDirectory}");
    }
}
