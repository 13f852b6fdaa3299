using TemAreaTracker.IO;
using Xunit;

namespace TemAreaTracker.Tests.IO;

public class AreaCsvReaderTests
{
    private static AreaCsvData Read(string text) => AreaCsvReader.Read(new StringReader(text), "areas.csv");

    [Fact]
    public void Reads_InterleavedLongForm_SkipsNaNAndLost_AndCountsThem()
    {
        var d = Read("""
            particle,frame,time_s,area_px,area_nm2,area_sigma_nm2,quality
            A,0,0.0,100,400,4,ok
            B,0,0.0,50,200,2,ok
            A,1,0.5,101,404,4,weak
            B,1,0.5,,NaN,,lost
            A,2,1.0,102,408,4,out-of-view
            B,2,1.0,52,208,2,ok
            A,3,1.5,103,412,4,ok
            """);
        Assert.Equal(["A", "B"], d.Series.Select(s => s.Particle));
        Assert.Equal([0.0, 0.5, 1.5], d.Series[0].TimeS);
        Assert.Equal([400.0, 404, 412], d.Series[0].AreaNm2);
        Assert.Equal([4.0, 4, 4], d.Series[0].AreaSigmaNm2!);
        Assert.Equal([200.0, 208], d.Series[1].AreaNm2);
        Assert.Equal(2, d.SkippedRows);
        Assert.Equal(1, d.SkippedByParticle["A"]);
        Assert.Equal(1, d.SkippedByParticle["B"]);
    }

    [Fact]
    public void WithoutSigmaColumn_HasNoWeights()
    {
        var d = Read("particle,frame,time_s,area_px,area_nm2\nP,0,0,1,10\nP,1,1,1,11\n");
        Assert.Null(d.Series[0].AreaSigmaNm2);
    }

    [Fact]
    public void MissingColumn_NamesFileAndColumn()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("particle,frame,time_s,area_px\nP,0,0,1\n"));
        Assert.StartsWith("areas.csv:", e.Message);
        Assert.Contains("area_nm2", e.Message);
    }

    [Theory]
    [InlineData("P,0,0,1,10\nP,1,1,1,11\nP,2,1,1,12\n", "duplicate time")]
    [InlineData("P,0,0,1,10\nP,1,2,1,11\nP,2,1,1,12\n", "times must increase")]
    [InlineData("P,0,0,1,10\nP,x,1,1,11\n", "frame 'x' is not an integer")]
    [InlineData("P,0,0,1,10\nP,1,1,1,ten\n", "area_nm2 'ten' is not a number")]
    public void BadRows_OneClearMessage(string rows, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("particle,frame,time_s,area_px,area_nm2\n" + rows));
        Assert.StartsWith("areas.csv: line ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void UncalibratedFile_SaysToPassPixelSize()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("particle,frame,time_s,area_px,area_nm2\nP,0,0,100,\nP,1,1,101,\n"));
        Assert.Contains("--pixel-size-nm", e.Message);
    }

    [Fact]
    public void Kind_ReadFromOptionalColumn_DefaultParticle_NameRuleWithoutColumn()
    {
        var d = Read("particle,frame,time_s,area_px,area_nm2,quality,kind\nA,0,0,1,10,ok,particle\nA,1,1,1,11,ok,particle\nC,0,0,1,40,ok,cluster\nC,1,1,1,44,lost,cluster\nC,2,2,1,45,ok,cluster\n");
        Assert.Equal([ParticleKind.Particle, ParticleKind.Cluster], d.Series.Select(s => s.Kind));
        var old = Read("particle,frame,time_s,area_px,area_nm2\nP,0,0,1,10\nP,1,1,1,11\ncluster2,0,0,1,40\ncluster2,1,1,1,41\n");
        Assert.Equal([ParticleKind.Particle, ParticleKind.Cluster], old.Series.Select(s => s.Kind));
        var empty = Read("particle,frame,time_s,area_px,area_nm2,kind\nP,0,0,1,10,\nP,1,1,1,11,\n");
        Assert.Equal(ParticleKind.Particle, empty.Series[0].Kind);
    }

    [Fact]
    public void Kind_Unknown_RefusedNamingLineAndValue()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("particle,frame,time_s,area_px,area_nm2,kind\nP,0,0,1,10,particle\nP,1,1,1,11,blob\n"));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'blob'", e.Message);
    }
}
