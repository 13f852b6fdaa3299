using Xunit;
using Xunit.Abstractions;

namespace TemAreaTracker.Tests.Architecture;

/// <summary>Public against internal top-level types per library folder, printed for before/after reports.</summary>
public class PublicSurfaceTests(ITestOutputHelper output)
{
    /// <summary>(folder, public, internal) per folder in ordinal order, read from the compiled library; types the
    /// compiler emits outside our namespaces (attributes such as System.Runtime.CompilerServices.NullableAttribute)
    /// are not counted.</summary>
    internal static IReadOnlyList<(string Folder, int Public, int Internal)> CountsPerFolder() =>
        Assemblies.Library.Types
            .Where(t => Assemblies.LibraryFolder(t.Namespace) is not null)
            .GroupBy(t => Assemblies.LibraryFolder(t.Namespace)!)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count(t => t.IsPublic), g.Count(t => !t.IsPublic)))
            .ToList();

    [Fact]
    public void PrintsPublicAndInternalTopLevelTypesPerFolder()
    {
        var counts = CountsPerFolder();
        output.WriteLine($"{"folder",-14} {"public",6} {"internal",8}");
        foreach (var (folder, pub, intern) in counts)
            output.WriteLine($"{folder,-14} {pub,6} {intern,8}");
        output.WriteLine($"{"total",-14} {counts.Sum(c => c.Public),6} {counts.Sum(c => c.Internal),8}");
        output.WriteLine("public types of IO: " + string.Join(", ", Assemblies.Library.Types
            .Where(t => t.IsPublic && Assemblies.LibraryFolder(t.Namespace) == "IO").Select(t => t.FullName["TemAreaTracker.IO.".Length..]).Order(StringComparer.Ordinal)));
        output.WriteLine("not counted (emitted by the compiler): " + string.Join(", ", Assemblies.Library.Types
            .Where(t => Assemblies.LibraryFolder(t.Namespace) is null).Select(t => t.FullName).Order(StringComparer.Ordinal)));
        Assert.Contains(counts, c => c.Folder == "root" && c.Public > 0);
    }
}
