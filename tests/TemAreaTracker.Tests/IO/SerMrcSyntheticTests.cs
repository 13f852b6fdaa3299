using System.Buffers.Binary;
using System.Text;
using OpenCvSharp;
using TemAreaTracker.IO;
using Xunit;

namespace TemAreaTracker.Tests.IO;

/// <summary>SER (TIA) and MRC2014 files built byte by byte from their published layouts.</summary>
public class SerMrcSyntheticTests
{
    /// <summary>
    /// A TIA series of <paramref name="frames"/> 2-D images laid out as TIA does: header, offset array (data offsets then
    /// tag offsets), then each element (calibration, type, size, pixels bottom row first) followed by its time tag.
    /// </summary>
    internal static byte[] Ser(int version, int frames, int w, int h, short serType, int bytesPerPixel, Func<int, int, int, byte[]> pixel,
        double dxM, double dyM, Func<int, int> timeS, string dimUnits = "")
    {
        bool wide = version == 0x0220;
        var s = new MemoryStream();
        var bw = new BinaryWriter(s); // little-endian
        bw.Write((ushort)0x4949); bw.Write((ushort)0x0197); bw.Write((ushort)version);
        bw.Write(0x4122); bw.Write(0x4152); bw.Write(frames); bw.Write(frames);
        long offsetArrayField = s.Position;
        if (wide) bw.Write(0L); else bw.Write(0);
        bw.Write(1); // one series dimension
        bw.Write(frames); bw.Write(0.0); bw.Write(dimUnits == "" ? 1.0 : 0.5); bw.Write(0);
        var desc = Encoding.ASCII.GetBytes("Number");
        bw.Write(desc.Length); bw.Write(desc);
        var units = Encoding.ASCII.GetBytes(dimUnits);
        bw.Write(units.Length); bw.Write(units);
        long offsetArray = s.Position;
        int ob = wide ? 8 : 4;
        bw.Write(new byte[2 * frames * ob]);
        var dataOffsets = new long[frames];
        var tagOffsets = new long[frames];
        for (int k = 0; k < frames; k++)
        {
            dataOffsets[k] = s.Position;
            bw.Write(0.0); bw.Write(dxM); bw.Write(0);
            bw.Write(0.0); bw.Write(dyM); bw.Write(0);
            bw.Write(serType); bw.Write(w); bw.Write(h);
            for (int y = h - 1; y >= 0; y--) // bottom row first
            for (int x = 0; x < w; x++)
                bw.Write(pixel(k, x, y));
            tagOffsets[k] = s.Position;
            bw.Write(0x4152); bw.Write(timeS(k));
        }
        s.Position = offsetArrayField;
        if (wide) bw.Write(offsetArray); else bw.Write((int)offsetArray);
        s.Position = offsetArray;
        foreach (var o in dataOffsets.Concat(tagOffsets)) { if (wide) bw.Write(o); else bw.Write((int)o); }
        return s.ToArray();
    }

