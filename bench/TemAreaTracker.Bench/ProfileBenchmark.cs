using System.Diagnostics;
using System.Globalization;
using TemAreaTracker.IO;
using TemAreaTracker.Registration;
using TemAreaTracker.Tracking;

namespace TemAreaTracker.Bench;

/// <summary>
/// Where tracking time goes: the tracker alone (no outputs) over a movie with its ROIs, timing the first frame
/// (edge-model selection) apart from the median of the following frames, and decode apart from tracking.
/// Usage: <c>dotnet run -c Release --project bench/TemAreaTracker.Bench -- profile MOVIE (ROIS|bench) [--repeat N] [--cv-threads N]</c>
/// ("bench": the track benchmark's five outlines on its generated movies). Micro-benchmarks of two kernels:
/// <c>profile --smooth</c> (PeriodicSmoother.Fit, 285 nodes, and a 33×33 solve), <c>profile --edge</c> (one
/// node's edge fit on the tracker's default window), <c>profile --rim</c> (building rim profiles), <c>profile --drift
/// MOVIE [ROIS|bench]</c> (stage drift alone) and <c>profile --mt</c>
/// (OpenCV's MatchTemplate, which ParticleMotion no longer uses, for comparison). Times are process CPU where given:
/// wall times are unreliable when other jobs share the cores.
/// </summary>
public static class ProfileBenchmark
{
    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "--smooth")
        {
            int n = 285;
            var rng = new Random(1);
            var th = Enumerable.Range(0, n).Select(k => 2 * Math.PI * k / n).ToArray();
            var v = th.Select(t => 50 + 2 * Math.Cos(2 * t) + rng.NextDouble()).ToArray();
            var w = th.Select(_ => rng.NextDouble() < 0.1 ? 0.0 : 1.0).ToArray();
            for (int rep = 0; rep < 3; rep++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (int k = 0; k < 1000; k++) Segmentation.PeriodicSmoother.Fit(th, v, w, 3e-3, out _);
                Console.WriteLine($"PeriodicSmoother.Fit n={n}: {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / 1000:F3} ms cpu per call");
                cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var A = new double[33 * 33]; var bb = new double[33]; var xx = new double[33];
                for (int k = 0; k < 20000; k++) { for (int u = 0; u < 33; u++) { A[u * 34] = 10; bb[u] = 1; } for (int u = 0; u < 32; u++) A[u * 33 + u + 1] = 1; Segmentation.SmallLinearSolve.Solve(A, bb, xx, 33); }
                Console.WriteLine($"Solve 33: {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / 20000 * 1e3:F2} µs");
            }
            return 0;
        }
        if (args.Length > 0 && args[0] == "--edge")
        {
            // One pass's worth of node fits on one window (σ 1 px, search 4 px, the tracker's default window).
            var profile = new Segmentation.RimProfile(1.0, 50, 1.0, Segmentation.EdgeModel.MaxInsidePx);
            double search = 4, s0 = -(search + 6);
            int m = (int)Math.Floor((search + 5.5 - s0) / Segmentation.EdgeProfileFit.SampleStepPx) + 1;
            var rng = new Random(2);
            var windows = Enumerable.Range(0, 200).Select(k =>
            {
                double e = rng.NextDouble() * 4 - 2;
                return Enumerable.Range(0, m).Select(j => { double s = s0 + j * 0.75; return 100 + 0.3 * s + 40 * profile[e - s] + 8 * (rng.NextDouble() - 0.5); }).ToArray();
            }).ToArray();
            for (int rep = 0; rep < 5; rep++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var table = profile.Columns(s0, m, Segmentation.EdgeProfileFit.MaxOffsetPx(search));
                double acc = 0;
                for (int k = 0; k < 200; k++)
                    foreach (var y in windows) acc += Segmentation.EdgeProfileFit.Fit(y, table, search).OffsetPx;
                Console.WriteLine($"edge fit, {m} samples, search {search} px: {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1e3 / (200 * windows.Length):F3} µs cpu per node ({acc:F1})");
            }
            return 0;
        }
        if (args.Length > 0 && args[0] == "--rim")
        {
            // Building rim profiles (the first frame builds 6 blurs x 9 absorptions per particle).
            foreach (double depth in new[] { Segmentation.EdgeModel.MaxInsidePx, 16.0 })
                for (int rep = 0; rep < 3; rep++)
                {
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    int built = 0;
                    for (int k = 0; k < 20; k++)
                        foreach (double sigma in new[] { 0.5, 0.7, 1.0, 1.4, 2.0, 2.8 })
                            foreach (double tau in new[] { 0.1, 0.2, 0.4, 0.7, 1.0, 1.5, 2.5, 4, 8 })
                            { _ = new Segmentation.RimProfile(tau, 50, sigma, depth); built++; }
                    Console.WriteLine($"rim profile to {depth} px: {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1e3 / built:F1} µs cpu each");
                }
            return 0;
        }
        if (args.Length > 1 && args[0] == "--drift")
        {
            // Stage drift alone over a movie (decoded first), CPU per frame; the support patches keep clear of ROIS (or,
            // as elsewhere here, "bench": the track benchmark's five outlines).
            using var movie = MovieReader.Open(args[1]);
            var rois = args.Length > 2 && args[2] != "bench" ? ImageJRoi.Read(args[2]) : TrackBenchmark.Outlines();
            var frames = movie.ReadFrames().Take(100).ToList();
            for (int rep = 0; rep < 3; rep++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var methods = new Dictionary<Registration.DriftMethod, int>();
                using (var d = new Registration.StageDrift(frames[0], rois))
                    foreach (var f in frames.Skip(1))
                    {
                        var m = d.Estimate(f).Method;
                        methods[m] = methods.GetValueOrDefault(m) + 1;
                    }
                Console.WriteLine($"stage drift: {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / (frames.Count - 1):F3} ms cpu per frame (first frame's patch choice included; {string.Join(", ", methods.Select(kv => $"{kv.Key} {kv.Value}"))})");
            }
            foreach (var f in frames) f.Dispose();
            return 0;
        }
        if (args.Length > 0 && args[0] == "--mt")
        {
            foreach (int size in new[] { 60, 150 })
            {
                using var img = new OpenCvSharp.Mat(512, 512, OpenCvSharp.MatType.CV_32FC1);
                OpenCvSharp.Cv2.Randu(img, 0, 255);
                using var tpl = new OpenCvSharp.Mat(img, new OpenCvSharp.Rect(100, 100, size, size));
                using var win = new OpenCvSharp.Mat(img, new OpenCvSharp.Rect(92, 92, size + 16, size + 16));
                using var score = new OpenCvSharp.Mat();
                var t = Stopwatch.StartNew();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (int k = 0; k < 200; k++) OpenCvSharp.Cv2.MatchTemplate(win, tpl, score, OpenCvSharp.TemplateMatchModes.CCoeffNormed);
                Console.WriteLine($"template {size}: {t.Elapsed.TotalMilliseconds / 200:F3} ms wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / 200:F3} ms cpu per call");
            }
            return 0;
        }
        if (args.Length < 2) { Console.Error.WriteLine("usage: profile MOVIE ROIS [--repeat N]"); return 2; }
        int i = Array.IndexOf(args, "--repeat");
        int repeat = i >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 3;
        // "bench": the track benchmark's five particles (run it once to generate its movies).
        var outlines = args[1] == "bench" ? TrackBenchmark.Outlines() : ImageJRoi.Read(args[1]);
        int ct = Array.IndexOf(args, "--cv-threads");
        if (ct >= 0) OpenCvSharp.Cv2.SetNumThreads(int.Parse(args[ct + 1], CultureInfo.InvariantCulture));
        Console.WriteLine($"OpenCV threads {OpenCvSharp.Cv2.GetNumThreads()}");
        for (int r = 0; r < repeat; r++)
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            using var movie = MovieReader.Open(args[0]);
            using var tracker = new Tracker(outlines);
            // The stage drift on the tracking thread, as part of each frame's time (the pipeline measures it ahead).
            StageDrift? drift = null;
            var times = new List<double>();
            var decode = new Stopwatch();
            var sw = new Stopwatch();
            // CPU of the first frame apart: it fits every edge model, later frames follow with one.
            TimeSpan cpuFirst = default;
            using var e = movie.ReadFrames().GetEnumerator();
            while (true)
            {
                decode.Start();
                bool more = e.MoveNext();
                decode.Stop();
                if (!more) break;
                using var f = e.Current;
                sw.Restart();
                var driftPx = drift is null ? new OpenCvSharp.Point2d(0, 0) : drift.Estimate(f).Px;
                drift ??= new StageDrift(f, outlines);
                tracker.Process(f, driftPx);
                times.Add(sw.Elapsed.TotalMilliseconds);
                if (times.Count == 1) cpuFirst = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
            }
            drift?.Dispose();
            var rest = times.Skip(1).Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {r}: {times.Count} frames, first {times[0]:F1} ms, later median {rest[rest.Length / 2]:F2} ms (mean {rest.Average():F2}), every 4th: {times.Where((t, k) => k > 0 && k % 4 == 0).Average():F2}, others {times.Where((t, k) => k > 0 && k % 4 != 0).Average():F2}, total {times.Sum():F0} ms, decode {decode.Elapsed.TotalMilliseconds:F0} ms, process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds:F0} ms (first frame {cpuFirst.TotalMilliseconds:F0} ms, later {(Process.GetCurrentProcess().TotalProcessorTime - cpu0 - cpuFirst).TotalMilliseconds / Math.Max(1, times.Count - 1):F2} ms/frame)"));
        }
        return 0;
    }
}
