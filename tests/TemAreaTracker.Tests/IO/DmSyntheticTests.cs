using System.Buffers.Binary;
using OpenCvSharp;
using TemAreaTracker.IO;
using Xunit;

namespace TemAreaTracker.Tests.IO;

/// <summary>DM3/DM4 files built byte by byte (<see cref="DmWriter"/>): stacks, byte orders, data types, units.</summary>
public class DmSyntheticTests
{
    private static byte[] F32(float v, bool le)
    {
        var b = new byte[4];
        if (le) BinaryPrimitives.WriteSingleLittleEndian(b, v); else BinaryPrimitives.WriteSingleBigEndian(b, v);
        return b;
    }

    private static byte[] I16(short v, bool le)
    {
        var b = new byte[2];
        if (le) BinaryPrimitives.WriteInt16LittleEndian(b, v); else BinaryPrimitives.WriteInt16BigEndian(b, v);
        return b;
    }

    private static string Save(byte[] bytes, string name)
    {
        string p = Path.Combine(TestData.NewFolder("dm"), name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    [InlineData(4, true)]
    public void Float32Stack_NonSquarePixels_UmAndAngstrom_TimeAxis(int version, bool le)
    {
        // 12 x 7 px, 3 frames; x in µm (0.002 µm = 2 nm), y in Å (25 Å = 2.5 nm), frames every 0.1 s.
        var bytes = DmWriter.Image(version, le, [12, 7, 3], 2, (k, x, y) => F32(k * 100 + x - 0.5f * y, le),
            [(0.002, "µm"), (25, "Å"), (0.1, "s")]);
        using var movie = MovieReader.Open(Save(bytes, $"stack.dm{version}"));
        Assert.Equal(($"dm{version}", 12, 7, 3, "float32"), (movie.Format, movie.Width, movie.Height, movie.FrameCount, movie.DataType));
        Assert.Equal(2.0, movie.Calibration.PixelWidthNm!.Value, 6);
        Assert.Equal(2.5, movie.Calibration.PixelHeightNm!.Value, 5);
        Assert.Equal($"dm{version}-tags", movie.Calibration.PixelSizeSource);
        Assert.Equal(0.1, movie.Calibration.FrameIntervalS!.Value, 6);
        var frames = movie.ReadFrames().ToList();
        Assert.Equal(3, frames.Count);
        Assert.Equal(MatType.CV_32FC1, frames[2].Pixels.Type());
        Assert.Equal(200 + 11 - 0.5f * 6, frames[2].Pixels.At<float>(6, 11));
        Assert.Equal(100 + 3 - 0.5f * 1, frames[1].Pixels.At<float>(1, 3));
        Assert.Equal(0.2, frames[2].TimeS!.Value, 6);
        frames.ForEach(f => f.Dispose());
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void Complex64_InReciprocalUnits_GivesModulusAndNoPixelSize(int version, bool le)
    {
        var bytes = DmWriter.Image(version, le, [6, 5], 3, (_, x, y) => [.. F32(3 * x, le), .. F32(4 * y, le)],
            [(0.05, "1/nm"), (0.05, "1/nm")]);
        using var movie = MovieReader.Open(Save(bytes, $"fft.dm{version}"));
        Assert.Equal("complex64", movie.DataType);
        Assert.Null(movie.Calibration.PixelWidthNm);
        Assert.Contains("reciprocal", movie.Metadata["calibration_note"]);
        using var f = movie.ReadFrames().Single();
        Assert.Equal(MatType.CV_32FC1, f.Pixels.Type());
        Assert.Equal(5f, f.Pixels.At<float>(1, 1), 5); // |3 + 4i|
        Assert.Equal(MathF.Sqrt(15 * 15 + 16 * 16), f.Pixels.At<float>(4, 5), 4); // x = 5, y = 4
    }

    [Fact]
    public void Int16BigEndian_KeepsSign_AndNmUnit()
    {
        var bytes = DmWriter.Image(4, false, [9, 4], 1, (_, x, y) => I16((short)(-1000 + 300 * x - y), false), [(0.8, "nm"), (0.8, "nm")]);
        using var movie = MovieReader.Open(Save(bytes, "signed.dm4"));
        Assert.Equal("int16", movie.DataType);
        Assert.Equal(0.8, movie.Calibration.PixelWidthNm!.Value, 6);
        using var f = movie.ReadFrames().Single();
        Assert.Equal(MatType.CV_16SC1, f.Pixels.Type());
        Assert.Equal(-1000, f.Pixels.At<short>(0, 0));
        Assert.Equal(-1000 + 300 * 8 - 3, f.Pixels.At<short>(3, 8));
    }

    [Fact]
    public void Uint32_BecomesExactFloat64()
    {
        var bytes = DmWriter.Image(3, true, [3, 2], 11, (_, x, y) => BitConverter.GetBytes(4_000_000_000u + (uint)(x + 10 * y)), [(1, ""), (1, "")]);
        using var movie = MovieReader.Open(Save(bytes, "u32.dm3"));
        Assert.Equal("uint32", movie.DataType);
        using var f = movie.ReadFrames().Single();
        Assert.Equal(4_000_000_012.0, f.Pixels.At<double>(1, 2));
    }

    [Fact]
    public void TruncatedDm_FailsWithFormatAndOffset()
    {
        var bytes = DmWriter.Image(4, true, [64, 64, 4], 10, (k, x, y) => BitConverter.GetBytes((ushort)(k + x)), [(1, "nm"), (1, "nm"), (1, "s")]);
        string p = Save(bytes.AsSpan(0, bytes.Length / 2).ToArray(), "cut.dm4");
        var e = Assert.Throws<MovieFormatException>(() => MovieReader.Open(p));
        Assert.Equal("dm4", e.Format);
        Assert.NotNull(e.ByteOffset);
        Assert.InRange(e.ByteOffset!.Value, 0, bytes.Length / 2);
    }

    [Fact]
    public void InSituFolder_ReadsInTimeOrder_WithLayoutTimes()
    {
        string root = TestData.NewFolder("insitu");
        // 2 frames per second over seconds 8, 9, 10: natural order must put Second_10 last.
        int n = 0;
        foreach (int s in new[] { 8, 9, 10 })
        for (int j = 0; j < 2; j++)
        {
            string dir = Path.Combine(root, "Hour_00", "Minute_00", $"Second_{s}");
            Directory.CreateDirectory(dir);
            int value = n++;
            var bytes = DmWriter.Image(4, true, [5, 4], 10, (_, _, _) => BitConverter.GetBytes((ushort)value), [(0.3, "nm"), (0.3, "nm")]);
            File.WriteAllBytes(Path.Combine(dir, $"run_Hour_00_Minute_00_Second_{s}_Frame_{j}.dm4"), bytes);
        }
        using var movie = MovieReader.Open(root);
        Assert.Equal(("dm4-series", 6, "uint16"), (movie.Format, movie.FrameCount, movie.DataType));
        Assert.Equal(0.3, movie.Calibration.PixelWidthNm!.Value, 6);
        Assert.Equal(0.5, movie.Calibration.FrameIntervalS!.Value, 9);
        Assert.Equal("dm-folder-layout", movie.Calibration.FrameIntervalSource);
        var seen = movie.ReadFrames().Select(f => { using (f) return ((int)f.Pixels.At<ushort>(0, 0), f.TimeS); }).ToList();
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }, seen.Select(s => s.Item1));
        Assert.Equal(new double?[] { 0, 0.5, 1, 1.5, 2, 2.5 }, seen.Select(s => s.TimeS));
    }

    [Fact]
    public void FolderOfDm_UsesAcquisitionTimeWhenPresent()
    {
        string root = TestData.NewFolder("dmfolder");
        for (int i = 0; i < 3; i++)
        {
            // FILETIME ticks (100 ns): frames 0.25 s apart.
            double os = 1.3e17 + i * 2.5e6;
            var bytes = DmWriter.Image(3, false, [4, 4], 6, (_, _, _) => [(byte)(10 * i)], [(2, "nm"), (2, "nm")], os);
            File.WriteAllBytes(Path.Combine(root, $"img{i + 1}.dm3"), bytes);
        }
        using var movie = MovieReader.Open(root);
        var times = movie.ReadFrames().Select(f => { using (f) return f.TimeS!.Value; }).ToList();
        Assert.Equal(0.25, times[1], 6);
        Assert.Equal(0.5, times[2], 6);
    }
}
