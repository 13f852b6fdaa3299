using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using TemAreaTracker.IO;
using TemAreaTracker.Measurement;
using TemAreaTracker.Plotting;
using TemAreaTracker.Registration;
using TemAreaTracker.Reporting;
using TemAreaTracker.Segmentation;
using TemAreaTracker.Tracking;

namespace TemAreaTracker.Pipeline;

/// <summary>
/// The <c>track</c> stage: frames → stage drift → <see cref="Tracker"/> → calibrated areas (<see cref="ParticleAreaRow"/>).
/// <see cref="Track"/> streams a movie's frames through it for library callers; <see cref="Run"/> is the whole command
/// without the CLI: it also writes the overlay video as it goes, keeps only the small per-frame results, then writes
/// areas.csv, areas.png/.svg, contact-sheet.png, outlines.zip and run.json.
/// </summary>
/// <remarks>
/// Both go through one <see cref="TrackingLoop"/>. <see cref="Run"/> writes through an <see cref="OutputFolder"/> (a failed
/// run leaves nothing behind, an existing folder is replaced with <see cref="TrackRequest.Overwrite"/> only after
/// success). Memory stays flat with movie length: frames are disposed after use, the overlay queue is bounded, the
/// contact sheet keeps a bounded sample and per-frame outlines are spooled to disk for outlines.zip. A truncated movie is
/// tracked as far as it reads; the run completes and says where it stopped.
/// </remarks>
/// <example>
/// <code>
/// using var movie = MovieReader.Open("run.dm4");
/// foreach (var result in TrackPipeline.Track(movie.ReadFrames(), ImageJRoi.Read("RoiSet.zip")))
///     Console.WriteLine($"{result.Frame}: {result.Particles[0].AreaPx:0.0} px²");
/// </code>
/// </example>
public static class TrackPipeline
{
    /// <summary>Output file names (a public contract).</summary>
    public const string AreasCsv = "areas.csv", AreasPng = "areas.png", AreasSvg = "areas.svg", OverlayAvi = "overlay.avi",
        ContactSheetPng = "contact-sheet.png", OutlinesZip = "outlines.zip", RunJson = "run.json";

    /// <summary>Everything a track run writes into its folder (an unmarked folder holding only these may be replaced).</summary>
    public static IReadOnlyList<string> OutputFiles { get; } = [AreasCsv, AreasPng, AreasSvg, OverlayAvi, ContactSheetPng, OutlinesZip, RunJson];

    /// <summary>
    /// The output folder of a track run reading <paramref name="moviePath"/> and <paramref name="roiPath"/> (when it is a
    /// file): <see cref="OutputFolder.EnsureFree"/> refuses it before any work as <see cref="Run"/> would.
    /// </summary>
    public static OutputFolder OutputFolderFor(string outputDirectory, bool overwrite, string moviePath, string? roiPath) =>
        new(outputDirectory, overwrite, "track", OutputFiles,
            [new CommandInput("movie", moviePath), .. roiPath is not null && File.Exists(roiPath) ? [new CommandInput("ROI file", roiPath)] : Array.Empty<CommandInput>()]);

    /// <summary>
    /// Tracks <paramref name="outlines"/> (drawn on the first frame) through <paramref name="frames"/>, streaming: frames
    /// are read a couple ahead and their stage drift measured a frame or two ahead on threads of their own, exactly as
    /// <c>temtrack track</c> does; each frame is disposed after use.
    /// </summary>
    /// <exception cref="ArgumentException">No outlines, or an empty one.</exception>
    /// <exception cref="InvalidDataException">A frame's size differs from the first frame's.</exception>
    public static IEnumerable<FrameResult> Track(IEnumerable<Frame> frames, IReadOnlyList<Outline> outlines, TrackOptions? options = null)
    {
        using var loop = new TrackingLoop(frames, options ?? new TrackOptions());
        loop.Start(outlines);
        int width = 0, height = 0;
        bool first = true;
        while (loop.TryTake(out var next, out var drift))
        {
            using var frame = next;
            if (first) (width, height, first) = (frame.Width, frame.Height, false);
            else if (frame.Width != width || frame.Height != height)
                throw new InvalidDataException($"frame {frame.Index} is {frame.Width}x{frame.Height} px but frame 0 was {width}x{height} px");
            yield return loop.Track(frame, drift);
        }
    }

