using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;
using OpenCvSharp;
using TemAreaTracker.Measurement;
using TemAreaTracker.Pipeline;
using TemAreaTracker.Plotting;

namespace TemAreaTracker.Bench;

/// <summary>
/// Speed of <c>temtrack track</c>'s pipeline (issue 3): frames/s on a 1024×1024 8-bit movie with 5 tracked particles,
/// for an uncompressed multi-page TIFF and for MJPG, next to a decode-only pass over the same file in the same run
/// (median of several runs, ratio tracking/decode), with the overlay video at its default 512 px cap and at full size,
/// and peak memory (Process.PeakWorkingSet64, measured in a child process each) for 100, 300 and 900 frames, to show
/// that memory does not grow with movie length.
/// </summary>
/// <remarks>
/// Targets: ≥ 300 frames/s on the uncompressed file on 2 cores; tracking ≤ 1.25× decode-only time on MJPG.
/// Usage: <c>dotnet run -c Release --project bench/TemAreaTracker.Bench -- track [--frames 200] [--runs 3] [--dir /tmp/x]</c>.
/// Uses <see cref="IO.MovieReader.Open"/> when it can read the files, else a minimal reader of its own
/// (LibTiff pages / VideoCapture) so the benchmark runs before the real readers land.
/// </remarks>
public static class TrackBenchmark
{
    private const int Size = 1024;

