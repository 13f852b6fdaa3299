using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Testing;
using TemAreaTracker.Cli;
using TemAreaTracker.Cli.Commands;
using TemAreaTracker.Tests.Pipeline;
using Xunit;

namespace TemAreaTracker.Tests.Cli;

/// <summary>
/// <c>temtrack track</c> through Spectre's parser: option validation, bad input (one line naming the file, no DIR),
/// output, progress lines and the summary table. Movies and ROIs come from in-test fakes via the command's seams, so
/// these tests do not depend on the movie readers or the ROI reader.
/// </summary>
public sealed class TrackCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("trackcli-").FullName;
    private readonly StringWriter _stderr = new();
    private readonly TestConsole _console = new();

    public TrackCommandTests()
    {
        TrackCommand.StdErrOverride.Value = _stderr;
        _console.Profile.Width = 160;
    }

    public void Dispose()
    {
        TrackCommand.StdErrOverride.Value = null;
        TrackCommand.OpenMovieOverride.Value = null;
        TrackCommand.ReadRoisOverride.Value = null;
        _console.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private string P(string name) => Path.Combine(_root, name);

    private int Run(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.ConfigureConsole(_console);
            c.PropagateExceptions();
            Commands.Register(c);
        });
        return app.Run(args);
    }

    /// <summary>A fake movie file and ROI file on disk, served by the seams.</summary>
    private (string Movie, string Rois) Inputs(Func<string, SyntheticMovie> movie)
    {
        string m = P("movie.avi"), r = P("RoiSet.zip");
        File.WriteAllBytes(m, [0, 1, 2]);
        File.WriteAllBytes(r, [3, 4]);
        TrackCommand.OpenMovieOverride.Value = movie;
        TrackCommand.ReadRoisOverride.Value = _ => SyntheticMovie.Outlines();
        return (m, r);
    }

    [Theory]
    [InlineData("--pixel-size-nm", "0", "--pixel-size-nm must be > 0 (got 0)")]
    [InlineData("--pixel-size-nm", "-0.5", "--pixel-size-nm must be > 0 (got -0.5)")]
    [InlineData("--frame-interval-s", "0", "--frame-interval-s must be > 0 (got 0)")]
    [InlineData("--scale-bar-nm", "-100", "--scale-bar-nm must be > 0 (got -100)")]
    public void Validate_NonPositiveCalibration_OneLineError(string option, string value, string expected)
    {
        var e = Assert.Throws<CommandRuntimeException>(() => Run("track", P("m.avi"), "--rois", P("r.zip"), option, value, "--out", P("out")));
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Directory.Exists(P("out")));
    }

    [Fact]
    public void Validate_NoRoisNoAuto_SaysWhatToPass()
    {
        var e = Assert.Throws<CommandRuntimeException>(() => Run("track", P("m.avi"), "--out", P("out")));
        Assert.Contains("--rois", e.Message);
        Assert.Contains("--auto", e.Message);
    }

    [Fact]
    public void Validate_NoOut_IsAnError()
    {
        var e = Assert.Throws<CommandRuntimeException>(() => Run("track", P("m.avi"), "--rois", P("r.zip")));
        Assert.Contains("--out DIR is required", e.Message);
    }

    [Fact]
    public void MissingMovie_NamesIt_ExitCode2_NoDir()
    {
        var e = Assert.Throws<UserInputException>(() => Run("track", P("nope.avi"), "--rois", P("r.zip"), "--out", P("out")));
        Assert.Equal($"{P("nope.avi")}: no such movie file or folder", e.Message);
        Assert.False(Directory.Exists(P("out")));

        var app = new CommandApp();
        app.Configure(c => { c.ConfigureConsole(_console); c.PropagateExceptions(); Commands.Register(c); });
        Assert.Equal(CliRunner.BadInput, CliRunner.Run(app, ["track", P("nope.avi"), "--rois", P("r.zip"), "--out", P("out")]));
    }

    [Fact]
    public void MissingRoiFile_NamesIt()
    {
        var (movie, _) = Inputs(p => new SyntheticMovie(p));
        var e = Assert.Throws<UserInputException>(() => Run("track", movie, "--rois", P("none.zip"), "--out", P("out")));
        Assert.Equal($"{P("none.zip")}: no such ROI file", e.Message);
    }

    [Fact]
    public void RoiFileNotImageJ_OneLineNamingTheFile()
    {
        var (movie, rois) = Inputs(p => new SyntheticMovie(p));
        TrackCommand.ReadRoisOverride.Value = _ => throw new FormatException("bad magic 'PK\\x03\\x04' expected 'Iout'");
        var e = Assert.Throws<InvalidDataException>(() => Run("track", movie, "--rois", rois, "--out", P("out")));
        Assert.StartsWith($"{rois}: not an ImageJ ROI", e.Message);
        Assert.False(Directory.Exists(P("out")));
    }

    [Fact]
    public void ExistingOut_RefusedWithoutForce_Untouched()
    {
        var (movie, rois) = Inputs(p => new SyntheticMovie(p));
        Directory.CreateDirectory(P("out"));
        File.WriteAllText(P("out/keep.txt"), "mine");
        var e = Assert.Throws<IOException>(() => Run("track", movie, "--rois", rois, "--out", P("out")));
        Assert.Contains("already exists; pass --force", e.Message);
        Assert.Equal("mine", File.ReadAllText(P("out/keep.txt")));

        e = Assert.Throws<IOException>(() => Run("track", movie, "--rois", rois, "--pixel-size-nm", "1", "--out", P("out"), "--force"));
        Assert.Contains("holds keep.txt, which temtrack did not write", e.Message);
        Assert.Equal("mine", File.ReadAllText(P("out/keep.txt")));

        File.Delete(P("out/keep.txt"));
        Assert.Equal(0, Run("track", movie, "--rois", rois, "--pixel-size-nm", "1", "--out", P("out"), "--force"));
        Assert.True(File.Exists(P("out/areas.csv")));
    }

    [Fact]
    public void Track_Redirected_PlainProgressLines_SummaryTable_WarningsOnStderr()
    {
        var (movie, rois) = Inputs(p => new SyntheticMovie(p, frames: 20));
        int rc = Run("track", movie, "--rois", rois, "--pixel-size-nm", "0.5", "--out", P("out"));
        Assert.Equal(0, rc);
        string stdout = _console.Output;
        Assert.Contains("track: 2/20 frames (10%)", stdout);
        Assert.Contains("track: 20/20 frames (100%)", stdout);
        Assert.Equal(10, stdout.Split('\n').Count(l => l.StartsWith("track: ")));
        Assert.Contains("particle-A", stdout);
        Assert.Contains("particle-B", stdout);
        Assert.Contains("initial area (nm²)", stdout);
        Assert.Contains("growth", stdout);
        Assert.Contains("100 %", stdout); // every frame ok with the placeholder tracker
        Assert.Contains("no frame interval", _stderr.ToString());
        Assert.Contains("calibration: pixel 0.5 nm (--pixel-size-nm), no frame interval (time = frame index)", stdout);
        foreach (var f in new[] { "areas.csv", "areas.png", "areas.svg", "overlay.avi", "contact-sheet.png", "outlines.zip", "run.json" })
            Assert.True(File.Exists(P("out/" + f)), f);
    }

    [Fact]
    public void Track_Terminal_ShowsProgressBarWithFramesPerSecond()
    {
        var (movie, rois) = Inputs(p => new SyntheticMovie(p, frames: 10));
        _console.Interactive().EmitAnsiSequences();
        _console.Profile.Capabilities.Ansi = true;
        Assert.Equal(0, Run("track", movie, "--rois", rois, "--pixel-size-nm", "1", "--frame-interval-s", "1", "--out", P("out")));
        string stdout = _console.Output;
        Assert.Contains("tracking movie.avi", stdout);
        Assert.Contains("10/10 frames", stdout);
        Assert.Contains("frames/s", stdout);
        Assert.DoesNotContain("track: ", stdout);
        Assert.Contains("particle-A", stdout);
    }

    [Fact]
    public void Track_Uncalibrated_LoudWarningOnStderr_TableInPx2()
    {
        var (movie, rois) = Inputs(p => new SyntheticMovie(p, frames: 3));
        Assert.Equal(0, Run("track", movie, "--rois", rois, "--frame-interval-s", "2", "--out", P("out")));
        Assert.Contains("NO PIXEL SIZE", _stderr.ToString());
        Assert.Contains("initial area (px²)", _console.Output);
    }

    [Fact]
    public void Track_TruncatedMovie_ExitZero_SaysWhereItStopped()
    {
        var (movie, rois) = Inputs(p => new SyntheticMovie(p, frames: 50, truncateAt: 41));
        Assert.Equal(0, Run("track", movie, "--rois", rois, "--pixel-size-nm", "1", "--out", P("out")));
        Assert.Contains("truncated at frame 41", _stderr.ToString());
        Assert.Contains("41 frames tracked", _console.Output);
    }

    /// <summary>The contract's third ROI form: a JSON file of named polygons, read by the real reader.</summary>
    [Fact]
    public void Track_JsonOutlines_AreRead()
    {
        var (movie, _) = Inputs(p => new SyntheticMovie(p, frames: 3));
        TrackCommand.ReadRoisOverride.Value = null;
        string json = P("outlines.json");
        TemAreaTracker.IO.OutlineJson.Write(json, SyntheticMovie.Outlines());
        Assert.Equal(0, Run("track", movie, "--rois", json, "--pixel-size-nm", "1", "--out", P("out")));
        Assert.Contains("particle-A", _console.Output);
        Assert.Contains("particle-B", _console.Output);
    }

    [Fact]
    public void Track_ZeroFrames_NamesMovie_NoDir()
    {
        var (movie, rois) = Inputs(p => new SyntheticMovie(p, frames: 0));
        var e = Assert.Throws<InvalidDataException>(() => Run("track", movie, "--rois", rois, "--out", P("out")));
        Assert.Equal($"{movie}: the movie has no frames", e.Message);
        Assert.False(Directory.Exists(P("out")));
        Assert.Equal(new[] { "RoiSet.zip", "movie.avi" }, Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Order().ToArray());
    }

    [Fact]
    public void Track_AutoWithRois_RoisWin_WithWarning()
    {
        var (movie, rois) = Inputs(p => new SyntheticMovie(p, frames: 2));
        Assert.Equal(0, Run("track", movie, "--rois", rois, "--auto", "--pixel-size-nm", "1", "--out", P("out")));
        Assert.Contains("--auto ignored", _stderr.ToString());
        Assert.Contains("particle-A", _console.Output);
    }
}
