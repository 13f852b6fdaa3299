using System.Text.Json;
using BitMiracle.LibTiff.Classic;
using Spectre.Console.Cli;
using Spectre.Console.Testing;
using TemAreaTracker.Cli.Commands;
using TemAreaTracker.IO;
using TemAreaTracker.Tests.IO;
using Xunit;

namespace TemAreaTracker.Tests.Cli;

public class InfoCommandTests
{
    private sealed record Result(int ExitCode, string Output);

    /// <summary>Runs the real verb registration against a TestConsole (Spectre.Console.Cli.Testing is not referenced).</summary>
    private static Result Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 240;
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.ConfigureConsole(console);
            c.PropagateExceptions();
            Commands.Register(c);
        });
        int code = app.Run(args);
        return new Result(code, console.Output);
    }

    [Fact]
    public void Json_HasContractKeys_WithCalibrationAndSources()
    {
        string path = Path.Combine(TestData.NewFolder("info"), "stack.tif");
        TiffMovieTests.WriteTiff(path, 24, 16, 4, 16, SampleFormat.UINT, (k, x, y) => k + x + y,
            "ImageJ=1.54f\nimages=4\nframes=4\nunit=nm\nfinterval=2\n", xres: 0.25);
        var result = Run("info", path, "--json");
        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Output);
        var o = doc.RootElement;
        Assert.Equal(4, o.GetProperty("frames").GetInt32());
        Assert.Equal(24, o.GetProperty("width").GetInt32());
        Assert.Equal(16, o.GetProperty("height").GetInt32());
        Assert.Equal("uint16", o.GetProperty("dtype").GetString());
        Assert.Equal(4.0, o.GetProperty("pixel_size_nm").GetDouble(), 9);
        Assert.Equal("imagej-tiff", o.GetProperty("pixel_size_source").GetString());
        Assert.Equal(2.0, o.GetProperty("frame_interval_s").GetDouble(), 12);
        Assert.Equal("imagej-finterval", o.GetProperty("frame_interval_source").GetString());
    }

    [Fact]
    public void Json_UnknownCalibration_IsNull()
    {
        string path = Path.Combine(TestData.NewFolder("info"), "plain.tif");
        TiffMovieTests.WriteTiff(path, 10, 12, 1, 8, SampleFormat.UINT, (_, x, y) => x * y);
        var result = Run("info", path, "--json");
        using var doc = JsonDocument.Parse(result.Output);
        foreach (var key in new[] { "pixel_size_nm", "pixel_size_source", "frame_interval_s", "frame_interval_source" })
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty(key).ValueKind);
    }

    [Fact]
    public void Table_ShowsPixelSizeAndSource_ForRealFile()
    {
        var result = Run("info", TestData.Real("chenlabUIUC_particle-identification/SAMPLE_0001.tif"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("2.59283 nm", result.Output);
        Assert.Contains("imagej-tiff", result.Output);
        Assert.Contains("1024 x 1024 px", result.Output);
        Assert.Contains("-32768", result.Output);
    }

    [Fact]
    public void CorruptFile_ThrowsFormatErrorNamingTheFile()
    {
        string path = Path.Combine(TestData.NewFolder("info"), "broken.dm4");
        File.WriteAllBytes(path, [0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0xFF]);
        var e = Assert.Throws<MovieFormatException>(() => Run("info", path));
        Assert.Contains("broken.dm4", e.Message);
        Assert.Contains("dm4", e.Format);
    }

    [Fact]
    public void ReadAll_ReportsWhereATruncatedStackStops()
    {
        var bytes = TiffMovieTests.ImageJContiguous(10, 6, 5, 5);
        string path = Path.Combine(TestData.NewFolder("info"), "cut.tif");
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 130).ToArray());
        var result = Run("info", path, "--json", "--read-all");
        using var doc = JsonDocument.Parse(result.Output);
        Assert.Equal(5, doc.RootElement.GetProperty("frames").GetInt32());
        Assert.Equal(3, doc.RootElement.GetProperty("frames_read").GetInt32());
        Assert.StartsWith("truncated at frame 3 (byte ", doc.RootElement.GetProperty("stopped_early").GetString());
    }

    private static string BerkeleyWithTwoDatasets()
    {
        string path = Path.Combine(TestData.NewFolder("info"), "acq.emd");
        return BerkeleyEmdWriter.Write(path,
            ("survey", BerkeleyEmdWriter.Group(new byte[30, 40], BerkeleyEmdWriter.Dim(BerkeleyEmdWriter.Coords(30, 2), "y", "nm"),
                BerkeleyEmdWriter.Dim(BerkeleyEmdWriter.Coords(40, 2), "x", "nm"))),
            ("insitu", BerkeleyEmdWriter.Group(BerkeleyEmdWriter.Stack16(4, 8, 12), BerkeleyEmdWriter.Dim(BerkeleyEmdWriter.Coords(4, 0.1), "t", "s"),
                BerkeleyEmdWriter.Dim(BerkeleyEmdWriter.Coords(8, 0.25), "y", "[n_m]"), BerkeleyEmdWriter.Dim(BerkeleyEmdWriter.Coords(12, 0.25), "x", "[n_m]"))));
    }

    [Fact]
    public void Table_BerkeleyEmd_DescribesTheFirstDataset_AndListsTheOthers()
    {
        var result = Run("info", BerkeleyWithTwoDatasets());
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("emd-berkeley", result.Output);
        Assert.Contains("12 x 8 px", result.Output);          // "insitu" comes before "survey" in name order
        Assert.Contains("0.25 nm  (emd-dims)", result.Output);
        Assert.Contains("0.1 s  (emd-dims)", result.Output);
        Assert.Contains("other datasets in this file: survey (describe or track one with --dataset NAME)", result.Output);
    }

    [Fact]
    public void DatasetOption_DescribesThatDataset()
    {
        var result = Run("info", BerkeleyWithTwoDatasets(), "--dataset", "survey", "--json");
        using var doc = JsonDocument.Parse(result.Output);
        Assert.Equal((40, 30, 1), (doc.RootElement.GetProperty("width").GetInt32(), doc.RootElement.GetProperty("height").GetInt32(),
            doc.RootElement.GetProperty("frames").GetInt32()));
        Assert.Equal("insitu", doc.RootElement.GetProperty("metadata").GetProperty("emd.other_datasets").GetString());
    }

    [Fact]
    public void UnknownDataset_IsOneLineListingTheAvailableOnes()
    {
        string path = BerkeleyWithTwoDatasets();
        var e = Assert.Throws<MovieFormatException>(() => Run("info", path, "--dataset", "movie"));
        Assert.Equal($"{path}: emd-berkeley: no dataset 'movie'; this file holds: insitu, survey", e.Message);
    }
}