    /// <summary>Movie lengths of the memory table: peak memory must not grow with them.</summary>
    private static readonly int[] MemoryFrames = [100, 300, 900];

    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "--child") return Child(args[1..]);
        int frames = IntArg(args, "--frames", 200), runs = IntArg(args, "--runs", 3);
        string dir = StrArg(args, "--dir") ?? Directory.CreateTempSubdirectory("trackbench-").FullName;
        Directory.CreateDirectory(dir);
        Console.WriteLine($"track benchmark: {Size}x{Size} 8-bit, 5 particles, {frames} frames, median of {runs} runs, {Environment.ProcessorCount} cores");
        Console.WriteLine($"working folder: {dir}");

        var sw = Stopwatch.StartNew();
        // Same seed, same movie: files from an earlier run in the same folder are reused.
        foreach (int n in MemoryFrames.Append(frames).Distinct())
            if (!File.Exists(TiffPath(dir, n)) || !File.Exists(MjpgPath(dir, n))) WriteMovies(TiffPath(dir, n), MjpgPath(dir, n), n);
        string tiff = TiffPath(dir, frames), mjpg = MjpgPath(dir, frames);
        Console.WriteLine($"generated movies in {sw.Elapsed.TotalSeconds:F1} s (TIFF {new FileInfo(tiff).Length / 1e6:F0} MB, MJPG {new FileInfo(mjpg).Length / 1e6:F0} MB)");

        var outlines = Outlines();
        Console.WriteLine();
        Console.WriteLine($"Wall times (the targets) and process CPU per frame (robust when other jobs share the cores). The overlay video is");
        Console.WriteLine($"capped at {OverlayVideoWriter.DefaultMaxSidePx} px (the default; 1024² frames shown at half size); \"full-size overlay\" writes it at 1024².");
        Console.WriteLine("| file | decode-only (frames/s) | track, no overlay video (frames/s) | track with overlay.avi, streaming (frames/s) | track with overlay.avi, end to end (frames/s) | track with full-size overlay, streaming (frames/s) | track/decode time (no overlay / overlay / full-size) | CPU ms/frame decode / track / +overlay / +full-size |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (label, path) in new[] { ("uncompressed TIFF", tiff), ("MJPG AVI", mjpg) })
        {
            var decode = new List<(double Wall, double Cpu)>();
            var bare = new List<TrackTiming>();
            var full = new List<TrackTiming>();
            var big = new List<TrackTiming>();
            Decode(path); // warm-up (JIT, page cache)
            Track(path, outlines, Path.Combine(dir, "warmup"), overlay: true);
            for (int r = 0; r < runs; r++)
            {
                decode.Add(Decode(path));
                bare.Add(Track(path, outlines, Path.Combine(dir, "out"), overlay: false));
                full.Add(Track(path, outlines, Path.Combine(dir, "out"), overlay: true));
                big.Add(Track(path, outlines, Path.Combine(dir, "out"), overlay: true, overlayMaxSidePx: Size));
            }
            double d = Median(decode.Select(x => x.Wall)), tb = Median(bare.Select(x => x.StreamS)), tf = Median(full.Select(x => x.StreamS));
            double tg = Median(big.Select(x => x.StreamS)), e = Median(full.Select(x => x.WholeS));
            double cd = Median(decode.Select(x => x.Cpu)), cb = Median(bare.Select(x => x.CpuS)), cf = Median(full.Select(x => x.CpuS)), cg = Median(big.Select(x => x.CpuS));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {frames / d:F0} | {frames / tb:F0} | {frames / tf:F0} | {frames / e:F0} | {frames / tg:F0} | {tb / d:F2} / {tf / d:F2} / {tg / d:F2} | {1e3 * cd / frames:F1} / {1e3 * cb / frames:F1} / {1e3 * cf / frames:F1} / {1e3 * cg / frames:F1} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Each row a fresh process (track with overlay.avi, as `temtrack track` runs); the marginal CPU per frame against the");
        Console.WriteLine("shortest movie, (this - shortest) / extra frames, removes start-up and end-of-run costs (JIT, plot, contact sheet).");
        Console.WriteLine("| file | frames | peak working set (MB) | process CPU (s) | streaming wall (s) | marginal CPU (ms/frame) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (label, pathOf) in new (string, Func<int, string>)[] { ("TIFF", n => TiffPath(dir, n)), ("MJPG", n => MjpgPath(dir, n)) })
        {
            (double PeakMb, double CpuS, double StreamS)? first = null;
            foreach (int n in MemoryFrames)
            {
                var c = ChildRun(pathOf(n), Path.Combine(dir, "mem-out"));
                string marginal = first is { } f0 ? (1e3 * (c.CpuS - f0.CpuS) / (n - MemoryFrames[0])).ToString("F1", CultureInfo.InvariantCulture) : "";
                first ??= c;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {label} | {n} | {c.PeakMb:F0} | {c.CpuS:F2} | {c.StreamS:F2} | {marginal} |"));
            }
        }
        return 0;
    }

    private static string TiffPath(string dir, int frames) => Path.Combine(dir, $"movie-{frames}.tif");

    private static string MjpgPath(string dir, int frames) => Path.Combine(dir, $"movie-{frames}.avi");

    /// <summary>Runs the pipeline once in a fresh process: its peak working set (MB), CPU (s) and streaming time (s).</summary>
    private static (double PeakMb, double CpuS, double StreamS) ChildRun(string movie, string outDir)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            psi.ArgumentList.Add(typeof(TrackBenchmark).Assembly.Location);
        foreach (var a in new[] { "track", "--child", movie, outDir }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        double Get(string key) =>
            output.Split('\n').FirstOrDefault(l => l.StartsWith(key + "=")) is string l
                ? double.Parse(l[(key.Length + 1)..], CultureInfo.InvariantCulture) : double.NaN;
        return (Get("peak_mb"), Get("cpu_s"), Get("stream_s"));
    }

    private static int Child(string[] args)
    {
        var t = Track(args[0], Outlines(), args[1]);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak_mb={self.PeakWorkingSet64 / 1e6:F1}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu_s={self.TotalProcessorTime.TotalSeconds:F3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stream_s={t.StreamS:F3}"));
        return 0;
    }

    private static (double Wall, double Cpu) Decode(string path)
    {
        using var movie = Open(path);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        foreach (var f in movie.ReadFrames()) f.Dispose();
        return (sw.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    private readonly record struct TrackTiming(double StreamS, double WholeS, double CpuS);

    /// <summary>One pipeline run (streaming time, whole run, process CPU of the whole run).</summary>
    private static TrackTiming Track(string path, IReadOnlyList<Outline> outlines, string outDir, bool overlay = true,
        int overlayMaxSidePx = OverlayVideoWriter.DefaultMaxSidePx)
    {
        using var movie = Open(path);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var r = TrackPipeline.Run(new TrackRequest
        {
            Movie = movie,
            Outlines = outlines,
            OutlineSource = "benchmark",
            Calibration = new CalibrationRequest(PixelSizeNm: 0.5, FrameIntervalS: 0.1),
            OutputDirectory = outDir,
            Overwrite = true,
            WriteOverlayVideo = overlay,
            OverlayMaxSidePx = overlayMaxSidePx,
        });
        return new TrackTiming(r.TimingsS["stream_s"], sw.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    private static Movie Open(string path)
    {
        try
        {
            return IO.MovieReader.Open(path);
        }
        catch (NotImplementedException)
        {
            return path.EndsWith(".tif") ? new BenchTiffMovie(path) : new BenchVideoMovie(path);
        }
    }

    /// <summary>Five dark particles (radius 40–70 px) on the benchmark frames, as 64-vertex outlines.</summary>
    internal static IReadOnlyList<Outline> Outlines() =>
        Particles.Select((p, i) => new Outline($"p{i + 1}",
            Enumerable.Range(0, 64).Select(k => new Point2d(p.X + p.R * Math.Cos(k * Math.PI / 32), p.Y + p.R * Math.Sin(k * Math.PI / 32))).ToArray())).ToList();

    private static readonly (int X, int Y, int R)[] Particles = [(220, 240, 60), (560, 200, 45), (820, 420, 70), (330, 700, 55), (700, 800, 40)];

    /// <summary>Draws dark discs that swell slowly on noisy grey with a gentle drift, into an uncompressed TIFF and an MJPG AVI.</summary>
    private static void WriteMovies(string tiffPath, string mjpgPath, int frames)
    {
        using var tif = Tiff.Open(tiffPath, "w") ?? throw new IOException($"{tiffPath}: cannot write");
        using var vw = new VideoWriter(mjpgPath, FourCC.MJPG, 10, new OpenCvSharp.Size(Size, Size), isColor: false);
        if (!vw.IsOpened()) throw new IOException($"{mjpgPath}: cannot open MJPG writer");
        var rng = new Random(5);
        var bytes = new byte[Size * Size];
        using var img = new Mat(Size, Size, MatType.CV_8UC1);
        using var noise = new Mat(Size, Size, MatType.CV_8UC1);
        for (int i = 0; i < frames; i++)
        {
            img.SetTo(new Scalar(160));
            double dx = 0.05 * i, dy = 0.03 * i, grow = 1 + 0.3 * (1 - Math.Exp(-i / 100.0));
            foreach (var (x, y, r) in Particles)
                Cv2.Circle(img, new OpenCvSharp.Point(x + dx, y + dy), (int)(r * grow), new Scalar(80), -1, LineTypes.AntiAlias);
            Cv2.Randu(noise, new Scalar(0), new Scalar(24));
            Cv2.Add(img, noise, img);
            Cv2.Subtract(img, new Scalar(12), img);
            vw.Write(img);
            Marshal.Copy(img.Data, bytes, 0, bytes.Length);
            tif.SetField(TiffTag.IMAGEWIDTH, Size);
            tif.SetField(TiffTag.IMAGELENGTH, Size);
            tif.SetField(TiffTag.BITSPERSAMPLE, 8);
            tif.SetField(TiffTag.SAMPLESPERPIXEL, 1);
            tif.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
            tif.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            tif.SetField(TiffTag.ROWSPERSTRIP, Size);
            tif.SetField(TiffTag.COMPRESSION, Compression.NONE);
            tif.SetField(TiffTag.SUBFILETYPE, FileType.PAGE);
            tif.SetField(TiffTag.PAGENUMBER, i, frames);
            tif.WriteEncodedStrip(0, bytes, bytes.Length);
            tif.WriteDirectory();
        }
        _ = rng;
    }

    private static double Median(IEnumerable<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static int IntArg(string[] a, string name, int dflt)
    {
        int i = Array.IndexOf(a, name);
        return i >= 0 && i + 1 < a.Length ? int.Parse(a[i + 1], CultureInfo.InvariantCulture) : dflt;
    }

    private static string? StrArg(string[] a, string name)
    {
        int i = Array.IndexOf(a, name);
        return i >= 0 && i + 1 < a.Length ? a[i + 1] : null;
    }

    /// <summary>Minimal multi-page 8-bit TIFF reader (benchmark fallback until IO.MovieReader lands).</summary>
    private sealed class BenchTiffMovie(string path) : Movie(HeaderOf(path))
    {
        private static MovieHeader HeaderOf(string path)
        {
            using var t = Tiff.Open(path, "r") ?? throw new IOException($"{path}: cannot read");
            return new MovieHeader(path, "tiff", t.GetField(TiffTag.IMAGEWIDTH)[0].ToInt(), t.GetField(TiffTag.IMAGELENGTH)[0].ToInt(),
                t.NumberOfDirectories(), "uint8", Calibration.None);
        }

        public override IEnumerable<Frame> ReadFrames()
        {
            using var t = Tiff.Open(SourcePath, "r") ?? throw new IOException($"{SourcePath}: cannot read");
            var buf = new byte[Width * Height];
            int i = 0;
            do
            {
                int off = 0;
                for (int s = 0, n = t.NumberOfStrips(); s < n; s++)
                    off += t.ReadEncodedStrip(s, buf, off, -1);
                var m = new Mat(Height, Width, MatType.CV_8UC1);
                Marshal.Copy(buf, 0, m.Data, buf.Length);
                yield return new Frame(i++, m);
            } while (t.ReadDirectory());
        }
    }

    /// <summary>Minimal VideoCapture reader to grey (benchmark fallback until IO.MovieReader lands).</summary>
    private sealed class BenchVideoMovie(string path) : Movie(HeaderOf(path))
    {
        private static MovieHeader HeaderOf(string path)
        {
            using var c = new VideoCapture(path);
            return new MovieHeader(path, "avi", c.FrameWidth, c.FrameHeight, c.FrameCount, "uint8", Calibration.None);
        }

        public override IEnumerable<Frame> ReadFrames()
        {
            using var c = new VideoCapture(SourcePath);
            using var bgr = new Mat();
            int i = 0;
            while (c.Read(bgr) && !bgr.Empty())
            {
                var g = new Mat();
                if (bgr.Channels() == 1) bgr.CopyTo(g); else Cv2.CvtColor(bgr, g, ColorConversionCodes.BGR2GRAY);
                yield return new Frame(i++, g);
            }
        }
    }
}
