using System.Buffers.Binary;
using System.Diagnostics;
using BitMiracle.LibTiff.Classic;
using TemAreaTracker.IO;
using Xunit;
using Xunit.Abstractions;

namespace TemAreaTracker.Tests.IO;

[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

/// <summary>200-frame stacks stream in flat memory: growth stays far below the stack size (measured alone, not in parallel).</summary>
[Collection(nameof(MemoryMeasurements))]
public class StreamingMemoryTests(ITestOutputHelper output)
{
    private const int W = 384, H = 384, Frames = 200;
    private const long StackBytes = (long)W * H * 2 * Frames; // 59 MB of uint16

    private static string WriteTiff(string dir)
    {
        string path = Path.Combine(dir, "big.tif");
        var rng = new Random(3);
        var frame = new byte[W * H * 2];
        using var t = Tiff.Open(path, "w")!;
        for (int k = 0; k < Frames; k++)
        {
            t.SetField(TiffTag.IMAGEWIDTH, W);
            t.SetField(TiffTag.IMAGELENGTH, H);
            t.SetField(TiffTag.BITSPERSAMPLE, 16);
            t.SetField(TiffTag.SAMPLESPERPIXEL, 1);
            t.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
            t.SetField(TiffTag.ROWSPERSTRIP, H);
            if (k == 0) t.SetField(TiffTag.IMAGEDESCRIPTION, $"ImageJ=1.54f\nimages={Frames}\nframes={Frames}\n");
            rng.NextBytes(frame);
            BinaryPrimitives.WriteUInt16LittleEndian(frame, (ushort)k);
            t.WriteEncodedStrip(0, frame, frame.Length);
            t.WriteDirectory();
        }
        return path;
    }

    private static string WriteMrc(string dir)
    {
        string path = Path.Combine(dir, "big.mrcs");
        var header = SerMrcSyntheticTests.Mrc(W, H, 1, 6, 2, (_, _, _) => 0, W, H).AsSpan(0, 1024).ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), Frames);
        using var fs = File.Create(path);
        fs.Write(header);
        var rng = new Random(4);
        var frame = new byte[W * H * 2];
        for (int k = 0; k < Frames; k++)
        {
            rng.NextBytes(frame);
            BinaryPrimitives.WriteUInt16LittleEndian(frame, (ushort)k);
            fs.Write(frame);
        }
        return path;
    }

    /// <summary>A Berkeley EMD [frame, y, x] stack chunked a frame per chunk (as Berkeley writers stream frames out).</summary>
    private static string WriteBerkeley(string dir)
    {
        var stack = new ushort[Frames, H, W];
        var rng = new Random(5);
        for (int k = 0; k < Frames; k++)
        {
            for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                stack[k, y, x] = (ushort)rng.Next(65536);
            stack[k, 0, 0] = (ushort)k;
        }
        return BerkeleyEmdWriter.Write(Path.Combine(dir, "big.emd"),
            ("movie", BerkeleyEmdWriter.Group(new PureHDF.H5Dataset(stack, chunks: [1, H, W]))));
    }

    [Theory]
    [InlineData("tiff")]
    [InlineData("mrc")]
    [InlineData("emd-berkeley")]
    public void TwoHundredFrames_StreamInFlatMemory(string format)
    {
        string dir = TestData.NewFolder("mem");
        string path = format switch { "tiff" => WriteTiff(dir), "mrc" => WriteMrc(dir), _ => WriteBerkeley(dir) };
        using var movie = MovieReader.Open(path);
        Assert.Equal(Frames, movie.FrameCount);
        var proc = Process.GetCurrentProcess();
        long wsStart = 0, managedStart = 0, wsPeak = 0;
        int n = 0;
        foreach (var f in movie.ReadFrames())
        {
            using (f)
            {
                Assert.Equal(f.Index, f.Pixels.At<ushort>(0, 0)); // frame k starts with k: order and content are right
                if (f.Index == 10)
                {
                    GC.Collect();
                    proc.Refresh();
                    wsStart = proc.WorkingSet64;
                    managedStart = GC.GetTotalMemory(true);
                }
                else if (f.Index > 10 && f.Index % 20 == 0)
                {
                    proc.Refresh();
                    wsPeak = Math.Max(wsPeak, proc.WorkingSet64);
                }
            }
            n++;
        }
        Assert.Equal(Frames, n);
        Assert.Null(movie.StoppedEarly);
        long wsGrowth = wsPeak - wsStart, managedGrowth = GC.GetTotalMemory(true) - managedStart;
        output.WriteLine($"{format}: stack {StackBytes >> 20} MB, working-set growth {wsGrowth >> 20} MB, managed growth {managedGrowth >> 10} KB");
        Assert.True(wsGrowth < StackBytes / 3, $"working set grew {wsGrowth >> 20} MB over a {StackBytes >> 20} MB stack");
        Assert.True(managedGrowth < 8 << 20, $"managed heap grew {managedGrowth >> 20} MB");
        File.Delete(path);
    }
}
