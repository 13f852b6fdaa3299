using TemAreaTracker.IO;
using Xunit;

namespace TemAreaTracker.Tests.IO;

/// <summary>Real DM3/DM4 files (pycroscopy SciFiDatasets, MIT) against HyperSpy 1.7.3 (expected-by-reference-readers.json).</summary>
public class DmRealTests
{
    [Theory]
    [InlineData("pycroscopy_SciFiDatasets/DMReader_Image_SI-Survey.dm3")]
    [InlineData("pycroscopy_SciFiDatasets/DMReader_SI-HAADF.dm3")]
    public void RealDm3_AgreesWithHyperSpy(string rel)
    {
        var exp = TestData.Expected(rel);
        using var movie = MovieReader.Open(TestData.Real(rel));
        Assert.Equal("dm3", movie.Format);
        Assert.Equal(exp.GetProperty("shape")[0].GetInt32(), movie.Height);
        Assert.Equal(exp.GetProperty("shape")[1].GetInt32(), movie.Width);
        Assert.Equal(exp.GetProperty("dtype").GetString(), movie.DataType);
        Assert.Equal(1, movie.FrameCount);
        using var f = movie.ReadFrames().Single();
        var (min, max, mean) = Stats.Of(f.Pixels);
        Assert.Equal(exp.GetProperty("min").GetDouble(), min);
        Assert.Equal(exp.GetProperty("max").GetDouble(), max);
        Assert.Equal(exp.GetProperty("mean").GetDouble(), mean, 1e-9 * Math.Abs(mean));
        // HyperSpy reports an empty unit for both: no length, so no pixel size.
        Assert.Equal("", exp.GetProperty("axes")[1].GetProperty("units").GetString());
        Assert.Null(movie.Calibration.PixelWidthNm);
        Assert.Equal(exp.GetProperty("axes")[1].GetProperty("scale").GetDouble(), double.Parse(movie.Metadata["dm.axis0"].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RealDm4Spectrum_IsRejectedAsNotAnImage()
    {
        const string rel = "pycroscopy_SciFiDatasets/DMReader_EELS_STO.dm4";
        var exp = TestData.Expected(rel);
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(TestData.Real(rel)));
        Assert.Equal("dm4", e.Format);
        Assert.Contains($"1-D data ({exp.GetProperty("shape")[0].GetInt32()} channels", e.Message);

        // The DM4 tag tree and data still parse: compare the spectrum itself with HyperSpy.
        using var file = new MappedFile(TestData.Real(rel));
        var img = DmImage.Locate(file, "dm4", allowProfiles: true);
        Assert.Equal(exp.GetProperty("dtype").GetString(), img.Type.Name);
        Assert.Equal(exp.GetProperty("shape")[0].GetInt32(), img.Width * img.Height);
        using var data = img.Type.Read(file, img.DataOffset, img.Width, img.Height, !img.LittleEndian);
        var (min, max, mean) = Stats.Of(data);
        Assert.Equal(exp.GetProperty("min").GetDouble(), min);
        Assert.Equal(exp.GetProperty("max").GetDouble(), max);
        Assert.Equal(exp.GetProperty("mean").GetDouble(), mean, 1e-6 * mean);
        Assert.Equal("0.25 eV", img.Metadata["dm.axis0"]);
    }
}
