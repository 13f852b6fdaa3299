using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenCvSharp;
using TemAreaTracker.IO;
using TemAreaTracker.Measurement;
using TemAreaTracker.Plotting;
using TemAreaTracker.Registration;
using TemAreaTracker.Tracking;
using Tracker = TemAreaTracker.Tracking.Tracker;

namespace TemAreaTracker.Reporting;

/// <summary>Progress of a run, reported once per frame.</summary>
/// <param name="FramesDone">Frames tracked so far.</param>
/// <param name="FrameCount">Frames the movie declares, or null when unknown.</param>
/// <param name="ElapsedS">Seconds since the first frame.</param>
public readonly record struct TrackProgress(int FramesDone, int? FrameCount, double ElapsedS)
{
    /// <summary>Tracking rate so far in frames/s.</summary>
    public double FramesPerS => ElapsedS > 0 ? FramesDone / ElapsedS : 0;
}

/// <summary>Everything a tracking run needs.</summary>
public sealed record TrackRunRequest
{
    /// <summary>The movie (streamed once).</summary>
    public required Movie Movie { get; init; }

    /// <summary>Outlines drawn on the first frame; null to detect them with <see cref="DetectOutlines"/>.</summary>
    public IReadOnlyList<Outline>? Outlines { get; init; }

    /// <summary>Finds the particles in the first frame when <see cref="Outlines"/> is null (--auto); renamed p1, p2, ….</summary>
    public Func<Frame, IReadOnlyList<Outline>>? DetectOutlines { get; init; }

    /// <summary>Where the outlines came from (a ROI file path or "auto"), for messages and run.json.</summary>
    public string OutlineSource { get; init; } = "outlines";

    /// <summary>The user's calibration options (the file's metadata comes from <see cref="Movie"/>).</summary>
    public CalibrationRequest Calibration { get; init; } = new();

    /// <summary>Tracker knobs.</summary>
    public TrackOptions TrackOptions { get; init; } = new();

    /// <summary>Output folder; must not exist unless <see cref="Overwrite"/>.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Replace an existing output folder (only once the new one is complete).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Further parameters to record in run.json (e.g. the command line).</summary>
    public IReadOnlyDictionary<string, string?> Parameters { get; init; } = new Dictionary<string, string?>();

    /// <summary>Receives each warning as soon as it is known (calibration ones before the first frame is tracked).</summary>
    public Action<string>? OnWarning { get; init; }

    /// <summary>Receives progress once per frame (on the tracking thread).</summary>
    public IProgress<TrackProgress>? Progress { get; init; }

    /// <summary>
    /// Write overlay.avi (default). Encoding a colour MJPG frame costs more than reading and tracking one, so a caller
    /// that only needs the numbers (a batch script, the speed benchmark's comparison) may turn it off.
    /// </summary>
    public bool WriteOverlayVideo { get; init; } = true;

    /// <summary>
    /// Longest side of the overlay video in px: larger movies are shown scaled down to it (a quality-control video;
    /// encoding a 1024² colour frame costs about as much CPU as tracking it). Recorded in run.json.
    /// </summary>
    public int OverlayMaxSidePx { get; init; } = OverlayVideoWriter.DefaultMaxSidePx;

    /// <summary>Frames on the contact sheet.</summary>
    public int ContactSheetFrames { get; init; } = 5;
}

/// <summary>What a finished run produced.</summary>
/// <param name="OutputDirectory">The output folder (complete).</param>
/// <param name="FramesRead">Frames read and tracked.</param>
/// <param name="Calibration">Calibration used and its sources.</param>
/// <param name="Particles">Per-particle summary, in outline order.</param>
/// <param name="Rows">Every calibrated measurement.</param>
/// <param name="Warnings">Everything the user must be told (also in run.json).</param>
/// <param name="TimingsS">Seconds per stage.</param>
/// <param name="StoppedEarly">Why the movie ended before its declared end, or null.</param>
public sealed record TrackRunResult(
    string OutputDirectory, int FramesRead, CalibrationResolution Calibration, IReadOnlyList<ParticleSummary> Particles,
    IReadOnlyList<ParticleAreaRow> Rows, IReadOnlyList<string> Warnings, IReadOnlyDictionary<string, double> TimingsS, string? StoppedEarly);

