using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using TemAreaTracker.IO;
using TemAreaTracker.Segmentation;
using TemAreaTracker.Simulation;
using TemAreaTracker.Tests.RealData;
using TemAreaTracker.Tests.Segmentation;

namespace TemAreaTracker.Bench;

/// <summary>
/// Particle detection (<c>track --auto</c>) recall and precision against simulator truth, one knob at a time on top of
/// a base case and with every knob random, over the five layouts of <see cref="ParticleFields"/>; then the sample
/// movies, the chenlab liquid-cell frame (390 published centres, match within 3 px) and the MSA bright-field set (hand
/// masks, IoU 0.5).
/// </summary>
internal static class DetectBenchmark
{
    public static int Run(string[] args)
    {
        int seeds = 4;
        bool refine = false;
        string? dump = null, only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seeds" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0:
                    seeds = s; i++; break;
                case "--refine": refine = true; break;
                case "--dump" when i + 1 < args.Length: dump = args[++i]; break;
                case "--only" when i + 1 < args.Length: only = args[++i]; break;
                default:
                    Console.Error.WriteLine($"detect: bad option '{args[i]}'; use [--seeds N] [--refine] [--only TEXT] [--dump DIR]");
                    return 2;
            }
        }
        var sw = Stopwatch.StartNew();
        var layouts = Enum.GetValues<FieldLayout>();
        var rows = Conditions().Where(c => only is null || c.Label.Contains(only, StringComparison.OrdinalIgnoreCase)).ToList();
        Console.WriteLine($"detection matrix: {rows.Count} conditions x {layouts.Length} layouts x {seeds} seeds; outline scored: {(refine ? "tracker's frame-0 refinement" : "detector's own")}");
        Console.WriteLine(DetectionMatrix.Header);
        var total = DetectionScore.Zero;
        foreach (var (label, c, scale) in rows)
        {
            int n = Math.Max(1, (int)Math.Round(seeds * scale));
            var perLayout = layouts.AsParallel().AsOrdered().WithDegreeOfParallelism(2)
                .Select(l => Enumerable.Range(1, n).Select(seed =>
                {
                    var cl = c with { Layout = l };
                    var score = DetectionMatrix.Score(cl, seed, refine);
                    if (dump is not null) Dump(dump, label, cl, seed);
                    return score;
                }).Aggregate(DetectionScore.Zero, (a, b) => a + b))
                .ToList();
            var sum = perLayout.Aggregate(DetectionScore.Zero, (a, b) => a + b);
            total += sum;
            Console.WriteLine(DetectionMatrix.Row(label, sum) + "  " + string.Join(" ", layouts.Zip(perLayout, (l, s) =>
                string.Create(CultureInfo.InvariantCulture, $"{l.ToString()[..3]} {s.Matched}/{s.Truth}/{s.Detections}"))));
        }
        Console.WriteLine(DetectionMatrix.Row("all simulated", total));
        Console.WriteLine();
        SampleMovies(dump);
        Chenlab(dump);
        Msa(dump);
        Console.WriteLine($"in {sw.Elapsed.TotalSeconds:0} s");
        return 0;
    }

    /// <summary>(label, case, share of the seeds): the base, one knob at a time, then all knobs random.</summary>
    private static IEnumerable<(string Label, DetectionCase Case, double SeedScale)> Conditions()
    {
        var b = new DetectionCase();
        yield return ("base 320x256 R 10-30 dose 300", b, 1);
        foreach (double dose in new[] { 60.0, 1000 }) yield return ($"dose {dose}", b with { DoseElectronsPerPx = dose }, 1);
        yield return ("inverted", b with { Inverted = true }, 1);
        yield return ("inverted dose 60", b with { Inverted = true, DoseElectronsPerPx = 60 }, 1);
        yield return ("16-bit", b with { Format = PixelFormat.U16 }, 1);
        yield return ("16-bit narrow (700 levels at 32768)", b with { Format = PixelFormat.U16Narrow }, 1);
        yield return ("float (gain 0.0137, offset -1.5)", b with { Format = PixelFormat.F32 }, 1);
        yield return ("no blur", b with { BlurSigmaPx = 0 }, 1);
        yield return ("blur 2.5 px", b with { BlurSigmaPx = 2.5 }, 1);
        yield return ("no texture", b with { CarbonTextureStrength = 0 }, 1);
        yield return ("texture 0.1", b with { CarbonTextureStrength = 0.1 }, 1);
        yield return ("Bragg 1.2", b with { BraggStrength = 1.2 }, 1);
        yield return ("illumination fall-off 0.35", b with { IlluminationFalloff = 0.35 }, 1);
        yield return ("defocus fringe 1.0", b with { DefocusFringeStrength = 1.0 }, 1);
        yield return ("scale bar + time stamp", b with { Overlays = true }, 1);
        yield return ("scale bar + time stamp, inverted", b with { Overlays = true, Inverted = true }, 1);
        foreach (var edge in Enum.GetValues<FrameEdge>())
            yield return ($"electrolyte at {edge.ToString().ToLowerInvariant()}", b with { ElectrolyteEdge = edge }, 1);
        yield return ("256x256 R 10-22", b with { Width = 256, Height = 256, MinRadiusPx = 10, MaxRadiusPx = 22 }, 1);
        yield return ("512x448 R 15-45", b with { Width = 512, Height = 448, MinRadiusPx = 15, MaxRadiusPx = 45 }, 0.5);
        yield return ("1024x1024 R 30-90", b with { Width = 1024, Height = 1024, MinRadiusPx = 30, MaxRadiusPx = 90 }, 0.25);
        yield return ("1024x1024 R 10-30 dose 60", b with { Width = 1024, Height = 1024, DoseElectronsPerPx = 60 }, 0.25);
        yield return ("random knobs 320x256 R 10-30", b with { RandomKnobs = true }, 2);
        yield return ("random knobs 512x512 R 12-45", b with { RandomKnobs = true, Width = 512, Height = 512, MinRadiusPx = 12, MaxRadiusPx = 45 }, 1);
    }

    private static void Dump(string dir, string label, DetectionCase c, int seed)
    {
        var s = DetectionMatrix.Build(c, seed);
        using var frame = DetectionMatrix.Render(c, s);
        Dump(dir, $"{label}-{c.Layout}-{seed}", frame, s);
    }

    private static void Dump(string dir, string name, Frame frame, SimulationScenario? s, DetectorOptions? options = null, IReadOnlyList<Point2d[]>? reference = null)
    {
        Directory.CreateDirectory(dir);
        var scene = ParticleDetector.DetectScene(frame, options);
        using var f = frame.ToFloat32();
        Cv2.Normalize(f, f, 0, 255, NormTypes.MinMax);
        using var g = new Mat();
        f.ConvertTo(g, MatType.CV_8U);
        using var rgb1 = new Mat();
        Cv2.CvtColor(g, rgb1, ColorConversionCodes.GRAY2BGR);
        // Twice the size, so outlines can be seen against the pixels.
        using var rgb = new Mat();
        Cv2.Resize(rgb1, rgb, new Size(2 * g.Width, 2 * g.Height), 0, 0, InterpolationFlags.Nearest);
        static Point At(double x, double y) => new((int)Math.Round((2 * x + 0.5) * 16), (int)Math.Round((2 * y + 0.5) * 16));
        if (s is not null)
            foreach (var p in GroundTruth.Compute(s).Particles)
                Cv2.Circle(rgb, At(p.CentrePx[0].X, p.CentrePx[0].Y), (int)Math.Round(2 * p.RadiusNm[0] / s.PixelSizeNm * 16),
                p.InView[0] ? Scalar.LimeGreen : Scalar.Gray, 1, LineTypes.AntiAlias, 4);
        foreach (var r in reference ?? [])
            Cv2.Polylines(rgb, [r.Select(v => At(v.X, v.Y)).ToArray()], true, Scalar.LimeGreen, 1, LineTypes.AntiAlias, 4);
        foreach (var o in scene.Particles)
            Cv2.Polylines(rgb, [o.VerticesPx.Select(v => At(v.X, v.Y)).ToArray()], true, Scalar.Red, 1, LineTypes.AntiAlias, 4);
        if (scene.Electrolyte is { } el)
            Cv2.Polylines(rgb, [el.BoundaryPx.Select(v => At(v.X, v.Y)).ToArray()], false, Scalar.Cyan, 2, LineTypes.AntiAlias, 4);
        Cv2.ImWrite(Path.Combine(dir, string.Concat(name.Select(ch => char.IsLetterOrDigit(ch) || ch == '-' ? ch : '_')) + ".png"), rgb);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TemAreaTracker.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"no TemAreaTracker.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The sample movies' frame 0 against their truth.json (through the simulator's own scenario, same seed).</summary>
    private static void SampleMovies(string? dump)
    {
        Console.WriteLine("| sample movie (frame 0)               | truth | found | matched |");
        Console.WriteLine("|--------------------------------------|-------|-------|---------|");
        foreach (var (dir, scenario) in SampleScenarios())
        {
            using var movie = MovieReader.Open(Path.Combine(RepoRoot(), "sample-movies", dir, "movie.tif"));
            using var frame = movie.ReadFrames().First();
            var found = ParticleDetector.Detect(frame);
            var score = DetectionMatrix.Score(scenario, found);
            if (dump is not null) Dump(dump, "sample-" + dir, frame, scenario);
            Console.WriteLine($"| {dir,-36} | {score.Truth,5} | {score.Detections,5} | {score.Matched,7} |");
        }
        Console.WriteLine();
    }

    /// <summary>The scenarios sample-movies/make.sh renders (see sample-movies/README.md).</summary>
    internal static IEnumerable<(string Dir, SimulationScenario Scenario)> SampleScenarios()
    {
        yield return ("01-electrochemical-cluster", Scenarios.ByName("electrochemical-cluster", 1, 60, 256, 256) with { ScaleBar = true, TimeStamp = true });
        yield return ("02-redistribution", Scenarios.ByName("redistribution", 1, 60, 256, 256) with { TimeStamp = true });
        yield return ("03-chemical-vs-electrochemical/chemical", Scenarios.ByName("chemical", 1, 60, 256, 256) with { TimeStamp = true });
        yield return ("03-chemical-vs-electrochemical/electrochemical", Scenarios.ByName("electrochemical", 1, 60, 256, 256) with { TimeStamp = true });
    }

    /// <summary>The chenlab liquid-cell frame: detections whose centroid lies within 3 px of a published centre.</summary>
    private static void Chenlab(string? dump)
    {
        string folder = Path.Combine(RepoRoot(), "tests", "TemAreaTracker.Tests", "data", "chenlabUIUC_particle-identification");
        string tif = Path.Combine(Path.GetTempPath(), "temtrack-bench-chenlab.tif");
        using (var gz = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(folder, "SAMPLE_0001.tif.gz")), System.IO.Compression.CompressionMode.Decompress))
        using (var outFile = File.Create(tif)) gz.CopyTo(outFile);
        var centres = File.ReadAllLines(Path.Combine(folder, "SAMPLE_0001.txt"))
            .Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 3)
            .Select(p => new Point2d(double.Parse(p[1], CultureInfo.InvariantCulture), double.Parse(p[2], CultureInfo.InvariantCulture)))
            .ToArray();
        using var movie = MovieReader.Open(tif);
        using var frame = movie.ReadFrames().First();
        var sw = Stopwatch.StartNew();
        var found = ParticleDetector.Detect(frame);
        double ms = sw.Elapsed.TotalMilliseconds;
        var (matched, _) = MatchCentres(found.Select(o => o.Centroid).ToArray(), centres, 3);
        if (dump is not null)
            Dump(dump, "chenlab", frame, null, new DetectorOptions { DarkParticles = true }, centres.Select(c => Enumerable.Range(0, 12).Select(k =>
                new Point2d(c.X + 2 * Math.Cos(k * Math.PI / 6), c.Y + 2 * Math.Sin(k * Math.PI / 6))).ToArray()).ToList());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"chenlab SAMPLE_0001 (1024x1024 16-bit, {centres.Length} published centres): {found.Count} detections, {matched} within 3 px: recall {100.0 * matched / centres.Length:0.0} %, precision {100.0 * matched / Math.Max(1, found.Count):0.0} % ({ms:0} ms)"));
        // The frame is mostly particles (a close-packed film): its statistics alone cannot tell which phase is the
        // support. Told the polarity (bright field, dark particles), as a user would:
        var dark = ParticleDetector.DetectScene(frame, new DetectorOptions { DarkParticles = true }).Particles;
        var (matchedDark, _) = MatchCentres(dark.Select(o => o.Centroid).ToArray(), centres, 3);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  polarity given (dark particles): {dark.Count} detections, {matchedDark} within 3 px: recall {100.0 * matchedDark / centres.Length:0.0} %, precision {100.0 * matchedDark / Math.Max(1, dark.Count):0.0} %"));
        if (dark.Count > 0)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  mean equivalent radius of those detections {Math.Sqrt(dark.Average(o => o.AreaPx) / Math.PI):0.0} px"));
    }

    /// <summary>One-to-one matches of detected to published centres within <paramref name="maxPx"/>, nearest first.</summary>
    internal static (int Matched, double[] Distances) MatchCentres(Point2d[] found, Point2d[] truth, double maxPx)
    {
        var pairs = new List<(double D, int F, int T)>();
        for (int i = 0; i < found.Length; i++)
            for (int j = 0; j < truth.Length; j++)
            {
                double d = Math.Sqrt((found[i].X - truth[j].X) * (found[i].X - truth[j].X) + (found[i].Y - truth[j].Y) * (found[i].Y - truth[j].Y));
                if (d <= maxPx) pairs.Add((d, i, j));
            }
        var uf = new bool[found.Length]; var ut = new bool[truth.Length];
        var dist = new List<double>();
        foreach (var (d, i, j) in pairs.OrderBy(p => p.D))
        {
            if (uf[i] || ut[j]) continue;
            uf[i] = ut[j] = true;
            dist.Add(d);
        }
        return (dist.Count, dist.ToArray());
    }

    /// <summary>The MSA set as the RealData test scores it (tracker-refined outline, IoU 0.5 with the hand mask's component).</summary>
    private static void Msa(string? dump)
    {
        if (dump is not null)
            for (int i = 0; i < 20; i++)
            {
                using var frame = MsaNanoparticles.ReadFrame(i);
                var labels = MsaNanoparticles.ReadLabels(i);
                var hand = labels.Where(p => !p.TouchesBorder && p.AreaPx >= MsaNanoparticles.MinAreaPx).Select(p =>
                {
                    Cv2.FindContours(p.Mask, out Point[][] c, out _, RetrievalModes.External, ContourApproximationModes.ApproxNone);
                    return c.MaxBy(q => q.Length)!.Select(q => new Point2d(q.X, q.Y)).ToArray();
                }).ToList();
                foreach (var p in labels) p.Dispose();
                Dump(dump, $"msa-{i}", frame, null, null, hand);
            }
        foreach (var (first, half) in new[] { (0, "tuning"), (10, "held out") })
        {
            int tp = 0, det = 0, lab = 0;
            for (int i = first; i < first + 10; i++)
            {
                var d = MsaNanoparticles.Detection(i);
                tp += d.TruePositives; det += d.Detections; lab += d.Labelled;
            }
            double p = tp / (double)Math.Max(1, det), r = tp / (double)Math.Max(1, lab), f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"msa images {first}-{first + 9} ({half}): {lab} particles, {det} detections, {tp} matched: precision {p:0.000}, recall {r:0.000}, F1 {f1:0.000}"));
        }
    }
}