    [Fact]
    public void SerUint16Series_FlipsRows_NonSquarePixels_TimesFromTags()
    {
        var bytes = Ser(0x0210, 3, 20, 10, 2, 2, (k, x, y) => BitConverter.GetBytes((ushort)(1000 * k + 10 * y + x)), 0.5e-9, 0.8e-9, k => 1_600_000_000 + 2 * k);
        string p = Path.Combine(TestData.NewFolder("ser"), "series_1.ser");
        File.WriteAllBytes(p, bytes);
        using var movie = MovieReader.Open(p);
        Assert.Equal(("ser", 20, 10, 3, "uint16"), (movie.Format, movie.Width, movie.Height, movie.FrameCount, movie.DataType));
        Assert.Equal(0.5, movie.Calibration.PixelWidthNm!.Value, 9);
        Assert.Equal(0.8, movie.Calibration.PixelHeightNm!.Value, 9);
        Assert.Equal("ser-calibration", movie.Calibration.PixelSizeSource);
        Assert.Equal(2.0, movie.Calibration.FrameIntervalS!.Value, 9);
        Assert.Equal("ser-timestamps", movie.Calibration.FrameIntervalSource);
        var frames = movie.ReadFrames().ToList();
        Assert.Equal(3, frames.Count);
        Assert.Equal(2000 + 10 * 0 + 0, frames[2].Pixels.At<ushort>(0, 0)); // top-left after the flip
        Assert.Equal(1000 + 10 * 9 + 19, frames[1].Pixels.At<ushort>(9, 19));
        Assert.Equal(new double?[] { 0, 2, 4 }, frames.Select(f => f.TimeS));
        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public void SerFloat32Version0220_WithEmi_AndTimeDimension()
    {
        string dir = TestData.NewFolder("ser");
        var bytes = Ser(0x0220, 2, 8, 6, 7, 4, (k, x, y) => BitConverter.GetBytes(-1.5f * x + y + k), 2e-10, 2e-10, _ => 0, dimUnits: "s");
        File.WriteAllBytes(Path.Combine(dir, "run_1.ser"), bytes);
        File.WriteAllText(Path.Combine(dir, "run.emi"),
            "binary junk\0\0<ObjectInfo><ExperimentalConditions><MicroscopeConditions><AcceleratingVoltage>300000</AcceleratingVoltage></MicroscopeConditions></ExperimentalConditions></ObjectInfo>more junk");
        using var movie = MovieReader.Open(Path.Combine(dir, "run_1.ser"));
        Assert.Equal("float32", movie.DataType);
        Assert.Equal(0.2, movie.Calibration.PixelWidthNm!.Value, 9);
        Assert.Equal(0.5, movie.Calibration.FrameIntervalS!.Value, 9);
        Assert.Equal("ser-dimension", movie.Calibration.FrameIntervalSource);
        Assert.Equal("300000", movie.Metadata["emi.ExperimentalConditions.MicroscopeConditions.AcceleratingVoltage"]);
        using var f = movie.ReadFrames().Last();
        Assert.Equal(-1.5f * 7 + 5 + 1, f.Pixels.At<float>(5, 7));
    }

    [Fact]
    public void TruncatedSer_YieldsWholeFramesThenStops()
    {
        var bytes = Ser(0x0210, 5, 32, 32, 2, 2, (k, x, y) => BitConverter.GetBytes((ushort)k), 1e-9, 1e-9, k => k);
        string p = Path.Combine(TestData.NewFolder("ser"), "cut_1.ser");
        int frameBytes = 50 + 32 * 32 * 2 + 8;
        int cut = bytes.Length - 2 * frameBytes - 100; // frames 3 and 4 gone, frame 2 cut 100 bytes short
        File.WriteAllBytes(p, bytes.AsSpan(0, cut).ToArray());
        using var movie = MovieReader.Open(p);
        var values = movie.ReadFrames().Select(f => { using (f) return (int)f.Pixels.At<ushort>(0, 0); }).ToList();
        Assert.Equal(new[] { 0, 1 }, values);
        Assert.StartsWith("truncated at frame 2", movie.StoppedEarly);
    }

    /// <summary>An MRC2014 file: 1024-byte header (optionally big-endian), optional extended header, then sections.</summary>
    internal static byte[] Mrc(int nx, int ny, int nz, int mode, int bytesPerPixel, Func<int, int, int, double> value, float cellX, float cellY,
        bool bigEndian = false, int extended = 0)
    {
        var h = new byte[1024];
        void I(int o, int v) { if (bigEndian) BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(o), v); else BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(o), v); }
        void F(int o, float v) { if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(h.AsSpan(o), v); else BinaryPrimitives.WriteSingleLittleEndian(h.AsSpan(o), v); }
        I(0, nx); I(4, ny); I(8, nz); I(12, mode); I(28, nx); I(32, ny); I(36, nz);
        F(40, cellX); F(44, cellY); F(48, nz);
        I(64, 1); I(68, 2); I(72, 3); I(92, extended);
        "MAP "u8.CopyTo(h.AsSpan(208));
        h[212] = bigEndian ? (byte)0x11 : (byte)0x44; h[213] = h[212];
        I(220, 1);
        "written byte by byte by TemAreaTracker tests"u8.CopyTo(h.AsSpan(224));
        var s = new MemoryStream();
        s.Write(h);
        s.Write(new byte[extended]);
        var px = new byte[bytesPerPixel];
        for (int z = 0; z < nz; z++)
        for (int y = 0; y < ny; y++)
        for (int x = 0; x < nx; x++)
        {
            double v = value(z, x, y);
            switch (mode)
            {
                case 0: px[0] = (byte)(sbyte)v; break;
                case 1: if (bigEndian) BinaryPrimitives.WriteInt16BigEndian(px, (short)v); else BinaryPrimitives.WriteInt16LittleEndian(px, (short)v); break;
                case 2: if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(px, (float)v); else BinaryPrimitives.WriteSingleLittleEndian(px, (float)v); break;
                case 6: if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(px, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(px, (ushort)v); break;
                case 12: if (bigEndian) BinaryPrimitives.WriteHalfBigEndian(px, (Half)v); else BinaryPrimitives.WriteHalfLittleEndian(px, (Half)v); break;
            }
            s.Write(px);
        }
        return s.ToArray();
    }

    [Theory]
    [InlineData(0, 1, false, "int8")]
    [InlineData(1, 2, true, "int16")]
    [InlineData(2, 4, true, "float32")]
    [InlineData(6, 2, false, "uint16")]
    [InlineData(12, 2, false, "float16")]
    public void MrcModes_ReadExactValues_WithAngstromCell(int mode, int bytes, bool bigEndian, string dtype)
    {
        // 10 x 6 px, 4 sections; cell 25 Å x 18 Å -> 0.25 nm x 0.3 nm pixels.
        double V(int z, int x, int y) => mode == 6 ? 1000 + 10 * z + x + y : z - x + y;
        var file = Mrc(10, 6, 4, mode, bytes, V, 25f, 18f, bigEndian, extended: 128);
        string p = Path.Combine(TestData.NewFolder("mrc"), "stack.mrcs");
        File.WriteAllBytes(p, file);
        using var movie = MovieReader.Open(p);
        Assert.Equal(("mrc", 10, 6, 4, dtype), (movie.Format, movie.Width, movie.Height, movie.FrameCount, movie.DataType));
        Assert.Equal(0.25, movie.Calibration.PixelWidthNm!.Value, 6);
        Assert.Equal(0.3, movie.Calibration.PixelHeightNm!.Value, 6);
        var frames = movie.ReadFrames().ToList();
        using var d = new Mat();
        frames[3].Pixels.ConvertTo(d, MatType.CV_64FC1);
        Assert.Equal(V(3, 9, 5), d.At<double>(5, 9));
        Assert.Equal(V(3, 2, 1), d.At<double>(1, 2));
        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public void TruncatedMrc_StopsAtLastWholeSection()
    {
        var file = Mrc(16, 16, 5, 2, 4, (z, _, _) => z, 16, 16);
        string p = Path.Combine(TestData.NewFolder("mrc"), "cut.mrc");
        File.WriteAllBytes(p, file.AsSpan(0, 1024 + 16 * 16 * 4 * 3 + 10).ToArray());
        using var movie = MovieReader.Open(p);
        Assert.Equal(3, movie.ReadFrames().Count(f => { f.Dispose(); return true; }));
        Assert.Equal($"truncated at frame 3 (byte {1024 + 16 * 16 * 4 * 3})", movie.StoppedEarly);
    }
}
