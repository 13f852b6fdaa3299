using TemAreaTracker.IO;
using Xunit;

namespace TemAreaTracker.Tests.IO;

/// <summary>Real Velox EMD (pycroscopy, MIT) and MRC2014 (ccpem/mrcfile, EMDB CC0) files against the reference readers.</summary>
public class EmdMrcRealTests
{
    [Fact]
    public void RealVeloxEmd_AgreesWithHyperSpy()
    {
        const string rel = "pycroscopy_SciFiDatasets/EMDReader_Image_FEI.emd";
        var exp = TestData.Expected(rel);
        using var movie = MovieReader.Open(TestData.Real(rel));
        Assert.Equal("emd", movie.Format);
        Assert.Equal(exp.GetProperty("shape")[0].GetInt32(), movie.Height);
        Assert.Equal(exp.GetProperty("shape")[1].GetInt32(), movie.Width);
        // Stored as uint16 in the HDF5 file; HyperSpy 1.7.3 hands it out as float64. The values must agree exactly.
        Assert.Equal("float64", exp.GetProperty("dtype").GetString());
        Assert.Equal("uint16", movie.DataType);
        var axis = exp.GetProperty("axes")[1];
        Assert.Equal("µm", axis.GetProperty("units").GetString());
        Assert.Equal(axis.GetProperty("scale").GetDouble() * 1000, movie.Calibration.PixelWidthNm!.Value, 9);
        Assert.Equal(movie.Calibration.PixelWidthNm, movie.Calibration.PixelHeightNm);
        Assert.Equal("emd-metadata", movie.Calibration.PixelSizeSource);
        Assert.Equal(6.0416, movie.Calibration.FrameIntervalS!.Value, 6); // Scan.FrameTime of this STEM image
        using var f = movie.ReadFrames().Single();
        var (min, max, mean) = Stats.Of(f.Pixels);
        Assert.Equal(exp.GetProperty("min").GetDouble(), min);
        Assert.Equal(exp.GetProperty("max").GetDouble(), max);
        Assert.Equal(exp.GetProperty("mean").GetDouble(), mean, 1e-9 * mean);
    }

    [Fact]
    public void RealMrcMap_AgreesWithHeaderSpec()
    {
        const string rel = "ccpem_mrcfile/EMD-3197.map";
        var exp = TestData.Expected(rel);
        using var movie = MovieReader.Open(TestData.Real(rel));
        Assert.Equal("mrc", movie.Format);
        var shape = exp.GetProperty("shape");
        Assert.Equal((shape[0].GetInt32(), shape[1].GetInt32(), shape[2].GetInt32()), (movie.FrameCount!.Value, movie.Height, movie.Width));
        Assert.Equal(exp.GetProperty("dtype").GetString(), movie.DataType);
        // cell 228 Å over 20 px = 11.4 Å = 1.14 nm per px
        Assert.Equal(exp.GetProperty("cell_A")[0].GetDouble() / shape[2].GetInt32() / 10, movie.Calibration.PixelWidthNm!.Value, 9);
        double min = double.MaxValue, max = double.MinValue, sum = 0;
        long n = 0;
        foreach (var f in movie.ReadFrames())
        {
            using (f)
            {
                var s = Stats.Of(f.Pixels);
                min = Math.Min(min, s.Min);
                max = Math.Max(max, s.Max);
                sum += s.Mean * f.Width * f.Height;
                n += f.Width * f.Height;
            }
        }
        Assert.Equal(exp.GetProperty("min").GetDouble(), min, 6);
        Assert.Equal(exp.GetProperty("max").GetDouble(), max, 6);
        Assert.Equal(exp.GetProperty("mean").GetDouble(), sum / n, 5);
    }
}
