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
}
