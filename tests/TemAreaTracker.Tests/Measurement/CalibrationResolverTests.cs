using TemAreaTracker.Measurement;
using Xunit;

namespace TemAreaTracker.Tests.Measurement;

public class CalibrationResolverTests
{
    private static readonly Calibration FileWithAll = new()
    {
        PixelWidthNm = 0.8, PixelHeightNm = 0.8, PixelSizeSource = "imagej-tiff",
        FrameIntervalS = 0.25, FrameIntervalSource = "imagej-finterval",
    };

    private static readonly ScaleBar Bar = new(125, 10, 135, 400, 5, ImageCorner.BottomLeft, true);

    [Fact]
    public void Resolve_MetadataWinsOverOptions_AndSaysOptionIgnored()
    {
        var r = CalibrationResolver.Resolve(FileWithAll, new CalibrationRequest(PixelSizeNm: 2, FrameIntervalS: 3));
        Assert.Equal(0.8, r.Calibration.PixelWidthNm);
        Assert.Equal("imagej-tiff", r.Calibration.PixelSizeSource);
        Assert.Equal(0.25, r.Calibration.FrameIntervalS);
        Assert.Contains(r.Warnings, w => w.Contains("--pixel-size-nm 2 ignored"));
        Assert.Contains(r.Warnings, w => w.Contains("--frame-interval-s 3 ignored"));
    }

    [Fact]
    public void Resolve_OptionsUsedWhenFileHasNone()
    {
        var r = CalibrationResolver.Resolve(Calibration.None, new CalibrationRequest(PixelSizeNm: 0.5, FrameIntervalS: 2));
        Assert.Equal(0.25, r.Calibration.PixelAreaNm2!.Value, 12);
        Assert.Equal("--pixel-size-nm", r.Calibration.PixelSizeSource);
        Assert.Equal(2, r.SecondsPerFrame);
        Assert.Equal("--frame-interval-s", r.Calibration.FrameIntervalSource);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void Resolve_ScaleBar_GivesNmOverLength_AndIsOnlySearchedWhenNeeded()
    {
        int calls = 0;
        ScaleBar Find() { calls++; return Bar; }
        var r = CalibrationResolver.Resolve(Calibration.None, new CalibrationRequest(ScaleBarNm: 100), Find);
        Assert.Equal(100.0 / 125, r.Calibration.PixelWidthNm!.Value, 12);
        Assert.Equal("scale-bar", r.Calibration.PixelSizeSource);
        Assert.Same(Bar, r.ScaleBar);
        Assert.Equal(1, calls);

        CalibrationResolver.Resolve(Calibration.None, new CalibrationRequest(PixelSizeNm: 1, ScaleBarNm: 100), Find);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void Resolve_ScaleBarRequestedButAbsent_ThrowsNamingTheMovie()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            CalibrationResolver.Resolve(Calibration.None, new CalibrationRequest(ScaleBarNm: 100), () => null, "si-01.avi"));
        Assert.Contains("si-01.avi", e.Message);
        Assert.Contains("no scale bar", e.Message);
    }

    [Fact]
    public void Resolve_NoPixelSize_AreasInPx2WithWarning()
    {
        var r = CalibrationResolver.Resolve(Calibration.None, new CalibrationRequest(FrameIntervalS: 1));
        Assert.False(r.IsSpatiallyCalibrated);
        Assert.Equal("none", r.Calibration.PixelSizeSource);
        Assert.Contains(r.Warnings, w => w.StartsWith("no pixel size: areas in px^2 only"));
    }

    [Fact]
    public void Resolve_ContainerFps_RanksBelowOption_AndIsMarked()
    {
        var container = new Calibration { FrameIntervalS = 1 / 25.0, FrameIntervalSource = CalibrationResolver.ContainerFpsSource };
        var withOption = CalibrationResolver.Resolve(container, new CalibrationRequest(PixelSizeNm: 1, FrameIntervalS: 0.5));
        Assert.Equal(0.5, withOption.SecondsPerFrame);
        var without = CalibrationResolver.Resolve(container, new CalibrationRequest(PixelSizeNm: 1));
        Assert.Equal(0.04, without.SecondsPerFrame, 12);
        Assert.Equal(CalibrationResolver.ContainerFpsSource, without.Calibration.FrameIntervalSource);
        Assert.Contains(without.Warnings, w => w.Contains("supplementary movies are often sped up"));
    }

    [Fact]
    public void Resolve_NoFrameInterval_TimeIsFrameIndex()
    {
        var r = CalibrationResolver.Resolve(Calibration.None, new CalibrationRequest(PixelSizeNm: 1));
        Assert.True(r.TimeIsFrameIndex);
        Assert.Equal(1, r.SecondsPerFrame);
        Assert.Contains(r.Warnings, w => w.Contains("1 frame = 1 s"));
    }

    [Theory]
    [InlineData(0.0, null, null, "--pixel-size-nm must be > 0 (got 0)")]
    [InlineData(-1.0, null, null, "--pixel-size-nm must be > 0 (got -1)")]
    [InlineData(null, 0.0, null, "--frame-interval-s must be > 0 (got 0)")]
    [InlineData(null, double.NaN, null, "--frame-interval-s must be > 0 (got NaN)")]
    [InlineData(null, null, -5.0, "--scale-bar-nm must be > 0 (got -5)")]
    public void Problem_NonPositiveValues_OneLineWithRule(double? px, double? dt, double? bar, string expectedStart)
    {
        var problem = new CalibrationRequest(px, dt, bar).Problem();
        Assert.NotNull(problem);
        Assert.StartsWith(expectedStart, problem);
        Assert.DoesNotContain('\n', problem);
        Assert.Throws<ArgumentException>(() => CalibrationResolver.Resolve(Calibration.None, new CalibrationRequest(px, dt, bar)));
    }
}
