using TemAreaTracker.IO;
using TemAreaTracker.Measurement;
using TemAreaTracker.Reporting;
using TemAreaTracker.Tracking;
using Xunit;

namespace TemAreaTracker.Tests.Measurement;

/// <summary>Curves built in process are those that areas.csv written from the same rows reads back as.</summary>
public class AreaCurvesTests
{
    private static AreaCsvData RoundTrip(IEnumerable<ParticleAreaRow> rows)
    {
        using var sw = new StringWriter();
        AreaCsvWriter.Write(sw, rows);
        return AreaCsvReader.Read(new StringReader(sw.ToString()), "areas.csv");
    }

    /// <summary>Same particles in the same order, the same points bit for bit, the same uncertainties and skip counts.</summary>
    internal static void AssertSame(AreaCsvData csv, AreaCurves curves)
    {
        Assert.Equal(csv.SkippedRows, curves.SkippedRows);
        Assert.Equal(csv.SkippedByParticle.OrderBy(kv => kv.Key), curves.SkippedByParticle.OrderBy(kv => kv.Key));
        Assert.Equal(csv.Series.Select(s => s.Particle), curves.Series.Select(s => s.Particle));
        foreach (var (a, b) in csv.Series.Zip(curves.Series))
        {
            Assert.Equal(a.TimeS, b.TimeS);
            Assert.Equal(a.AreaNm2, b.AreaNm2);
            Assert.Equal(a.AreaSigmaNm2 is null, b.AreaSigmaNm2 is null);
            if (a.AreaSigmaNm2 is not null) Assert.Equal(a.AreaSigmaNm2, b.AreaSigmaNm2!);
        }
    }

    private static ParticleAreaRow Row(string p, int frame, double areaNm2, double sigma = 1.5, TrackQuality q = TrackQuality.Ok, double areaPx = 10) =>
        new(p, frame, frame * 0.1, areaPx, areaNm2, sigma, 1, 2, 3, 4, q);

    [Fact]
    public void SkipsAndOrder_AsTheCsvRoundTrip()
    {
        ParticleAreaRow[] rows =
        [
            // "b" appears first; its frames come out of order.
            Row("b", 2, 1.0 / 3), Row("b", 0, 0.1 + 0.2), Row("b", 1, 7e-5),
            Row("a", 0, 100.25), Row("a", 1, 101, q: TrackQuality.Weak), Row("a", 2, double.NaN, q: TrackQuality.Lost, areaPx: double.NaN),
            Row("a", 3, 102, q: TrackQuality.OutOfView), Row("a", 4, 0), Row("a", 5, -3), Row("a", 6, double.PositiveInfinity),
            Row("a", 7, 104, sigma: double.NaN), Row("a", 8, 105.5, sigma: 0),
            // Only unusable rows: a series of no points.
            Row("c", 0, double.NaN, q: TrackQuality.Lost, areaPx: double.NaN),
        ];
        var curves = AreaCurves.FromRows(rows, "areas.csv");
        AssertSame(RoundTrip(rows), curves);
        Assert.Equal(["b", "a", "c"], curves.Series.Select(s => s.Particle));
        Assert.Equal(6, curves.SkippedRows);
        Assert.Equal([0.1 + 0.2, 7e-5, 1.0 / 3], curves.Series[0].AreaNm2);
        Assert.NotNull(curves.Series[0].AreaSigmaNm2);
        Assert.Null(curves.Series[1].AreaSigmaNm2); // a point without a positive uncertainty: none for the series
    }

    [Fact]
    public void Uncalibrated_RefusedAsTheCsvIs()
    {
        ParticleAreaRow[] rows = [Row("a", 0, double.NaN, sigma: double.NaN), Row("a", 1, double.NaN, sigma: double.NaN)];
        var fromCsv = Assert.Throws<InvalidDataException>(() => RoundTrip(rows));
        var inProcess = Assert.Throws<InvalidDataException>(() => AreaCurves.FromRows(rows, "areas.csv"));
        Assert.Equal(fromCsv.Message, inProcess.Message);
    }

    [Fact]
    public void DuplicateTimes_RefusedAsTheCsvIs()
    {
        ParticleAreaRow[] rows = [Row("a", 0, 1), Row("a", 1, 2) with { TimeS = 0 }];
        Assert.Throws<InvalidDataException>(() => RoundTrip(rows));
        Assert.Contains("duplicate time", Assert.Throws<InvalidDataException>(() => AreaCurves.FromRows(rows, "areas.csv")).Message);
    }
}
