using BitMiracle.LibTiff.Classic;
using OpenCvSharp;
using TemAreaTracker.IO;
using Xunit;

namespace TemAreaTracker.Tests.IO;

/// <summary>
/// Seeded random byte mutations and truncations of real and byte-built files, for every reader: each mutant must open and
/// stream cleanly or fail with <see cref="MovieFormatException"/>; never another exception, a hang or a huge allocation.
/// </summary>
public class FuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int MutantsPerFormat = 30;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);
    private const long MaxManagedBytes = 512L << 20;

    public static TheoryData<string> Formats() =>
        ["tiff-real", "tiff-lzw", "dm3-real-survey", "dm3-real-haadf", "dm4-real-spectrum", "dm4-stack", "emd-real", "emd-stack", "emd-berkeley", "mrc-real", "ser", "avi", "png"];

    private static (byte[] Bytes, string Extension) Source(string format)
    {
        switch (format)
        {
            case "tiff-real": return (TestData.RealBytes("chenlabUIUC_particle-identification/SAMPLE_0001.tif"), ".tif");
            case "dm3-real-survey": return (TestData.RealBytes("pycroscopy_SciFiDatasets/DMReader_Image_SI-Survey.dm3"), ".dm3");
            case "dm3-real-haadf": return (TestData.RealBytes("pycroscopy_SciFiDatasets/DMReader_SI-HAADF.dm3"), ".dm3");
            case "dm4-real-spectrum": return (TestData.RealBytes("pycroscopy_SciFiDatasets/DMReader_EELS_STO.dm4"), ".dm4");
            case "emd-real": return (TestData.RealBytes("pycroscopy_SciFiDatasets/EMDReader_Image_FEI.emd"), ".emd");
            case "emd-stack":
            {
                string p = EmdSyntheticTests.WriteVeloxStack(Path.Combine(TestData.NewFolder("fuzzsrc"), "s.emd"), 24, 16, 4);
                return (File.ReadAllBytes(p), ".emd");
            }
            case "emd-berkeley":
                return (File.ReadAllBytes(BerkeleyEmdWriter.FuzzSource(Path.Combine(TestData.NewFolder("fuzzsrc"), "b.emd"))), ".emd");
            case "mrc-real": return (TestData.RealBytes("ccpem_mrcfile/EMD-3197.map"), ".map");
            case "dm4-stack":
                return (DmWriter.Image(4, false, [40, 30, 5], 2, (k, x, y) => BitConverter.GetBytes((float)(k + x * y)).Reverse().ToArray(),
                    [(0.5, "nm"), (0.5, "nm"), (1, "s")]), ".dm4");
            case "ser":
                return (SerMrcSyntheticTests.Ser(0x0220, 4, 24, 16, 5, 2, (k, x, y) => BitConverter.GetBytes((short)(k - x + y)), 1e-9, 1e-9, k => k), ".ser");
            case "tiff-lzw":
            {
                string p = Path.Combine(TestData.NewFolder("fuzzsrc"), "lzw.tif");
                TiffMovieTests.WriteTiff(p, 48, 32, 4, 16, SampleFormat.UINT, (k, x, y) => k * 100 + x * y, "ImageJ=1.54f\nimages=4\nunit=nm\n",
                    xres: 2, compression: Compression.LZW, rowsPerStrip: 8);
                return (File.ReadAllBytes(p), ".tif");
            }
            case "avi":
            {
                string p = Path.Combine(TestData.NewFolder("fuzzsrc"), "m.avi");
                using (var vw = new VideoWriter(p, VideoWriter.FourCC("MJPG"), 10, new Size(48, 32), isColor: false))
                    for (int k = 0; k < 6; k++)
                    {
                        using var m = new Mat(32, 48, MatType.CV_8UC1, new Scalar(20 * k));
                        vw.Write(m);
                    }
                return (File.ReadAllBytes(p), ".avi");
            }
            case "png":
            {
                using var m = new Mat(32, 48, MatType.CV_16UC1, new Scalar(1234));
                return (m.ToBytes(".png"), ".png");
            }
            default: throw new ArgumentException(format);
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Mutants_FailCleanlyOrReadValidly(string format)
    {
        var (original, ext) = Source(format);
        string dir = TestData.NewFolder("fuzz-" + format);
        var rng = new Random(format.Aggregate(20261125, (h, c) => h * 31 + c)); // stable seed (string.GetHashCode is randomised)
        var outcomes = new Dictionary<string, int>();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < MutantsPerFormat; i++)
        {
            byte[] mutant = Mutate(original, rng, out string how);
            string path = Path.Combine(dir, $"m{i}{ext}");
            File.WriteAllBytes(path, mutant);
            var task = Task.Factory.StartNew(() => ReadAll(path), TaskCreationOptions.LongRunning);
            bool finished = await Task.WhenAny(task, Task.Delay(Limit)) == task;
            Assert.True(finished, $"{format} mutant {i} ({how}) did not finish within {Limit.TotalSeconds} s");
            var (outcome, managedBytes) = await task;
            Assert.True(outcome is "ok" or "format-error", $"{format} mutant {i} ({how}): {outcome}");
            Assert.True(managedBytes < MaxManagedBytes, $"{format} mutant {i} ({how}) allocated {managedBytes >> 20} MB");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            File.Delete(path);
        }
        Assert.Equal(MutantsPerFormat, outcomes.Values.Sum());
        output.WriteLine($"{format}: {string.Join(", ", outcomes.Select(kv => $"{kv.Key} {kv.Value}"))} in {sw.Elapsed.TotalSeconds:F1} s");
    }

    private static (string Outcome, long ManagedBytes) ReadAll(string path)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            using var movie = MovieReader.Open(path);
            _ = (movie.Width, movie.Height, movie.DataType, movie.FrameCount, movie.Calibration, movie.Metadata.Count);
            int n = 0;
            foreach (var f in movie.ReadFrames())
            {
                using (f)
                {
                    if (f.Width != movie.Width || f.Height != movie.Height) return ($"frame {f.Index} is {f.Width}x{f.Height}, movie says {movie.Width}x{movie.Height}", 0);
                }
                if (++n > 100_000) return ("more than 100000 frames", 0);
            }
            return ("ok", GC.GetAllocatedBytesForCurrentThread() - before);
        }
        catch (MovieFormatException)
        {
            return ("format-error", GC.GetAllocatedBytesForCurrentThread() - before);
        }
        catch (Exception e)
        {
            return ($"{e.GetType().Name}: {e.Message}\n{e.StackTrace}", 0);
        }
    }

    /// <summary>One of: truncation; a few random bytes; a header word set to an extreme value; a burst of random bytes.</summary>
    private static byte[] Mutate(byte[] src, Random rng, out string how)
    {
        var b = (byte[])src.Clone();
        int headerZone = Math.Min(b.Length, 4096);
        switch (rng.Next(4))
        {
            case 0:
            {
                int len = rng.Next(0, b.Length);
                how = $"truncated to {len} bytes";
                return b.AsSpan(0, len).ToArray();
            }
            case 1:
            {
                int n = rng.Next(1, 9);
                for (int i = 0; i < n; i++) b[rng.Next(rng.Next(2) == 0 ? headerZone : b.Length)] = (byte)rng.Next(256);
                how = $"{n} random bytes";
                return b;
            }
            case 2:
            {
                uint[] extremes = [0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0, 0x10000, 0xFFFF];
                int at = rng.Next(Math.Max(1, headerZone - 4));
                BitConverter.TryWriteBytes(b.AsSpan(at), extremes[rng.Next(extremes.Length)]);
                how = $"extreme word at byte {at}";
                return b;
            }
            default:
            {
                int at = rng.Next(b.Length), len = Math.Min(rng.Next(1, 64), b.Length - at);
                rng.NextBytes(b.AsSpan(at, len));
                how = $"{len} random bytes at {at}";
                return b;
            }
        }
    }
}
