namespace TemAreaTracker.Tests.Architecture;

/// <summary>The compiled assemblies under architecture test, each read once per test run.</summary>
internal static class Assemblies
{
    /// <summary>Root namespace (and assembly name) of the library: its folders are the namespaces below it.</summary>
    public const string LibraryRoot = "TemAreaTracker";

    /// <summary>Root namespace of the CLI project (assembly temtrack).</summary>
    public const string CliRoot = "TemAreaTracker.Cli";

    private static readonly Lazy<AssemblyGraph> LibraryGraph = new(() => AssemblyGraph.Read(typeof(Movie).Assembly.Location));
    private static readonly Lazy<AssemblyGraph> CliGraph = new(() => AssemblyGraph.Read(typeof(TemAreaTracker.Cli.CliRunner).Assembly.Location));

    /// <summary>TemAreaTracker.dll as built next to the tests.</summary>
    public static AssemblyGraph Library => LibraryGraph.Value;

    /// <summary>temtrack.dll (the CLI) as built next to the tests.</summary>
    public static AssemblyGraph Cli => CliGraph.Value;

    /// <summary>Folder of a library namespace ("root", "IO", ...), or null outside the library.</summary>
    public static string? LibraryFolder(string ns) => AssemblyGraph.FolderOf(ns, LibraryRoot);

    /// <summary>Folder-to-folder edges inside the library, each with its first example.</summary>
    public static SortedDictionary<(string From, string To), TypeEdge> LibraryFolderEdges() => Library.FolderEdges(LibraryRoot, LibraryRoot);

    /// <summary>Library folders the CLI uses, each with its first example (the CLI's own folders merged into one).</summary>
    public static SortedDictionary<string, TypeEdge> CliUses()
    {
        var result = new SortedDictionary<string, TypeEdge>(StringComparer.Ordinal);
        foreach (var e in Cli.Edges.Where(e => e.ToAssembly == LibraryRoot)
                     .OrderBy(e => e.FromType, StringComparer.Ordinal).ThenBy(e => e.ToType, StringComparer.Ordinal).ThenBy(e => e.Where, StringComparer.Ordinal))
        {
            if (LibraryFolder(e.ToNamespace) is string to) result.TryAdd(to, e);
        }
        return result;
    }
}
