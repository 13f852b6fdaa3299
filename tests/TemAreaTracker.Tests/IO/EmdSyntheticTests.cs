using PureHDF;
using TemAreaTracker.IO;
using Xunit;

namespace TemAreaTracker.Tests.IO;

/// <summary>Velox-layout EMD stacks written with PureHDF: frames along the last axis, JSON metadata as a uint8 array.</summary>
public class EmdSyntheticTests
{
    internal static string WriteVeloxStack(string path, int w, int h, int frames, string pixelUnit = "m", double pixelW = 2e-10, double pixelH = 3e-10,
        bool veloxChunks = true)
    {
        var data = new ushort[h, w, frames];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        for (int k = 0; k < frames; k++)
            data[y, x, k] = (ushort)(1000 * k + 10 * y + x);
        string json = "{\"BinaryResult\":{\"PixelSize\":{\"width\":\"" + pixelW.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
                      + "\",\"height\":\"" + pixelH.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
                      + "\"},\"PixelUnitX\":\"" + pixelUnit + "\",\"PixelUnitY\":\"" + pixelUnit + "\",\"Detector\":\"BM-Ceta\"},\"Scan\":{\"FrameTime\":\"0.5\"}}";
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var meta = new byte[bytes.Length + 16, frames]; // one zero-padded JSON column per frame
        for (int i = 0; i < bytes.Length; i++)
        for (int k = 0; k < frames; k++)
            meta[i, k] = bytes[i];
        new H5File
        {
            ["Data"] = new H5Group
            {
                ["Image"] = new H5Group
                {
                    // Velox chunks a stack frame by frame; without chunks PureHDF writes a contiguous array.
                    ["9f0c5d2e"] = new H5Group { ["Data"] = veloxChunks ? new H5Dataset(data, chunks: [(uint)h, (uint)w, 1]) : data, ["Metadata"] = meta },
                },
            },
        }.Write(path);
        return path;
    }

    [Theory]
    [InlineData(true, 1)]   // Velox chunks: one frame per read
    [InlineData(false, 3)]  // contiguous array: frames read as one batch and split
    public void VeloxStack_EveryFrameOnItsOwn_NonSquareCalibration(bool veloxChunks, int framesPerRead)
    {
        string path = WriteVeloxStack(Path.Combine(TestData.NewFolder("emd"), "stack.emd"), 12, 8, 3, veloxChunks: veloxChunks);
        using var movie = MovieReader.Open(path);
        Assert.Equal(framesPerRead, ((EmdMovie)movie).FramesPerRead);
        Assert.Equal(("emd", 12, 8, 3, "uint16"), (movie.Format, movie.Width, movie.Height, movie.FrameCount, movie.DataType));
        Assert.Equal(0.2, movie.Calibration.PixelWidthNm!.Value, 9);
        Assert.Equal(0.3, movie.Calibration.PixelHeightNm!.Value, 9);
        Assert.Equal(0.5, movie.Calibration.FrameIntervalS!.Value, 12);
        var frames = movie.ReadFrames().ToList();
        Assert.Equal(3, frames.Count);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(1000 * k, frames[k].Pixels.At<ushort>(0, 0));
            Assert.Equal(1000 * k + 10 * 7 + 11, frames[k].Pixels.At<ushort>(7, 11));
        }
        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public void VeloxDiffraction_InReciprocalUnits_HasNoPixelSize()
    {
        string path = WriteVeloxStack(Path.Combine(TestData.NewFolder("emd"), "dp.emd"), 6, 6, 1, pixelUnit: "1/m", pixelW: 1e7, pixelH: 1e7);
        using var movie = MovieReader.Open(path);
        Assert.Null(movie.Calibration.PixelWidthNm);
        Assert.Contains("reciprocal", movie.Metadata["calibration_note"]);
    }
}
