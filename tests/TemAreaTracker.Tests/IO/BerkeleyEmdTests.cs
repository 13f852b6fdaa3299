using PureHDF;
using TemAreaTracker.IO;
using Xunit;
using static TemAreaTracker.Tests.IO.BerkeleyEmdWriter;

namespace TemAreaTracker.Tests.IO;

/// <summary>
/// Berkeley (NCEM) EMD 0.2 files written with PureHDF in ncempy's layout (ncempy/io/emd.py): 2-D images and [frame, y, x]
/// stacks, 8/16-bit and float32, time and frame-number axes, EMD-bracketed and plain units, several datasets, missing dims.
/// Frames are 12 px wide and 8 px high so an x/y swap fails.
/// </summary>
public class BerkeleyEmdTests
{
    private const int W = 12, H = 8;

    private static string NewPath(string name = "b.emd") => Path.Combine(TestData.NewFolder("berkeley"), name);

    [Theory]
    [InlineData(true)]  // a chunk per frame, as ncempy users writing with chunks= get
    [InlineData(false)] // PureHDF's default layout for small arrays
    public void Stack16_TimeInSeconds_GivesIntervalFrameTimesAndNonSquarePixels(bool chunked)
    {
        var stack = Stack16(3, H, W);
        string path = Write(NewPath(), ("series", Group(chunked ? new H5Dataset(stack, chunks: [1, H, W]) : stack,
            Dim(new[] { 10.0, 10.5, 11.25 }, "t", "s"), Dim(Coords(H, 0.3, start: 5), "y", "[n_m]"), Dim(Coords(W, 0.2), "x", "nm"))));
        using var movie = MovieReader.Open(path);
        Assert.Equal(("emd-berkeley", W, H, 3, "uint16"), (movie.Format, movie.Width, movie.Height, movie.FrameCount, movie.DataType));
        Assert.Equal(0.2, movie.Calibration.PixelWidthNm!.Value, 12);
        Assert.Equal(0.3, movie.Calibration.PixelHeightNm!.Value, 12);
        Assert.Equal("emd-dims", movie.Calibration.PixelSizeSource);
        Assert.Equal(0.625, movie.Calibration.FrameIntervalS!.Value, 12); // (11.25 − 10) s over 2 steps
        Assert.Equal("emd-dims", movie.Calibration.FrameIntervalSource);
        Assert.Equal("/data/series/data [3, 8, 12] uint16", movie.Metadata["emd.dataset"]);
        Assert.Equal("0.2", movie.Metadata["emd.version"]);
        Assert.Equal("300000", movie.Metadata["emd.microscope.high tension"]);
        var frames = movie.ReadFrames().ToList();
        Assert.Equal(3, frames.Count);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(Value16(k, 0, 0), frames[k].Pixels.At<ushort>(0, 0));
            Assert.Equal(Value16(k, H - 1, W - 1), frames[k].Pixels.At<ushort>(H - 1, W - 1));
            Assert.Equal(Value16(k, 2, 9), frames[k].Pixels.At<ushort>(2, 9));
        }
        Assert.Equal(new double?[] { 0, 0.5, 1.25 }, frames.Select(f => f.TimeS)); // uneven stamps kept per frame
        Assert.Null(movie.StoppedEarly);
        frames.ForEach(f => f.Dispose());
    }

    [Theory]
    [InlineData("nm", 1.0)]
    [InlineData("n_m", 1.0)]   // ncempy's Acquisition_18.emd
    [InlineData("[n_m]", 1.0)] // EMD 0.2 bracketed units
    [InlineData("Å", 0.1)]
    [InlineData("A", 0.1)]
    [InlineData("Ang", 0.1)]   // ncempy's test_emd_writer
    [InlineData("um", 1000.0)]
    [InlineData("µm", 1000.0)]
    [InlineData("[u_m]", 1000.0)]
    [InlineData("m", 1e9)]
    public void Image8Bit_2D_IsOneFrameMovie_InAnyLengthUnit(string units, double nmPerUnit)
    {
        var image = new byte[H, W];
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            image[y, x] = (byte)(20 * y + x);
        string path = Write(NewPath(), ("image", Group(image, Dim(Coords(H, 0.5), "y", units), Dim(Coords(W, 0.5), "x", units))));
        using var movie = MovieReader.Open(path);
        Assert.Equal((W, H, 1, "uint8"), (movie.Width, movie.Height, movie.FrameCount, movie.DataType));
        Assert.Equal(0.5 * nmPerUnit, movie.Calibration.PixelWidthNm!.Value, 1e-9 * nmPerUnit);
        Assert.Equal(movie.Calibration.PixelWidthNm, movie.Calibration.PixelHeightNm);
        Assert.Null(movie.Calibration.FrameIntervalS);
        using var f = movie.ReadFrames().Single();
        Assert.Equal(20 * 7 + 11, f.Pixels.At<byte>(7, 11));
        Assert.Equal(20 * 1 + 3, f.Pixels.At<byte>(1, 3));
    }

    [Fact]
    public void Float32Stack_FrameNumberAxis_HasNoInterval_AndMillisecondsAxisDoes()
    {
        var stack = new float[4, H, W];
        for (int k = 0; k < 4; k++)
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            stack[k, y, x] = k + 0.5f * y + 0.25f * x;
        var xy = new[] { Dim(Coords(H, 1), "y", "nm"), Dim(Coords(W, 1), "x", "nm") };

        string numbered = Write(NewPath(), ("s", Group(stack, Dim(new[] { 0, 1, 2, 3 }, "frame", "frame"), xy[0], xy[1])));
        using (var movie = MovieReader.Open(numbered))
        {
            Assert.Equal(("float32", 4), (movie.DataType, movie.FrameCount));
            Assert.Null(movie.Calibration.FrameIntervalS);
            Assert.Contains("not time", movie.Metadata["frame_axis_note"]);
            var values = movie.ReadFrames().Select(f => { using (f) return (f.Pixels.At<float>(0, 0), f.Pixels.At<float>(7, 11), f.TimeS); }).ToList();
            Assert.Equal(new (float, float, double?)[] { (0f, 6.25f, null), (1f, 7.25f, null), (2f, 8.25f, null), (3f, 9.25f, null) }, values);
        }

        var xy2 = new[] { Dim(Coords(H, 1), "y", "nm"), Dim(Coords(W, 1), "x", "nm") };
        string timed = Write(NewPath(), ("s", Group(stack, Dim(Coords(4, 250), "time", "[m_s]"), xy2[0], xy2[1])));
        using (var movie = MovieReader.Open(timed))
            Assert.Equal(0.25, movie.Calibration.FrameIntervalS!.Value, 12);
    }

    [Theory]
    [InlineData("pixel", "in pixel")]
    [InlineData("px", "in px")]
    [InlineData("units1", "not a length")] // ncempy's defaultDims placeholder
    [InlineData("1/nm", "reciprocal")]
    [InlineData("", "no units")]
    public void NonLengthUnits_LeaveMovieUncalibrated_WithANote(string units, string note)
    {
        string path = Write(NewPath(), ("image", Group(new ushort[H, W], Dim(Coords(H, 0.1), "y", units), Dim(Coords(W, 0.1), "x", units))));
        using var movie = MovieReader.Open(path);
        Assert.Null(movie.Calibration.PixelWidthNm);
        Assert.Contains(note, movie.Metadata["calibration_note"]);
        using var f = movie.ReadFrames().Single();
        Assert.Equal(W, f.Width);
    }

    [Fact]
    public void MixedUnits_OneAxisInPixels_GivesNoPixelSize()
    {
        string path = Write(NewPath(), ("image", Group(new ushort[H, W], Dim(Coords(H, 1), "y", "pixels"), Dim(Coords(W, 0.1), "x", "nm"))));
        using var movie = MovieReader.Open(path);
        Assert.Null(movie.Calibration.PixelWidthNm);
        Assert.StartsWith("dim1 is in pixels", movie.Metadata["calibration_note"]);
    }

    [Fact]
    public void MissingDims_OrDimsWithoutAttributes_ReadThePixelsUncalibrated()
    {
        string noDims = Write(NewPath(), ("movie", Group(Stack16(2, H, W))));
        using (var movie = MovieReader.Open(noDims))
        {
            Assert.Equal((W, H, 2), (movie.Width, movie.Height, movie.FrameCount));
            Assert.Null(movie.Calibration.PixelWidthNm);
            Assert.Null(movie.Calibration.FrameIntervalS);
            Assert.Contains("missing", movie.Metadata["calibration_note"]);
            Assert.Equal(new[] { Value16(0, 3, 4), Value16(1, 3, 4) }, movie.ReadFrames().Select(f => { using (f) return f.Pixels.At<ushort>(3, 4); }));
        }
        // ncempy's test_bad_dims: two-element vectors on a larger axis, one without name, one without units.
        string bare = Write(NewPath(), ("image", Group(new ushort[H, W], Dim(new[] { 0.0, 1.0 }, null, "n_m"), Dim(new[] { 0.0, 1.0 }, "X", null))));
        using (var movie = MovieReader.Open(bare))
        {
            Assert.Null(movie.Calibration.PixelWidthNm);
            Assert.Equal("dim2 has no units: no pixel size", movie.Metadata["calibration_note"]);
        }
        // Two-element vectors with units: spacing is dim[1] − dim[0] (ncempy's pixelSize).
        string shortDims = Write(NewPath(), ("image", Group(new ushort[H, W], Dim(new[] { 0.0, 0.7 }, "y", "nm"), Dim(new[] { 1.0, 1.4 }, "x", "nm"))));
        using (var movie = MovieReader.Open(shortDims))
        {
            Assert.Equal(0.4, movie.Calibration.PixelWidthNm!.Value, 12);
            Assert.Equal(0.7, movie.Calibration.PixelHeightNm!.Value, 12);
        }
    }

    [Fact]
    public void SeveralDatasets_FirstInNameOrderIsRead_OthersListed_DatasetSelects()
    {
        string path = Write(NewPath(),
            ("zeta", Group(new byte[5, 7], Dim(Coords(5, 1), "y", "nm"), Dim(Coords(7, 1), "x", "nm"))),
            ("alpha", Group(Stack16(2, H, W), Dim(Coords(2, 1), "t", "s"), Dim(Coords(H, 1), "y", "nm"), Dim(Coords(W, 1), "x", "nm"))),
            ("mid", Group(new float[3, 4], Dim(Coords(3, 1), "y", "nm"), Dim(Coords(4, 1), "x", "nm"))));
        using (var first = MovieReader.Open(path))
        {
            Assert.Equal((W, H, 2), (first.Width, first.Height, first.FrameCount));
            Assert.Equal("mid, zeta", first.Metadata["emd.other_datasets"]);
        }
        using (var zeta = MovieReader.Open(path, dataset: "zeta"))
        {
            Assert.Equal((7, 5, 1, "uint8"), (zeta.Width, zeta.Height, zeta.FrameCount, zeta.DataType));
            Assert.Equal("alpha, mid", zeta.Metadata["emd.other_datasets"]);
        }
        using (var byPath = MovieReader.Open(path, dataset: "/data/mid"))
            Assert.Equal("float32", byPath.DataType);

        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(path, dataset: "beta"));
        Assert.Equal($"{path}: emd-berkeley: no dataset 'beta'; this file holds: alpha, mid, zeta", e.Message);
    }

    [Fact]
    public void GroupOutsideData_IsFoundByItsPath()
    {
        // ncempy's emd_type1_stringDims.h5 keeps its EMD group at /exper/emd_data; ncempy searches the whole file.
        string path = NewPath("elsewhere.h5");
        new H5File { ["exper"] = new H5Group { ["emd_data"] = Group(new ushort[H, W], Dim(Coords(H, 2), "y", "nm"), Dim(Coords(W, 2), "x", "nm")) } }.Write(path);
        using var movie = MovieReader.Open(path);
        Assert.Equal("/exper/emd_data/data [8, 12] uint16", movie.Metadata["emd.dataset"]);
        Assert.Equal(2.0, movie.Calibration.PixelWidthNm!.Value, 12);
    }

    [Fact]
    public void FourDims_AreRefusedInOneLine()
    {
        string path = Write(NewPath(), ("scan", Group(new byte[2, 3, H, W])));
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(path));
        Assert.Equal($"{path}: emd-berkeley: /data/scan/data has 4 dims [2, 3, 8, 12] (a 4-D scan or spectrum image?): temtrack reads 2-D images and 3-D [frame, y, x] stacks",
            e.Message);
    }

    [Fact]
    public void OneDim_IsRefused()
    {
        string path = Write(NewPath(), ("spectrum", Group(new float[2048], Dim(Coords(2048, 0.1), "E", "eV"))));
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(path));
        Assert.Contains("has 1 dim [2048]: not an image", e.Message);
    }

    [Fact]
    public void FramesStoredLast_TimeOnDim3_IsRefused()
    {
        string path = Write(NewPath(), ("yxt", Group(new ushort[H, W, 3], Dim(Coords(H, 1), "y", "nm"), Dim(Coords(W, 1), "x", "nm"), Dim(Coords(3, 1), "t", "s"))));
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(path));
        Assert.Contains("dim3 't' in s", e.Message);
        Assert.Contains("frames are stored last", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UnsupportedDataType_IsRefusedNamingIt()
    {
        string path = Write(NewPath(), ("pairs", Group(new (int, int)[H, W])));
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(path));
        Assert.Equal($"{path}: emd-berkeley: /data/pairs/data: unsupported HDF5 data type Compound of 8 bytes", e.Message);
    }

    [Fact]
    public void Hdf5WithNeitherLayout_IsRefusedSayingWhatWasExpected()
    {
        string path = NewPath("plain.h5");
        new H5File { ["test"] = new double[10, 10] }.Write(path);
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(path));
        Assert.Equal("emd", e.Format);
        Assert.Contains("neither a Velox image (/Data/Image) nor a Berkeley EMD dataset", e.Message);
    }

    [Fact]
    public void GroupWithEmdGroupTypeOtherThanOne_IsNotADataset()
    {
        string path = NewPath();
        var g = Group(new ushort[H, W]);
        g.Attributes["emd_group_type"] = 2;
        new H5File { ["data"] = new H5Group { ["x"] = g } }.Write(path);
        Assert.Throws<MovieFormatException>(() => MovieReader.Open(path));
    }

    [Fact]
    public void VeloxFile_StillReadAsVelox_AndItsImagesSelectable()
    {
        string path = EmdSyntheticTests.WriteVeloxStack(NewPath("velox.emd"), W, H, 2);
        using (var movie = MovieReader.Open(path, dataset: "9f0c5d2e"))
            Assert.Equal(("emd", W, H, 2), (movie.Format, movie.Width, movie.Height, movie.FrameCount));
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(path, dataset: "nope"));
        Assert.Equal($"{path}: emd: no dataset 'nope' in /Data/Image; this file holds: 9f0c5d2e", e.Message);
    }

    [Fact]
    public void DatasetForANonEmdFile_IsRefused()
    {
        string path = Path.Combine(TestData.NewFolder("berkeley"), "s.tif");
        TiffMovieTests.WriteTiff(path, W, H, 2, 8, BitMiracle.LibTiff.Classic.SampleFormat.UINT, (k, x, y) => k + x + y);
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(path, dataset: "alpha"));
        Assert.Contains("only EMD (HDF5) files hold named datasets", e.Message);
    }

    [Fact]
    public void DamagedFrame_StopsTheMovieThere_EarlierFramesRead()
    {
        // A chunk per frame with Fletcher-32 checksums: one flipped byte in frame 2's chunk fails that frame's hyperslab only.
        var stack = Stack16(3, 64, 96);
        var data = new H5Dataset(stack, chunks: [1, 64, 96],
            datasetCreation: new PureHDF.VOL.Native.H5DatasetCreation { Filters = [PureHDF.Filters.Fletcher32Filter.Id] });
        string path = Write(NewPath(), ("m", Group(data)));
        byte[] bytes = File.ReadAllBytes(path);
        // Frame 2's chunk starts with pixels 2000, 2001 (little-endian D0 07 D1 07).
        int at = bytes.AsSpan().IndexOf(new byte[] { 0xD0, 0x07, 0xD1, 0x07 });
        Assert.True(at > 0);
        bytes[at + 100] ^= 0x55;
        File.WriteAllBytes(path, bytes);
        using var movie = MovieReader.Open(path);
        var firstPixels = movie.ReadFrames().Select(f => { using (f) return f.Pixels.At<ushort>(0, 0); }).ToList();
        Assert.Equal(new ushort[] { 0, 1000 }, firstPixels);
        Assert.StartsWith("stopped at frame 2: HDF5 data cannot be read", movie.StoppedEarly);
    }

    [Fact]
    public void ChunksSpanningFrames_ReadRight_ThroughOneCacheKeptAcrossFrames()
    {
        // Chunks of 3 frames × 5 × 7 px: they straddle frames and frame edges (8 x 12 px is not a multiple of 5 x 7).
        var stack = Stack16(7, H, W);
        var deflated = new H5Dataset(stack, chunks: [3, 5, 7],
            datasetCreation: new PureHDF.VOL.Native.H5DatasetCreation { Filters = [PureHDF.Filters.DeflateFilter.Id] });
        string path = Write(NewPath(), ("m", Group(deflated)));
        using var movie = MovieReader.Open(path);
        // Every chunk one frame touches (2 x 2 of 3·5·7 uint16) stays cached, so each chunk is inflated once, not once per frame.
        Assert.Equal(4 * 3 * 5 * 7 * 2 + 1, ((BerkeleyEmdMovie)movie).ChunkCacheBytes);
        int n = 0;
        foreach (var f in movie.ReadFrames())
        {
            using (f)
            {
                for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    Assert.Equal(Value16(f.Index, y, x), f.Pixels.At<ushort>(y, x));
            }
            n++;
        }
        Assert.Equal(7, n);

        // A chunk per frame needs no cache across frames.
        string perFrame = Write(NewPath(), ("m", Group(new H5Dataset(Stack16(2, H, W), chunks: [1, H, W]))));
        using var simple = MovieReader.Open(perFrame);
        Assert.Equal(0, ((BerkeleyEmdMovie)simple).ChunkCacheBytes);
    }
}
