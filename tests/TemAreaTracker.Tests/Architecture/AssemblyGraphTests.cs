using Xunit;

namespace TemAreaTracker.Tests.Architecture
{
    /// <summary>The IL reader sees references that exist only inside method bodies (here: inside a lambda).</summary>
    public class AssemblyGraphTests
    {
        private const string FixtureRoot = "TemAreaTracker.Tests.Architecture.Fixtures";
        private static readonly Lazy<AssemblyGraph> TestAssembly = new(() => AssemblyGraph.Read(typeof(AssemblyGraphTests).Assembly.Location));

        [Fact]
        public void Read_FindsStaticCallInsideALambda_AttributedToTheDeclaringTopLevelType()
        {
            var edges = TestAssembly.Value.Edges.Where(e => e.FromType == typeof(Fixtures.Caller.BodyOnlyCaller).FullName).ToList();

            var toCallee = Assert.Single(edges, e => e.ToType == typeof(Fixtures.Callee.Target).FullName);
            // Found in the compiler-generated closure class's lambda method, not in a signature.
            Assert.Contains("/<>c::<Make>", toCallee.Where);
            // A call into another assembly (the library) inside the same lambda.
            var toLibrary = Assert.Single(edges, e => e.ToType == typeof(TemAreaTracker.Physics.CrankSphere).FullName);
            Assert.Equal(Assemblies.LibraryRoot, toLibrary.ToAssembly);
            Assert.Equal("TemAreaTracker.Physics", toLibrary.ToNamespace);
        }

        [Fact]
        public void Read_ReducesGenericInstancesToTheirElementTypes()
        {
            // new List<Payload>() inside the lambda names Payload only as a generic argument.
            Assert.Contains(TestAssembly.Value.Edges, e =>
                e.FromType == typeof(Fixtures.Caller.BodyOnlyCaller).FullName && e.ToType == typeof(Fixtures.Callee.Payload).FullName);
        }

        [Fact]
        public void FolderEdges_MapNamespacesToFolders()
        {
            var edges = TestAssembly.Value.FolderEdges(FixtureRoot, typeof(AssemblyGraphTests).Assembly.GetName().Name!);
            Assert.Equal([("Caller", "Callee")], edges.Keys);
        }

        [Theory]
        [InlineData("TemAreaTracker", "root")]
        [InlineData("TemAreaTracker.IO", "IO")]
        [InlineData("TemAreaTracker.IO.Tiff", "IO")]
        [InlineData("TemAreaTrackerX", null)]
        [InlineData("System.IO", null)]
        public void FolderOf_MapsSubNamespacesToTheirFolder(string ns, string? folder) =>
            Assert.Equal(folder, AssemblyGraph.FolderOf(ns, "TemAreaTracker"));
    }
}

namespace TemAreaTracker.Tests.Architecture.Fixtures.Caller
{
    /// <summary>Names <see cref="Callee.Target"/> and the library only inside a lambda's body, never in a signature.</summary>
    internal static class BodyOnlyCaller
    {
        public static Func<double, double> Make() =>
            tau => Callee.Target.Twice(TemAreaTracker.Physics.CrankSphere.Uptake(tau)) + new List<Callee.Payload>().Count;
    }
}

namespace TemAreaTracker.Tests.Architecture.Fixtures.Callee
{
    internal static class Target
    {
        public static double Twice(double x) => 2 * x;
    }

    internal sealed class Payload;
}
