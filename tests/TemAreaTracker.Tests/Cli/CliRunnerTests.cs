using TemAreaTracker.Cli;
using TemAreaTracker.Cli.Commands;
using Xunit;

namespace TemAreaTracker.Tests.Cli;

public class CliRunnerTests
{
    [Theory]
    [InlineData(new[] { "track", "a.tif", "b.tif", "--auto", "--out", "x" }, "track takes one movie, got 2: a.tif, b.tif")]
    [InlineData(new[] { "track", "--out", "x", "a.tif", "--auto", "b.tif" }, "track takes one movie, got 2: a.tif, b.tif")]
    [InlineData(new[] { "info", "m1.dm4", "m2.dm4", "m3.dm4", "m4.dm4" }, "info takes one movie, got 4: m1.dm4, m2.dm4, m3.dm4, … (4 in all)")]
    [InlineData(new[] { "fit", "a/areas.csv", "b/areas.csv", "--out", "f" }, "fit takes one areas.csv, got 2")]
    [InlineData(new[] { "compare", "a", "b", "c", "--out", "cmp" }, "compare takes two fit folders")]
    public void SeveralInputs_PointToBatch_OrSayWhatTheVerbTakes(string[] args, string expected)
    {
        string? hint = CliRunner.ExtraArgumentHint(args);
        Assert.NotNull(hint);
        Assert.StartsWith(expected, hint);
        if (args[0] is "track" or "info") Assert.Contains("temtrack batch", hint);
    }

    [Theory]
    [InlineData("track a.tif --out x")]
    [InlineData("track a.tif --pixel-size-nm 0.5 --out x --force")]
    [InlineData("compare a b --label-a x --out c")]
    [InlineData("simulate --out x")]
    public void OneInput_NoHint(string commandLine) => Assert.Null(CliRunner.ExtraArgumentHint(commandLine.Split(' ')));

    /// <summary>The help of every verb that takes a movie names every format the readers open.</summary>
    [Fact]
    public void MovieHelp_ListsEveryReadableFormat()
    {
        foreach (var format in new[] { "AVI", "MP4", "TIFF", "PNG", "DM3", "DM4", "SER", "Velox", "Berkeley EMD", "MRC" })
            Assert.Contains(format, MovieFormats.Description);
    }
}
