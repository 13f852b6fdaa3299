using BitMiracle.LibTiff.Classic;
using OpenCvSharp;
using TemAreaTracker.IO;
using Xunit;

namespace TemAreaTracker.Tests.IO;

public class TiffMovieTests
{
    /// <summary>Writes a multi-page gray TIFF with LibTiff; pixel (x, y) of page k is <paramref name="value"/>(k, x, y).</summary>
    internal static void WriteTiff(string path, int width, int height, int pages, int bits, SampleFormat format,
        Func<int, int, int, double> value, string? description = null, double? xres = null, double? yres = null,
        bool bigEndian = false, Compression compression = Compression.NONE, int rowsPerStrip = 0, bool bigTiff = false)
    {
        using var t = Tiff.Open(path, (bigEndian ? "wb" : "wl") + (bigTiff ? "8" : ""))!;
        int bytes = bits / 8;
        for (int k = 0; k < pages; k++)
        {
            t.SetField(TiffTag.IMAGEWIDTH, width);
            t.SetField(TiffTag.IMAGELENGTH, height);
            t.SetField(TiffTag.BITSPERSAMPLE, bits);
            t.SetField(TiffTag.SAMPLESPERPIXEL, 1);
            t.SetField(TiffTag.SAMPLEFORMAT, format);
            t.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
            t.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            t.SetField(TiffTag.COMPRESSION, compression);
            t.SetField(TiffTag.ROWSPERSTRIP, rowsPerStrip > 0 ? rowsPerStrip : height);
            if (k == 0 && description is not null) t.SetField(TiffTag.IMAGEDESCRIPTION, description);
            if (xres is double xr)
            {
                t.SetField(TiffTag.XRESOLUTION, xr);
                t.SetField(TiffTag.YRESOLUTION, yres ?? xr);
                t.SetField(TiffTag.RESOLUTIONUNIT, ResUnit.NONE);
            }
            var row = new byte[width * bytes];
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    double v = value(k, x, y);
                    var span = row.AsSpan(x * bytes, bytes);
                    switch (bits, format)
                    {
                        case (8, _): span[0] = (byte)v; break;
                        case (16, SampleFormat.INT): BitConverter.TryWriteBytes(span, (short)v); break;
                        case (16, _): BitConverter.TryWriteBytes(span, (ushort)v); break;
                        case (32, SampleFormat.IEEEFP): BitConverter.TryWriteBytes(span, (float)v); break;
                        case (32, _): BitConverter.TryWriteBytes(span, (int)v); break;
                        case (64, _): BitConverter.TryWriteBytes(span, v); break;
                    }
                }
                t.WriteScanline(row, y);
            }
            t.WriteDirectory();
        }
    }

    [Fact]
    public void ImageJ16Bit_ReadsPixelsCalibrationIntervalAndValueMap()
    {
        string path = Path.Combine(TestData.NewFolder("tif"), "stack.tif");
        const string desc = "ImageJ=1.54f\nimages=3\nframes=3\nunit=micron\nfinterval=0.5\nc0=-32768.0\nc1=1.0\nvunit=Gray Value\n";
        // Non-square 40x30 px so a width/height swap fails; 400 px/um in x, 250 px/um in y.
        WriteTiff(path, 40, 30, 3, 16, SampleFormat.UINT, (k, x, y) => 30000 + 1000 * k + 7 * x + y, desc, xres: 400, yres: 250);

        using var movie = MovieReader.Open(path);
        Assert.Equal("tiff", movie.Format);
        Assert.Equal((40, 30, 3, "uint16"), (movie.Width, movie.Height, movie.FrameCount, movie.DataType));
        Assert.Equal(2.5, movie.Calibration.PixelWidthNm!.Value, 9);
        Assert.Equal(4.0, movie.Calibration.PixelHeightNm!.Value, 9);
        Assert.Equal("imagej-tiff", movie.Calibration.PixelSizeSource);
        Assert.Equal(0.5, movie.Calibration.FrameIntervalS!.Value, 12);
        Assert.Equal("imagej-finterval", movie.Calibration.FrameIntervalSource);
        Assert.Equal(-32768, movie.Intensity!.Offset);

        int n = 0;
        foreach (var f in movie.ReadFrames())
        {
            using (f)
            {
                Assert.Equal(MatType.CV_16UC1, f.Pixels.Type());
                Assert.Equal(30000 + 1000 * f.Index + 7 * 39 + 29, f.Pixels.At<ushort>(29, 39));
                Assert.Equal(30000 + 1000 * f.Index + 7 * 3, f.Pixels.At<ushort>(0, 3));
                n++;
            }
        }
        Assert.Equal(3, n);
        Assert.Null(movie.StoppedEarly);
    }

    [Theory]
    [InlineData("A", 0.1 * 2)]
    [InlineData("nm", 2)]
    [InlineData("\\u00B5m", 2000)]
    [InlineData("pixel", double.NaN)]
    public void ImageJUnit_ConvertsToNm(string unit, double expectedNm)
    {
        string path = Path.Combine(TestData.NewFolder("tif"), "u.tif");
        WriteTiff(path, 8, 6, 1, 8, SampleFormat.UINT, (_, x, y) => x + y, $"ImageJ=1.54f\nunit={unit}\n", xres: 0.5);
        using var movie = MovieReader.Open(path);
        if (double.IsNaN(expectedNm)) Assert.Null(movie.Calibration.PixelWidthNm);
        else Assert.Equal(expectedNm, movie.Calibration.PixelWidthNm!.Value, 9);
    }

    [Fact]
    public void Float32BigEndian_MultiStrip_ReadsExactValues()
    {
        string path = Path.Combine(TestData.NewFolder("tif"), "be.tif");
        WriteTiff(path, 17, 11, 2, 32, SampleFormat.IEEEFP, (k, x, y) => -1.25 * x + 0.5 * y + 100 * k, bigEndian: true, rowsPerStrip: 4);
        using var movie = MovieReader.Open(path);
        Assert.Equal("float32", movie.DataType);
        var frames = movie.ReadFrames().ToList();
        Assert.Equal(2, frames.Count);
        Assert.Equal(-1.25f * 16 + 0.5f * 10 + 100, frames[1].Pixels.At<float>(10, 16));
        Assert.Equal(0.5f * 3, frames[0].Pixels.At<float>(3, 0));
        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public void Int16BigEndianLzw_GoesThroughLibTiffAndKeepsSign()
    {
        string path = Path.Combine(TestData.NewFolder("tif"), "lzw.tif");
        WriteTiff(path, 33, 9, 2, 16, SampleFormat.INT, (k, x, y) => -500 + 31 * x - y - k, bigEndian: true, compression: Compression.LZW, rowsPerStrip: 2);
        using var movie = MovieReader.Open(path);
        Assert.Equal("int16", movie.DataType);
        var frames = movie.ReadFrames().ToList();
        Assert.Equal(MatType.CV_16SC1, frames[1].Pixels.Type());
        Assert.Equal(-500 + 31 * 32 - 8 - 1, frames[1].Pixels.At<short>(8, 32));
        Assert.Equal(-500, frames[0].Pixels.At<short>(0, 0));
        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public void TruncatedStack_YieldsReadableFramesThenSaysWhere()
    {
        string dir = TestData.NewFolder("tif");
        string path = Path.Combine(dir, "full.tif");
        WriteTiff(path, 64, 64, 6, 16, SampleFormat.UINT, (k, x, y) => k * 10 + x, "ImageJ=1.54f\nimages=6\nframes=6\n");
        byte[] all = File.ReadAllBytes(path);
        // LibTiff writes each page's pixels before its IFD: cut in the middle of page 3's pixels.
        string cut = Path.Combine(dir, "cut.tif");
        File.WriteAllBytes(cut, all.AsSpan(0, 8 + 3 * (64 * 64 * 2 + 200) + 1000).ToArray());
        using var movie = MovieReader.Open(cut);
        var frames = movie.ReadFrames().ToList();
        Assert.InRange(frames.Count, 1, 5);
        Assert.Equal(frames.Count * 10 + 5, frames.Count > 0 ? frames[^1].Pixels.At<ushort>(0, 5) + 10 : 0);
        Assert.StartsWith($"truncated at frame {frames.Count}", movie.StoppedEarly);
        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public void RealImageJTiff_AgreesWithTifffile()
    {
        // SAMPLE_0001.tif (chenlabUIUC, MIT): 16-bit, 1024x1024, XResolution 385.678554 px/um, c0 = -32768.
        const string rel = "chenlabUIUC_particle-identification/SAMPLE_0001.tif";
        var exp = TestData.Expected(rel);
        using var movie = MovieReader.Open(TestData.Real(rel));
        Assert.Equal(exp.GetProperty("shape")[0].GetInt32(), movie.Height);
        Assert.Equal(exp.GetProperty("shape")[1].GetInt32(), movie.Width);
        Assert.Equal(exp.GetProperty("dtype").GetString(), movie.DataType);
        var xres = exp.GetProperty("x_resolution");
        double nm = 1000.0 / (xres[0].GetDouble() / xres[1].GetDouble());
        Assert.Equal(nm, movie.Calibration.PixelWidthNm!.Value, 6); // LibTiff keeps the RATIONAL as float32
        Assert.Equal(2.593, movie.Calibration.PixelWidthNm!.Value, 3);
        Assert.Equal(exp.GetProperty("imagej").GetProperty("c0").GetDouble(), movie.Intensity!.Offset);
        var frames = movie.ReadFrames().ToList();
        Assert.Single(frames);
        var (min, max, mean) = Stats.Of(frames[0].Pixels);
        Assert.Equal(exp.GetProperty("min").GetDouble(), min);
        Assert.Equal(exp.GetProperty("max").GetDouble(), max);
        Assert.Equal(exp.GetProperty("mean").GetDouble(), mean, 6);
        frames[0].Dispose();
    }

    /// <summary>
    /// The layout ImageJ uses for stacks over 4 GB: one IFD describing the first image, "images=N" in its description,
    /// all N images stored back to back from the first strip offset. Built byte by byte (TIFF 6.0, little-endian).
    /// </summary>
    internal static byte[] ImageJContiguous(int w, int h, int images, int storedImages)
    {
        string desc = $"ImageJ=1.54f\nimages={images}\nframes={images}\nunit=nm\nfinterval=0.25\n\0";
        var entries = new List<(ushort Tag, ushort Type, uint Count, uint Value)>();
        const int ifdAt = 8;
        int nEntries = 10;
        int descAt = ifdAt + 2 + nEntries * 12 + 4;
        int resAt = descAt + desc.Length;
        int dataAt = resAt + 16;
        entries.Add((256, 4, 1, (uint)w));
        entries.Add((257, 4, 1, (uint)h));
        entries.Add((258, 3, 1, 16));
        entries.Add((259, 3, 1, 1));
        entries.Add((262, 3, 1, 1));
        entries.Add((270, 2, (uint)desc.Length, (uint)descAt));
        entries.Add((273, 4, 1, (uint)dataAt));
        entries.Add((278, 4, 1, (uint)h));
        entries.Add((279, 4, 1, (uint)(w * h * 2)));
        entries.Add((282, 5, 1, (uint)resAt)); // XResolution 2 px/nm -> 0.5 nm
        var b = new List<byte>();
        b.AddRange("II"u8.ToArray()); b.AddRange(BitConverter.GetBytes((ushort)42)); b.AddRange(BitConverter.GetBytes(ifdAt));
        b.AddRange(BitConverter.GetBytes((ushort)nEntries));
        foreach (var e in entries)
        {
            b.AddRange(BitConverter.GetBytes(e.Tag)); b.AddRange(BitConverter.GetBytes(e.Type));
            b.AddRange(BitConverter.GetBytes(e.Count));
            b.AddRange(e.Type == 3 ? [.. BitConverter.GetBytes((ushort)e.Value), 0, 0] : BitConverter.GetBytes(e.Value));
        }
        b.AddRange(BitConverter.GetBytes(0)); // no next IFD
        b.AddRange(System.Text.Encoding.ASCII.GetBytes(desc));
        b.AddRange(BitConverter.GetBytes(2u)); b.AddRange(BitConverter.GetBytes(1u));
        b.AddRange(BitConverter.GetBytes(2u)); b.AddRange(BitConverter.GetBytes(1u));
        for (int k = 0; k < storedImages; k++)
        for (int i = 0; i < w * h; i++)
            b.AddRange(BitConverter.GetBytes((ushort)(k * 1000 + i % w)));
        return b.ToArray();
    }

    [Fact]
    public void ImageJContiguousLayout_ReadsAllImagesAfterTheSingleIfd()
    {
        string path = Path.Combine(TestData.NewFolder("tif"), "big-layout.tif");
        File.WriteAllBytes(path, ImageJContiguous(10, 6, 5, 5));
        using var movie = MovieReader.Open(path);
        Assert.Equal(5, movie.FrameCount);
        Assert.Equal("imagej-contiguous", movie.Metadata["tiff.layout"]);
        Assert.Equal(0.5, movie.Calibration.PixelWidthNm!.Value, 9);
        Assert.Equal(0.25, movie.Calibration.FrameIntervalS!.Value, 12);
        var v = movie.ReadFrames().Select(f => { using (f) return (int)f.Pixels.At<ushort>(5, 9); }).ToList();
        Assert.Equal(new[] { 9, 1009, 2009, 3009, 4009 }, v);
        Assert.Null(movie.StoppedEarly);
    }

    [Fact]
    public void ImageJContiguousLayout_Truncated_StopsWithByteOffset()
    {
        string path = Path.Combine(TestData.NewFolder("tif"), "big-cut.tif");
        var bytes = ImageJContiguous(10, 6, 5, 5);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 10 * 6 * 2 - 7).ToArray()); // image 4 gone, image 3 7 bytes short
        using var movie = MovieReader.Open(path);
        Assert.Equal(3, movie.ReadFrames().Count(f => { f.Dispose(); return true; }));
        Assert.StartsWith("truncated at frame 3 (byte ", movie.StoppedEarly);
    }

    [Fact]
    public void TiledAndRgbPages_BecomeOneGrayChannel()
    {
        string dir = TestData.NewFolder("tif");
        string tiled = Path.Combine(dir, "tiled.tif");
        using (var t = Tiff.Open(tiled, "w")!)
        {
            const int w = 40, h = 24, tw = 16, th = 16;
            t.SetField(TiffTag.IMAGEWIDTH, w);
            t.SetField(TiffTag.IMAGELENGTH, h);
            t.SetField(TiffTag.BITSPERSAMPLE, 16);
            t.SetField(TiffTag.SAMPLESPERPIXEL, 1);
            t.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
            t.SetField(TiffTag.COMPRESSION, Compression.DEFLATE);
            t.SetField(TiffTag.TILEWIDTH, tw);
            t.SetField(TiffTag.TILELENGTH, th);
            var tile = new byte[tw * th * 2];
            for (int ty = 0; ty < h; ty += th)
            for (int tx = 0; tx < w; tx += tw)
            {
                for (int r = 0; r < th; r++)
                for (int c = 0; c < tw; c++)
                    BitConverter.TryWriteBytes(tile.AsSpan((r * tw + c) * 2), (ushort)(100 * (ty + r) + tx + c));
                t.WriteTile(tile, tx, ty, 0, 0);
            }
            t.WriteDirectory();
        }
        using (var movie = MovieReader.Open(tiled))
        using (var f = movie.ReadFrames().Single())
        {
            Assert.Equal("uint16", movie.DataType);
            Assert.Equal(100 * 23 + 39, f.Pixels.At<ushort>(23, 39));
            Assert.Equal(100 * 17 + 20, f.Pixels.At<ushort>(17, 20));
        }

        string rgb = Path.Combine(dir, "rgb.tif");
        using (var t = Tiff.Open(rgb, "w")!)
        {
            t.SetField(TiffTag.IMAGEWIDTH, 8);
            t.SetField(TiffTag.IMAGELENGTH, 4);
            t.SetField(TiffTag.BITSPERSAMPLE, 8);
            t.SetField(TiffTag.SAMPLESPERPIXEL, 3);
            t.SetField(TiffTag.PHOTOMETRIC, Photometric.RGB);
            t.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            t.SetField(TiffTag.ROWSPERSTRIP, 4);
            var row = new byte[8 * 3];
            for (int y = 0; y < 4; y++)
            {
                for (int x = 0; x < 8; x++) row[3 * x] = row[3 * x + 1] = row[3 * x + 2] = (byte)(30 * y + x);
                t.WriteScanline(row, y);
            }
            t.WriteDirectory();
        }
        using (var movie = MovieReader.Open(rgb))
        using (var f = movie.ReadFrames().Single())
        {
            Assert.Equal(MatType.CV_8UC1, f.Pixels.Type());
            Assert.Equal(30 * 3 + 7, f.Pixels.At<byte>(3, 7)); // gray saved as RGB comes back exactly
        }
    }

    [Fact]
    public void Hyperstack_WithTwoChannels_StreamsChannelOneOnly()
    {
        string path = Path.Combine(TestData.NewFolder("tif"), "hyper.tif");
        // ImageJ order: channel fastest. Page p = 2·t + c; value 100·t + c.
        WriteTiff(path, 6, 5, 6, 8, SampleFormat.UINT, (p, _, _) => 100 * (p / 2) % 256 + p % 2,
            "ImageJ=1.54f\nimages=6\nchannels=2\nframes=3\nhyperstack=true\n");
        using var movie = MovieReader.Open(path);
        Assert.Equal(3, movie.FrameCount);
        var v = movie.ReadFrames().Select(f => { using (f) return (int)f.Pixels.At<byte>(0, 0); }).ToList();
        Assert.Equal(new[] { 0, 100, 200 }, v);
        Assert.Contains("channel 1", movie.Metadata["tiff.channels_note"]);
    }

    [Fact]
    public void BigTiff_ReadsLikeClassicTiff()
    {
        string path = Path.Combine(TestData.NewFolder("tif"), "big.tif");
        WriteTiff(path, 20, 10, 3, 16, SampleFormat.UINT, (k, x, y) => 1000 * k + x + 20 * y, "ImageJ=1.54f\nimages=3\nunit=nm\n", xres: 4, bigTiff: true);
        Assert.Equal(43, File.ReadAllBytes(path)[2]); // BigTIFF magic
        using var movie = MovieReader.Open(path);
        Assert.Equal((3, 0.25), (movie.FrameCount, movie.Calibration.PixelWidthNm));
        var v = movie.ReadFrames().Select(f => { using (f) return (int)f.Pixels.At<ushort>(9, 19); }).ToList();
        Assert.Equal(new[] { 199, 1199, 2199 }, v);
    }

    /// <summary>A one-page 8-bit TIFF carrying FEI/Thermo's INI metadata in private tag 34682, built byte by byte.</summary>
    private static byte[] FeiTiff(string ini, int w, int h)
    {
        string txt = ini + "\0";
        const int ifd = 8, n = 9;
        int txtAt = ifd + 2 + n * 12 + 4, dataAt = txtAt + txt.Length;
        (ushort Tag, ushort Type, uint Count, uint Value)[] entries =
        [
            (256, 3, 1, (uint)w), (257, 3, 1, (uint)h), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
            (273, 4, 1, (uint)dataAt), (278, 3, 1, (uint)h), (279, 4, 1, (uint)(w * h)), (34682, 2, (uint)txt.Length, (uint)txtAt),
        ];
        var b = new List<byte>();
        b.AddRange("II"u8.ToArray()); b.AddRange(BitConverter.GetBytes((ushort)42)); b.AddRange(BitConverter.GetBytes(ifd));
        b.AddRange(BitConverter.GetBytes((ushort)n));
        foreach (var e in entries)
        {
            b.AddRange(BitConverter.GetBytes(e.Tag)); b.AddRange(BitConverter.GetBytes(e.Type)); b.AddRange(BitConverter.GetBytes(e.Count));
            b.AddRange(e.Type == 3 ? [.. BitConverter.GetBytes((ushort)e.Value), 0, 0] : BitConverter.GetBytes(e.Value));
        }
        b.AddRange(BitConverter.GetBytes(0));
        b.AddRange(System.Text.Encoding.ASCII.GetBytes(txt));
        for (int i = 0; i < w * h; i++) b.Add((byte)i);
        return b.ToArray();
    }

    [Fact]
    public void FeiTiff_PixelSizeFromScanSection()
    {
        string path = Path.Combine(TestData.NewFolder("tif"), "fei.tif");
        File.WriteAllBytes(path, FeiTiff("[User]\r\nDate=01/02/2024\r\n[Scan]\r\nPixelWidth=1.5e-009\r\nPixelHeight=1.5e-009\r\nFrameTime=0.25\r\n", 6, 4));
        using var movie = MovieReader.Open(path);
        Assert.Equal(1.5, movie.Calibration.PixelWidthNm!.Value, 9);
        Assert.Equal("fei-tiff", movie.Calibration.PixelSizeSource);
        Assert.Equal(0.25, movie.Calibration.FrameIntervalS!.Value, 12);
        Assert.Equal("01/02/2024", movie.Metadata["fei.User.Date"]);
        using var f = movie.ReadFrames().Single();
        Assert.Equal(23, f.Pixels.At<byte>(3, 5));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PlainStackCutInHalf_SaysTruncated_WithOrWithoutPageNumber(bool pageNumber)
    {
        string dir = TestData.NewFolder("tif");
        string path = Path.Combine(dir, "plain.tif");
        using (var t = Tiff.Open(path, "w")!)
        {
            var buf = new byte[60 * 40];
            for (int i = 0; i < 20; i++)
            {
                Array.Fill(buf, (byte)i);
                t.SetField(TiffTag.IMAGEWIDTH, 60); t.SetField(TiffTag.IMAGELENGTH, 40);
                t.SetField(TiffTag.BITSPERSAMPLE, 8); t.SetField(TiffTag.SAMPLESPERPIXEL, 1);
                t.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK); t.SetField(TiffTag.ROWSPERSTRIP, 40);
                if (pageNumber) t.SetField(TiffTag.PAGENUMBER, i, 20);
                t.WriteEncodedStrip(0, buf, buf.Length);
                t.WriteDirectory();
            }
        }
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        using var movie = MovieReader.Open(path);
        if (pageNumber) Assert.Equal(20, movie.FrameCount);
        var values = movie.ReadFrames().Select(f => { using (f) return (int)f.Pixels.At<byte>(0, 0); }).ToList();
        Assert.InRange(values.Count, 8, 10);
        Assert.Equal(Enumerable.Range(0, values.Count), values);
        Assert.StartsWith($"truncated at frame {values.Count}", movie.StoppedEarly);
    }
}
