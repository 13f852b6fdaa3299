using TemAreaTracker.Tests.Architecture;
using Xunit;

namespace TemAreaTracker.Tests.Fitting;

/// <summary>Physics and fitting stay pure: no I/O, no imaging, no plotting (ScottPlot's ForbiddenCodeTests in spirit).</summary>
public class PurityTests
{
    private static string SourceRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TemAreaTracker.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir!.FullName, "src", "TemAreaTracker");
    }

    [Theory]
    [InlineData("Physics")]
    [InlineData("Fitting")]
    public void Folder_ReferencesNoIoImagingOrPlotting(string folder)
    {
        string[] forbidden = ["using ScottPlot", "using OpenCvSharp", "using TemAreaTracker.IO", "using System.IO", "File.", "Directory.", "Console.", "OpenCvSharp.", "ScottPlot."];
        var files = Directory.GetFiles(Path.Combine(SourceRoot(), folder), "*.cs");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            string text = File.ReadAllText(file);
            foreach (var token in forbidden)
                Assert.False(text.Contains(token, StringComparison.Ordinal), $"{Path.GetFileName(file)} uses {token}");
        }
    }

    /// <summary>The same rule on the compiled IL, so a fully qualified name or a call inside a method body counts
    /// too: no type of our IO folder, OpenCvSharp, ScottPlot, System.IO (files, directories, streams) or Console.</summary>
    [Theory]
    [InlineData("Physics")]
    [InlineData("Fitting")]
    public void Folder_CompiledCodeReferencesNoIoImagingOrPlotting(string folder)
    {
        var types = Assemblies.Library.Types.Where(t => Assemblies.LibraryFolder(t.Namespace) == folder).ToList();
        Assert.NotEmpty(types);
        var offending = Assemblies.Library.Edges
            .Where(e => Assemblies.LibraryFolder(e.FromNamespace) == folder && IsForbiddenInPureCode(e))
            .OrderBy(e => e.FromType, StringComparer.Ordinal).ThenBy(e => e.ToType, StringComparer.Ordinal).ThenBy(e => e.Where, StringComparer.Ordinal)
            .Select(e => $"{e.FromType} -> {e.ToType} in {e.Where}").ToList();
        Assert.True(offending.Count == 0, $"{folder} must stay pure but references:{Environment.NewLine}{string.Join(Environment.NewLine, offending)}");
    }

    private static bool IsForbiddenInPureCode(TypeEdge e) =>
        (e.ToAssembly == Assemblies.LibraryRoot && Assemblies.LibraryFolder(e.ToNamespace) == "IO")
        || InNamespace(e.ToNamespace, "OpenCvSharp") || InNamespace(e.ToNamespace, "ScottPlot") || InNamespace(e.ToNamespace, "System.IO")
        || e.ToType == "System.Console";

    private static bool InNamespace(string ns, string root) => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);
}
