using TemAreaTracker.Cli;
using TemAreaTracker.Pipeline;
using TemAreaTracker.Tests.Cli;
using Xunit;

namespace TemAreaTracker.Tests.Safety;

/// <summary>
/// The output-folder rules hold for every command, in process (the CLI's registration and error mapping): compare and
/// simulate beside track and fit, whose process-level cases are in <see cref="BadInputProcessTests"/>.
/// </summary>
public sealed class OutputRulesPerCommandTests : IDisposable
{
    private readonly CliFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string P(string name) => Path.Combine(_f.Dir, name);

    /// <summary>Two conditions' fit.json, each in a folder of its own.</summary>
    private (string A, string B) TwoConditions()
    {
        string csv = _f.AreasCsv("areas.csv", ("P1", 1, 5e-12), ("P2", 2, 3e-12));
        Assert.Equal(0, CliFixture.Run("fit", csv, "--bootstrap", "0", "--out", P("runs/a/fit")));
        Assert.Equal(0, CliFixture.Run("fit", csv, "--bootstrap", "0", "--out", P("runs/b/fit")));
        return (P("runs/a"), P("runs/b"));
    }

    [Fact]
    public void Compare_OutThatIsOrContainsAnInput_Refused_NothingWritten()
    {
        var (a, b) = TwoConditions();
        var before = Safe.Hashes(P("runs"));
        Assert.Equal($"--out {a} is the input A {a}; choose another output folder",
            CliFixture.Fails("compare", a, b, "--force", "--out", a).Message);
        Assert.Equal($"--out {P("runs")} contains the input A {a}; choose an output folder that holds no input",
            CliFixture.Fails("compare", a, b, "--force", "--out", P("runs")).Message);
        Assert.Equal(CliRunner.BadInput, CliFixture.Run("compare", a, b, "--force", "--out", P("runs")));
        Assert.Equal(before, Safe.Hashes(P("runs")));
        Safe.NoTemporaryFolders(_f.Dir);

        // Inside an input folder is fine, and the marker says who wrote it.
        Assert.Equal(0, CliFixture.Run("compare", a, b, "--out", P("runs/a/cmp")));
        Assert.Contains("\"command\": \"compare\"", File.ReadAllText(P("runs/a/cmp/" + OutputFolder.MarkerFile)));
    }

    [Fact]
    public void Compare_NeverReadsAPartialFolder()
    {
        var (a, b) = TwoConditions();
        // A fit killed while writing leaves .NAME.partial-…; its fit.json must not count as a result.
        string partial = P($"runs/a/.fit2.partial-{OutputOwner.Host}-999999-1-0123abcd");
        Directory.CreateDirectory(partial);
        File.WriteAllText(Path.Combine(partial, "fit.json"), "{ half written");
        Assert.Equal(0, CliFixture.Run("compare", a, b, "--out", P("cmp")));
    }

    [Fact]
    public void Simulate_ForceOnAFolderWithAForeignFile_Refused_ThenItsOwnOutputReplaced()
    {
        string[] sim = ["simulate", "--scenario", "isolated", "--frames", "5", "--size", "96x80", "--force", "--out", P("sim")];
        Directory.CreateDirectory(P("sim"));
        File.WriteAllText(P("sim/thesis.tex"), "the user's thesis");
        Assert.Equal($"{P("sim")}: holds thesis.tex, which temtrack did not write; --force replaces only temtrack output folders: move it away or choose another --out",
            CliFixture.Fails(sim).Message);
        Assert.Equal("the user's thesis", File.ReadAllText(P("sim/thesis.tex")));

        File.Delete(P("sim/thesis.tex"));
        Assert.Equal(0, CliFixture.Run(sim));
        Assert.Equal(0, CliFixture.Run([.. sim[..^3], "--format", "png", "--force", "--out", P("sim")]));
        Assert.Equal(5, Directory.GetFiles(P("sim/movie"), "*.png").Length);
        Assert.False(File.Exists(P("sim/movie.tif")));
    }

    [Fact]
    public void Fit_AFileInPlaceOfTheOutputFolder_RefusedEvenWithForce()
    {
        string csv = _f.AreasCsv("areas.csv", ("P1", 1, 5e-12));
        File.WriteAllText(P("results"), "a file of the user's");
        Assert.Equal($"{P("results")}: is a file, not an output folder", CliFixture.Fails("fit", csv, "--bootstrap", "0", "--force", "--out", P("results")).Message);
        Assert.Equal("a file of the user's", File.ReadAllText(P("results")));
    }
}
