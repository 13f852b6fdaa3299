using OpenCvSharp;
using TemAreaTracker.Measurement;
using TemAreaTracker.Tracking;
using Xunit;

namespace TemAreaTracker.Tests.Measurement;

public class ParticleAreaRowTests
{
    private static readonly Outline Square10 = new("sq", new[] { new Point2d(0, 0), new Point2d(10, 0), new Point2d(10, 10), new Point2d(0, 10) });

    [Theory]
    [InlineData(TrackQuality.OutOfView)]
    [InlineData(TrackQuality.Lost)]
    public void From_NoMeasurement_NeverInventsAnArea(TrackQuality q)
    {
        // Even if a tracker hands back a number, an out-of-view or lost particle gets no area.
        var row = ParticleAreaRow.From(new ParticleMeasurement("sq", 3, Square10, 100, 2, q), 1.5, Calibration.FromPixelSize(2, "test"));
        Assert.False(row.HasArea);
        Assert.True(double.IsNaN(row.AreaPx));
        Assert.True(double.IsNaN(row.AreaNm2));
        Assert.Equal(1.5, row.TimeS);
        Assert.Equal(q, row.Quality);
    }

    [Fact]
    public void From_NonSquarePixels_ScalesAreaAndPerimeterPerAxis()
    {
        var cal = new Calibration { PixelWidthNm = 2, PixelHeightNm = 3, PixelSizeSource = "test" };
        var row = ParticleAreaRow.From(new ParticleMeasurement("sq", 0, Square10, 100, 4, TrackQuality.Weak), 0, cal);
        Assert.Equal(600, row.AreaNm2, 9);
        Assert.Equal(24, row.AreaSigmaNm2, 9);
        Assert.Equal(2 * 20 + 2 * 30, row.PerimeterNm, 9);
        Assert.Equal(5, row.CentroidXPx, 9);
        Assert.True(row.HasArea);
    }

    [Fact]
    public void Summary_GrowthFromFirstToLastMeasured_OkFraction()
    {
        var rows = new[]
        {
            new ParticleAreaRow("a", 0, 0, 100, 400, 0, 0, 0, 0, 0, TrackQuality.Ok),
            new ParticleAreaRow("a", 1, 1, 150, 600, 0, 0, 0, 0, 0, TrackQuality.Weak),
            new ParticleAreaRow("a", 2, 2, double.NaN, double.NaN, 0, 0, 0, 0, 0, TrackQuality.Lost),
            new ParticleAreaRow("a", 3, 3, 200, 800, 0, 0, 0, 0, 0, TrackQuality.Ok),
        };
        var s = Assert.Single(ParticleSummary.Of(rows));
        Assert.Equal(400, s.InitialArea);
        Assert.Equal(800, s.FinalArea);
        Assert.Equal(100, s.GrowthPercent, 9);
        Assert.Equal(0.5, s.OkFraction);
        Assert.Equal(3, s.MeasuredFrames);
    }
}