    /// <summary>Runs the whole track command.</summary>
    /// <exception cref="IOException">
    /// The output folder is or contains an input, exists and <see cref="TrackRequest.Overwrite"/> is false, holds files
    /// this tool did not write, or writing failed.
    /// </exception>
    /// <exception cref="InvalidDataException">The movie has no frames, or the outlines are empty or outside the frame.</exception>
    /// <exception cref="ArgumentException">Invalid calibration options.</exception>
    /// <exception cref="RunInterruptedException"><paramref name="cancellationToken"/> was cancelled; nothing was written.</exception>
    public static TrackResult Run(TrackRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Calibration.Problem() is string problem) throw new ArgumentException(problem);
        var output = OutputFolderFor(request.OutputDirectory, request.Overwrite, request.Movie.SourcePath, request.OutlineSource);
        output.EnsureFree();
        return output.Write(temp => RunInto(request, temp, output.FullPath, cancellationToken), cancellationToken);
    }

    private static TrackResult RunInto(TrackRequest req, string temp, string outDir, CancellationToken ct)
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
        IReadOnlyList<OutlineKind>? kinds = null;
        OverlayVideoWriter? overlay = null;
        DisplayWindow? display = null;
        double overlayFps = 10;
        int framesRead = 0, firstWidth = 0, firstHeight = 0;
        var sampler = new ContactSheetSampler(req.ContactSheetFrames, movie.FrameCount);
        var clock = Stopwatch.StartNew();
        try
        {
            using var spool = new OutlineSpool(spoolPath);
            // Frames and their drift come a frame or two ahead of tracking; `decode` measures the time tracking waited
            // for a frame (and its drift).
            using var loop = new TrackingLoop(movie.ReadFrames(), req.TrackOptions);
            while (true)
            {
                if (ct.IsCancellationRequested)
                    throw new RunInterruptedException(movie.FrameCount is int count
                        ? $"interrupted at frame {framesRead} of {count}" : $"interrupted at frame {framesRead}", ct);
                decode.Start();
                bool more = loop.TryTake(out var next, out var frameDrift);
                decode.Stop();
                if (!more) break;
                using var frame = next;
                if (framesRead == 0)
                {
                    cal = CalibrationResolver.Resolve(movie.Calibration, req.Calibration, () => ScaleBarDetector.Find(frame.Pixels), movieName);
                    foreach (var w in cal.Warnings) Warn(w);
                    var detect = req.DetectOutlines ?? (f => ParticleDetector.Detect(f));
                    outlines = req.Outlines ?? AutoOutlines(detect, frame, movieName);
                    var outlineWarnings = new List<string>();
                    OutlineValidation.CheckInFrame(outlines, frame.Width, frame.Height, req.OutlineSource, outlineWarnings);
                    foreach (var w in outlineWarnings) Warn(w);
                    kinds = ClassifyOutlines(outlines, req.Outlines is null ? null : detect, frame, Warn);
                    loop.Start(outlines);
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
                var result = loop.Track(frame, frameDrift);
                track.Stop();

                bool fileTimes = cal!.Calibration.FrameIntervalS is not null && cal.Calibration.FrameIntervalSource is not ("--frame-interval-s" or CalibrationResolver.ContainerFpsSource);
                double timeS = fileTimes && frame.TimeS is double ft ? ft : frame.Index * cal.SecondsPerFrame;
                drift.Add((frame.Index, result.DriftPx.X, result.DriftPx.Y, frameDrift.Method));
                var marks = new List<OverlayMark>(result.Particles.Count);
                for (int i = 0; i < result.Particles.Count; i++)
                {
                    var m = result.Particles[i];
                    int colour = IndexOf(outlines!, m.Particle, i);
                    var row = ParticleAreaRow.From(m, timeS, cal.Calibration, colour < kinds!.Count ? kinds[colour].Kind : ParticleKind.Particle);
                    rows.Add(row);
                    marks.Add(new OverlayMark(m.Outline, colour, row.HasArea ? m.Particle : $"{m.Particle} ({ParticleAreaRow.QualityName(m.Quality)})"));
                    if (row.HasArea) spool.Add(colour, frame.Index, m.Outline);
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
            // Our scale bar goes on the first panel only when its frame carries no burnt-in one (that would say the same).
            double? nmPerPixel = calibration.Calibration.NmPerPixel;
            var burntIn = nmPerPixel is double nm && nm > 0 && panels.Count > 0 ? ScaleBarDetector.Find(panels[0].Gray8) : null;
            ContactSheet.Save(Path.Combine(temp, ContactSheetPng), panels, calibration.TimeIsFrameIndex ? "frame" : "s",
                nmPerPixel: nmPerPixel, burntInScaleBar: burntIn);
        }
        finally
        {
            foreach (var p in panels) p.Dispose();
            sampler.Dispose();
        }
        timings["contact_sheet_s"] = sw.Elapsed.TotalSeconds;

        sw.Restart();
        ImageJRoi.WriteRoiSet(Path.Combine(temp, OutlinesZip), OutlineSpool.Read(spoolPath, names));
        File.Delete(spoolPath);
        timings["outlines_zip_s"] = sw.Elapsed.TotalSeconds;

        sw.Restart();
        var (sha256, hashS) = hashTask.GetAwaiter().GetResult();
        timings["hash_s"] = hashS;
        timings["hash_wait_s"] = sw.Elapsed.TotalSeconds;

        var summary = ParticleSummary.Of(rows);
        timings["total_s"] = total.Elapsed.TotalSeconds;
        Reporting.RunJson.Write(Path.Combine(temp, RunJson), new RunRecord
        {
            Movie = movie,
            InputSha256 = sha256,
            CalibrationRequest = req.Calibration,
            Calibration = calibration,
            OutlineSource = req.OutlineSource,
            OutlineSha256 = File.Exists(req.OutlineSource) ? InputHash.Sha256(req.OutlineSource) : null,
            Outlines = outlines!,
            OutlineColours = outlines!.Select((_, i) => OverlayStyle.ParticleRgb(i)).Select(c => $"#{c.R:x2}{c.G:x2}{c.B:x2}").ToList(),
            FramesRead = framesRead,
            Drift = drift.Select(d => new DriftRow(d.Frame, d.X, d.Y, MethodName(d.Method))).ToList(),
            TimingsS = timings,
            Warnings = warnings,
            StartedUtc = startedUtc,
            OutputDirectory = outDir,
            Auto = req.Outlines is null,
            Force = req.Overwrite,
            TrackOptions = req.TrackOptions,
            OverlayFps = req.WriteOverlayVideo ? overlayFps : null,
            OverlayMaxSidePx = req.WriteOverlayVideo ? req.OverlayMaxSidePx : null,
            OverlaySize = overlaySize,
            ContactSheetFrames = req.ContactSheetFrames,
            Parameters = req.Parameters,
            Outputs = new[] { AreasCsv, AreasPng, AreasSvg, req.WriteOverlayVideo ? OverlayAvi : null, ContactSheetPng, OutlinesZip, RunJson }
                .OfType<string>().ToList(),
        });
        return new TrackResult(outDir, framesRead, calibration, summary, rows, warnings, timings, movie.StoppedEarly);
    }

    private static int IndexOf(IReadOnlyList<Outline> outlines, string name, int guess)
    {
        if (guess < outlines.Count && outlines[guess].Name == name) return guess;
        for (int i = 0; i < outlines.Count; i++) if (outlines[i].Name == name) return i;
        return guess;
    }

    /// <summary>
    /// Each outline's kind (<see cref="OutlineKinds"/>), with a warning per cluster. Given outlines are also compared with
    /// the particles <paramref name="detect"/> finds on frame 0 (null for --auto, whose outlines are those particles); a
    /// detector failure only drops that part of the check.
    /// </summary>
    private static IReadOnlyList<OutlineKind> ClassifyOutlines(IReadOnlyList<Outline> outlines, Func<Frame, IReadOnlyList<Outline>>? detect, Frame first, Action<string> warn)
    {
        IReadOnlyList<Outline> detected = [];
        if (detect is not null)
        {
            try { detected = detect(first); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                warn($"cluster check: the particle detector failed on frame 0 ({e.Message}); clusters are recognised from the outlines alone");
            }
        }
        var kinds = OutlineKinds.Classify(outlines, detected);
        for (int i = 0; i < outlines.Count; i++)
            if (kinds[i].Kind == ParticleKind.Cluster)
                warn($"outline '{outlines[i].Name}' is a cluster ({kinds[i].Why}): areas.csv marks it kind = cluster, and fit reports no D for it (its area is the union of several particles)");
        return kinds;
    }

    private static IReadOnlyList<Outline> AutoOutlines(Func<Frame, IReadOnlyList<Outline>> detect, Frame first, string movieName)
    {
        var found = detect(first);
        if (found.Count == 0) throw new InvalidDataException($"{movieName}: --auto found no particles in the first frame; draw outlines and pass --rois");
        return found.Select((o, i) => o with { Name = $"p{i + 1}", Frame = null }).ToList();
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
    internal static string MethodName(DriftMethod m) => m switch
    {
        DriftMethod.Reference => "reference",
        DriftMethod.Support => "support",
        DriftMethod.WholeFrame => "whole_frame",
        _ => "unmeasured",
    };
}