/// <summary>
/// The <c>track</c> pipeline without the CLI: streams a movie through <see cref="Tracker"/>, writes the overlay video as
/// it goes, keeps only the small per-frame results, then writes areas.csv, areas.png/.svg, contact-sheet.png,
/// outlines.zip and run.json.
/// </summary>
/// <remarks>
/// Everything is written into a hidden temporary folder beside the output folder and renamed to it only when complete,
/// so a failed run leaves nothing behind and an existing folder is replaced (with <see cref="TrackRunRequest.Overwrite"/>)
/// only after success. Memory stays flat with movie length: frames are disposed after use, the overlay queue is
/// bounded, the contact sheet keeps a bounded sample and per-frame outlines are spooled to disk for outlines.zip.
/// A truncated movie is tracked as far as it reads; the run completes and says where it stopped.
/// </remarks>
public static class TrackRun
{
    /// <summary>Output file names (a public contract).</summary>
    public const string AreasCsv = "areas.csv", AreasPng = "areas.png", AreasSvg = "areas.svg", OverlayAvi = "overlay.avi",
        ContactSheetPng = "contact-sheet.png", OutlinesZip = "outlines.zip", RunJson = "run.json";

    /// <summary>Runs the pipeline.</summary>
    /// <exception cref="IOException">The output folder exists and <see cref="TrackRunRequest.Overwrite"/> is false, or writing failed.</exception>
    /// <exception cref="InvalidDataException">The movie has no frames, or the outlines are empty or outside the frame.</exception>
    /// <exception cref="ArgumentException">Invalid calibration options.</exception>
    public static TrackRunResult Run(TrackRunRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Calibration.Problem() is string problem) throw new ArgumentException(problem);
        if (request.Outlines is null && request.DetectOutlines is null)
            throw new ArgumentException("give outlines or a detector", nameof(request));
        string outDir = Path.GetFullPath(request.OutputDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        CheckOutput(outDir, request.Overwrite, request.OutputDirectory);
        string parent = Path.GetDirectoryName(outDir)!;
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{Path.GetFileName(outDir)}.partial-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(temp);
        try
        {
            var result = RunInto(request, temp, outDir, cancellationToken);
            Publish(temp, outDir, request.Overwrite, request.OutputDirectory);
            return result;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Refuses an existing output (folder without overwrite, or a file).</summary>
    public static void CheckOutput(string outDirFull, bool overwrite, string shownName)
    {
        if (File.Exists(outDirFull))
            throw new IOException($"{shownName}: is a file, not an output folder");
        if (Directory.Exists(outDirFull) && !overwrite)
            throw new IOException($"{shownName}: output folder already exists; pass --force to replace it");
    }

    private static void Publish(string temp, string outDir, bool overwrite, string shownName)
    {
        if (Directory.Exists(outDir))
        {
            if (!overwrite) throw new IOException($"{shownName}: output folder appeared while tracking; pass --force to replace it");
            string old = Path.Combine(Path.GetDirectoryName(outDir)!, $".{Path.GetFileName(outDir)}.replaced-{Guid.NewGuid():N}");
            Directory.Move(outDir, old);
            Directory.Move(temp, outDir);
            TryDelete(old);
        }
        else Directory.Move(temp, outDir);
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static TrackRunResult RunInto(TrackRunRequest req, string temp, string outDir, CancellationToken ct)
    {
        var movie = req.Movie;
        string movieName = movie.SourcePath;
        var total = Stopwatch.StartNew();
        var timings = new Dictionary<string, double>();
        var warnings = new List<string>();
        void Warn(string w) { warnings.Add(w); req.OnWarning?.Invoke(w); }
        DateTime startedUtc = DateTime.UtcNow;

        var sw = Stopwatch.StartNew();
        // Hash the input while tracking streams, at the lowest priority: it fills idle CPU instead of slowing tracking
        // (a 1 GB movie takes about a second of CPU), and finishes beside the end-of-run outputs if need be.
        var hashTask = InputHash.Sha256InBackground(movie.SourcePath);

        var decode = new Stopwatch();
        var track = new Stopwatch();
        var rows = new List<ParticleAreaRow>();
        var drift = new List<(int Frame, double X, double Y, DriftMethod Method)>();
        string spoolPath = Path.Combine(temp, ".outlines.spool");
        CalibrationResolution? cal = null;
        IReadOnlyList<Outline>? outlines = null;
        Tracker? tracker = null;
        OverlayVideoWriter? overlay = null;
        DisplayWindow? display = null;
        double overlayFps = 10;
        int framesRead = 0, firstWidth = 0, firstHeight = 0;
        var sampler = new ContactSheetSampler(req.ContactSheetFrames, movie.FrameCount);
        var clock = Stopwatch.StartNew();
        try
        {
            using var spool = new BinaryWriter(File.Create(spoolPath));
            // Frames are decoded on a reader thread a couple ahead, overlapping decode with tracking; `decode` then
            // measures the time tracking waited for a frame (and its drift).
            using var frames = new FramePrefetcher(movie.ReadFrames(), capacity: 2);
            // Stage drift is measured on its own thread as frames arrive, a frame or two ahead of tracking.
            using var ahead = new DriftAhead(frames, req.TrackOptions.CorrectDrift);
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                decode.Start();
                bool more = ahead.TryTake(out var next, out var frameDrift);
                decode.Stop();
                if (!more) break;
                using var frame = next;
                if (framesRead == 0)
                {
                    cal = CalibrationResolver.Resolve(movie.Calibration, req.Calibration, () => ScaleBarDetector.Find(frame.Pixels), movieName);
                    foreach (var w in cal.Warnings) Warn(w);
                    outlines = req.Outlines ?? AutoOutlines(req.DetectOutlines!, frame, movieName);
                    var outlineWarnings = new List<string>();
                    ValidateOutlines(outlines, frame.Width, frame.Height, req.OutlineSource, outlineWarnings);
                    foreach (var w in outlineWarnings) Warn(w);
                    tracker = new Tracker(outlines, req.TrackOptions);
                    ahead.Begin(outlines);
                    display = DisplayWindow.FromFirstFrame(frame.Pixels);
                    if (cal.Calibration.FrameIntervalS is double dt) overlayFps = Math.Clamp(Math.Round(1 / dt, 3), 5, 30);
                    if (req.WriteOverlayVideo)
                        overlay = new OverlayVideoWriter(Path.Combine(temp, OverlayAvi), frame.Width, frame.Height, overlayFps, maxSidePx: req.OverlayMaxSidePx);
                    (firstWidth, firstHeight) = (frame.Width, frame.Height);
                    clock.Restart();
                }
                else if (frame.Width != firstWidth || frame.Height != firstHeight)
                    throw new InvalidDataException($"{movieName}: frame {frame.Index} is {frame.Width}x{frame.Height} px but frame 0 was {firstWidth}x{firstHeight} px");
                track.Start();
                var result = tracker!.Process(frame, frameDrift.Px);
                track.Stop();

                bool fileTimes = cal!.Calibration.FrameIntervalS is not null && cal.Calibration.FrameIntervalSource is not ("--frame-interval-s" or CalibrationResolver.ContainerFpsSource);
                double timeS = fileTimes && frame.TimeS is double ft ? ft : frame.Index * cal.SecondsPerFrame;
                drift.Add((frame.Index, result.DriftPx.X, result.DriftPx.Y, frameDrift.Method));
                var marks = new List<OverlayMark>(result.Particles.Count);
                for (int i = 0; i < result.Particles.Count; i++)
                {
                    var m = result.Particles[i];
                    var row = ParticleAreaRow.From(m, timeS, cal.Calibration);
                    rows.Add(row);
                    int colour = IndexOf(outlines!, m.Particle, i);
                    marks.Add(new OverlayMark(m.Outline, colour, row.HasArea ? m.Particle : $"{m.Particle} ({ParticleAreaRow.QualityName(m.Quality)})"));
                    if (row.HasArea) Spool(spool, colour, frame.Index, m.Outline);
                }
                bool wanted = sampler.Wants(frame.Index);
                if (overlay is not null || wanted)
                {
                    var gray8 = new Mat();
                    display!.Apply(frame.Pixels, gray8);
                    if (wanted)
                        sampler.Offer(frame.Index, () => new ContactSheetPanel(frame.Index, timeS, overlay is null ? gray8 : gray8.Clone(), marks));
                    if (overlay is not null)
                        overlay.Add(gray8, marks, cal.TimeIsFrameIndex
                            ? $"frame {frame.Index}"
                            : string.Create(CultureInfo.InvariantCulture, $"frame {frame.Index}   t = {timeS:0.###} s"));
                    else if (!wanted || !sampler.Holds(frame.Index)) gray8.Dispose();
                }
                framesRead++;
                req.Progress?.Report(new TrackProgress(framesRead, movie.FrameCount, clock.Elapsed.TotalSeconds));
            }
            if (framesRead == 0)
                throw new InvalidDataException($"{movieName}: the movie has no frames");
            if (movie.StoppedEarly is string why)
                Warn($"movie {why}: tracked the {framesRead} frames that could be read (0..{framesRead - 1})");
            else if (movie.FrameCount is int n && n != framesRead)
                Warn($"movie declares {n} frames but {framesRead} were read: tracked those");
            if (req.TrackOptions.CorrectDrift) DriftWarnings(drift, Warn);

            if (overlay is not null)
            {
                sw.Restart();
                overlay.Complete();
                timings["overlay_wait_s"] = sw.Elapsed.TotalSeconds;
                timings["overlay_encode_s"] = overlay.BusyS;
            }
        }
        catch
        {
            sampler.Dispose(); // frees the kept frames now rather than at finalisation
            throw;
        }
        finally
        {
            overlay?.Dispose();
        }
        Size? overlaySize = overlay?.VideoSize;
        timings["decode_s"] = decode.Elapsed.TotalSeconds;
        timings["track_s"] = track.Elapsed.TotalSeconds;
        timings["stream_s"] = clock.Elapsed.TotalSeconds;

        var names = outlines!.Select(o => o.Name).ToList();
        var calibration = cal!;
        sw.Restart();
        AreaCsvWriter.Write(Path.Combine(temp, AreasCsv), rows);
        timings["csv_s"] = sw.Elapsed.TotalSeconds;

        sw.Restart();
        var plot = AreaPlot.Create(rows, names, calibration.IsSpatiallyCalibrated, calibration.TimeIsFrameIndex,
            $"Projected area vs time — {Path.GetFileName(movieName)}");
        AreaPlot.Save(plot, Path.Combine(temp, AreasPng), Path.Combine(temp, AreasSvg));
        timings["plot_s"] = sw.Elapsed.TotalSeconds;

        sw.Restart();
        var panels = sampler.Pick(framesRead);
        try
        {
            ContactSheet.Save(Path.Combine(temp, ContactSheetPng), panels, calibration.TimeIsFrameIndex ? "frame" : "s",
                nmPerPixel: calibration.Calibration.NmPerPixel);
        }
        finally
        {
            foreach (var p in panels) p.Dispose();
            sampler.Dispose();
        }
        timings["contact_sheet_s"] = sw.Elapsed.TotalSeconds;

        sw.Restart();
        ImageJRoi.WriteRoiSet(Path.Combine(temp, OutlinesZip), ReadSpool(spoolPath, names));
        File.Delete(spoolPath);
        timings["outlines_zip_s"] = sw.Elapsed.TotalSeconds;

        sw.Restart();
        var (sha256, hashS) = hashTask.GetAwaiter().GetResult();
        timings["hash_s"] = hashS;
        timings["hash_wait_s"] = sw.Elapsed.TotalSeconds;

        var summary = ParticleSummary.Of(rows);
        timings["total_s"] = total.Elapsed.TotalSeconds;
        var json = BuildRunJson(req, sha256, calibration, outlines!, framesRead, drift, timings, warnings, startedUtc, overlayFps, overlaySize, outDir);
        File.WriteAllText(Path.Combine(temp, RunJson), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return new TrackRunResult(outDir, framesRead, calibration, summary, rows, warnings, timings, movie.StoppedEarly);
    }

    private static int IndexOf(IReadOnlyList<Outline> outlines, string name, int guess)
    {
        if (guess < outlines.Count && outlines[guess].Name == name) return guess;
        for (int i = 0; i < outlines.Count; i++) if (outlines[i].Name == name) return i;
        return guess;
    }

    private static IReadOnlyList<Outline> AutoOutlines(Func<Frame, IReadOnlyList<Outline>> detect, Frame first, string movieName)
    {
        var found = detect(first);
        if (found.Count == 0) throw new InvalidDataException($"{movieName}: --auto found no particles in the first frame; draw outlines and pass --rois");
        return found.Select((o, i) => o with { Name = $"p{i + 1}", Frame = null }).ToList();
    }

    /// <summary>
    /// Empty, degenerate, duplicate-named or wholly-outside outlines are errors (naming the ROI file); an outline partly
    /// outside the frame is a warning (its particle will be flagged out_of_view).
    /// </summary>
    public static void ValidateOutlines(IReadOnlyList<Outline> outlines, int widthPx, int heightPx, string source, List<string> warnings)
    {
        if (outlines.Count == 0) throw new InvalidDataException($"{source}: holds no outlines");
        var seen = new HashSet<string>();
        foreach (var o in outlines)
        {
            if (!seen.Add(o.Name)) throw new InvalidDataException($"{source}: two outlines are named '{o.Name}'; names must be unique");
            if (o.VerticesPx.Count < 3 || !(o.AreaPx > 0.5) || o.VerticesPx.Any(v => !double.IsFinite(v.X) || !double.IsFinite(v.Y)))
                throw new InvalidDataException($"{source}: outline '{o.Name}' is empty ({o.VerticesPx.Count} vertices, {o.AreaPx:0.##} px^2)");
            double minX = o.VerticesPx.Min(v => v.X), maxX = o.VerticesPx.Max(v => v.X);
            double minY = o.VerticesPx.Min(v => v.Y), maxY = o.VerticesPx.Max(v => v.Y);
            string box = $"x {minX:0.#}..{maxX:0.#}, y {minY:0.#}..{maxY:0.#}";
            if (maxX < -0.5 || maxY < -0.5 || minX > widthPx - 0.5 || minY > heightPx - 0.5)
                throw new InvalidDataException($"{source}: outline '{o.Name}' ({box}) lies outside the {widthPx}x{heightPx} px frame");
            if (minX < -0.5 || minY < -0.5 || maxX > widthPx - 0.5 || maxY > heightPx - 0.5)
                warnings.Add($"{source}: outline '{o.Name}' ({box}) runs past the edge of the {widthPx}x{heightPx} px frame");
        }
    }

    private static void Spool(BinaryWriter w, int particle, int frame, Outline o)
    {
        w.Write(particle);
        w.Write(frame);
        w.Write(o.VerticesPx.Count);
        foreach (var v in o.VerticesPx) { w.Write(v.X); w.Write(v.Y); }
    }

    /// <summary>Reads the spooled outlines back lazily (one at a time: outlines.zip never needs them all in memory).</summary>
    private static IEnumerable<Outline> ReadSpool(string path, IReadOnlyList<string> names)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        while (r.BaseStream.Position < r.BaseStream.Length)
        {
            int particle = r.ReadInt32(), frame = r.ReadInt32(), n = r.ReadInt32();
            var v = new Point2d[n];
            for (int i = 0; i < n; i++) v[i] = new Point2d(r.ReadDouble(), r.ReadDouble());
            yield return new Outline(names[particle], v, frame);
        }
    }

    private static JsonObject BuildRunJson(TrackRunRequest req, string? sha256, CalibrationResolution cal, IReadOnlyList<Outline> outlines,
        int framesRead, List<(int Frame, double X, double Y, DriftMethod Method)> drift, Dictionary<string, double> timings, List<string> warnings,
        DateTime startedUtc, double overlayFps, Size? overlaySize, string outDir)
    {
        var movie = req.Movie;
        var asm = typeof(TrackRun).Assembly;
        string version = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                         ?? asm.GetName().Version?.ToString() ?? "unknown";
        var c = cal.Calibration;
        var o = req.TrackOptions;
        var parameters = new JsonObject
        {
            ["pixel_size_nm"] = N(req.Calibration.PixelSizeNm),
            ["frame_interval_s"] = N(req.Calibration.FrameIntervalS),
            ["scale_bar_nm"] = N(req.Calibration.ScaleBarNm),
            ["auto"] = req.Outlines is null,
            ["force"] = req.Overwrite,
            ["track_options"] = JsonSerializer.SerializeToNode(o),
            ["overlay_fps"] = req.WriteOverlayVideo ? overlayFps : null,
            ["overlay_max_side_px"] = req.WriteOverlayVideo ? req.OverlayMaxSidePx : null,
            ["overlay_size_px"] = overlaySize is Size os ? new JsonArray(os.Width, os.Height) : null,
            ["contact_sheet_frames"] = req.ContactSheetFrames,
        };
        foreach (var (k, v) in req.Parameters) parameters[k] = v;
        return new JsonObject
        {
            ["tool"] = new JsonObject { ["name"] = "temtrack", ["version"] = version, ["command"] = "track" },
            ["started_utc"] = startedUtc.ToString("O", CultureInfo.InvariantCulture),
            ["finished_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["output"] = outDir,
            ["input"] = new JsonObject
            {
                ["path"] = Path.GetFullPath(movie.SourcePath),
                ["format"] = movie.Format,
                ["sha256"] = sha256,
                ["width_px"] = movie.Width,
                ["height_px"] = movie.Height,
                ["dtype"] = movie.DataType,
                ["frames_declared"] = movie.FrameCount,
                ["frames_read"] = framesRead,
                ["stopped_early"] = movie.StoppedEarly,
            },
            ["outlines"] = new JsonObject
            {
                ["source"] = req.OutlineSource,
                ["sha256"] = File.Exists(req.OutlineSource) ? InputHash.Sha256(req.OutlineSource) : null,
                ["particles"] = new JsonArray(outlines.Select((x, i) => (JsonNode)new JsonObject
                {
                    ["name"] = x.Name,
                    ["colour"] = $"#{OverlayStyle.ParticleRgb(i).R:x2}{OverlayStyle.ParticleRgb(i).G:x2}{OverlayStyle.ParticleRgb(i).B:x2}",
                    ["vertices"] = x.VerticesPx.Count,
                    ["area_px"] = N(x.AreaPx),
                }).ToArray()),
            },
            ["calibration"] = new JsonObject
            {
                ["pixel_width_nm"] = N(c.PixelWidthNm),
                ["pixel_height_nm"] = N(c.PixelHeightNm),
                ["pixel_size_source"] = c.PixelSizeSource,
                ["file_pixel_size_nm"] = N(movie.Calibration.PixelWidthNm),
                ["frame_interval_s"] = N(c.FrameIntervalS),
                ["frame_interval_source"] = c.FrameIntervalSource,
                ["file_frame_interval_s"] = N(movie.Calibration.FrameIntervalS),
                ["time_is_frame_index"] = cal.TimeIsFrameIndex,
                ["area_unit"] = cal.IsSpatiallyCalibrated ? "nm^2" : "px^2",
                ["scale_bar"] = cal.ScaleBar is ScaleBar b
                    ? new JsonObject
                    {
                        ["length_px"] = b.LengthPx, ["left_edge_px"] = b.LeftEdgePx, ["right_edge_px"] = b.RightEdgePx,
                        ["centre_y_px"] = b.CentreYPx, ["thickness_px"] = b.ThicknessPx, ["corner"] = b.Corner.ToString(),
                        ["bright"] = b.IsBright, ["length_nm"] = N(req.Calibration.ScaleBarNm),
                    }
                    : null,
            },
            ["parameters"] = parameters,
            ["drift_px"] = new JsonObject
            {
                ["frame"] = new JsonArray(drift.Select(d => (JsonNode)d.Frame).ToArray()),
                ["dx"] = new JsonArray(drift.Select(d => N(d.X)).ToArray()),
                ["dy"] = new JsonArray(drift.Select(d => N(d.Y)).ToArray()),
                ["method"] = new JsonArray(drift.Select(d => (JsonNode)MethodName(d.Method)).ToArray()),
            },
            ["timings_s"] = new JsonObject(timings.Select(kv => KeyValuePair.Create(kv.Key, N(kv.Value)))),
            ["frames_per_s"] = N(framesRead / Math.Max(1e-9, timings.GetValueOrDefault("stream_s"))),
            ["warnings"] = new JsonArray(warnings.Select(w => (JsonNode)w).ToArray()),
            ["outputs"] = new JsonArray(new[] { AreasCsv, AreasPng, AreasSvg, req.WriteOverlayVideo ? OverlayAvi : null, ContactSheetPng, OutlinesZip, RunJson }
                .OfType<string>().Select(f => (JsonNode)f).ToArray()),
        };
    }

    /// <summary>
    /// Says when the stage drift was not measured on the support: whole-frame correlation registers the particles
    /// themselves (biased by any that swell unevenly), and an unmeasured frame repeats the previous drift.
    /// </summary>
    private static void DriftWarnings(List<(int Frame, double X, double Y, DriftMethod Method)> drift, Action<string> warn)
    {
        int measured = drift.Count(d => d.Method != DriftMethod.Reference);
        foreach (var (method, what) in new[]
        {
            (DriftMethod.WholeFrame, "the support around the particles had no texture to register on; drift there is whole-frame correlation, which follows particles that swell unevenly"),
            (DriftMethod.Unmeasured, "nothing could be registered; drift there repeats the previous frame's"),
        })
        {
            var frames = drift.Where(d => d.Method == method).Select(d => d.Frame).ToList();
            if (frames.Count > 0)
                warn($"stage drift: in {frames.Count} of {measured} frames (first: frame {frames[0]}) {what} (run.json drift_px.method)");
        }
    }

    /// <summary>How a frame's drift was measured, as run.json names it.</summary>
    public static string MethodName(DriftMethod m) => m switch
    {
        DriftMethod.Reference => "reference",
        DriftMethod.Support => "support",
        DriftMethod.WholeFrame => "whole_frame",
        _ => "unmeasured",
    };

    // JSON has no NaN: unknown numbers are null.
    private static JsonNode? N(double? v) => v is double d && double.IsFinite(d) ? JsonValue.Create(d) : null;
}
