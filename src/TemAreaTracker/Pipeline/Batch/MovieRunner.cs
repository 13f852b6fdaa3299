using System.Diagnostics;
using System.Globalization;
using TemAreaTracker.Fitting;
using TemAreaTracker.IO;
using TemAreaTracker.Measurement;
using TemAreaTracker.Plotting;
using TemAreaTracker.Reporting;
using TemAreaTracker.Segmentation;

namespace TemAreaTracker.Pipeline.Batch;

/// <summary>
/// Runs one movie of a batch in process: <c>track</c> into <c>DIR/&lt;id&gt;/track/</c>, <c>fit</c> into
/// <c>DIR/&lt;id&gt;/fit/</c> (each written atomically, exactly as the commands write them), then the report's scrubber
/// frames into <c>DIR/&lt;id&gt;/preview/</c>.
/// </summary>
internal static class MovieRunner
{
    /// <summary>Sub-folders of a movie's folder.</summary>
    public const string TrackDir = "track", FitDir = "fit", PreviewDir = "preview";

    /// <summary>Files that must exist for a movie's outputs to count as complete.</summary>
    public static IReadOnlyList<string> RequiredOutputs { get; } =
        [$"{TrackDir}/{TrackRun.AreasCsv}", $"{TrackDir}/{TrackRun.RunJson}", $"{TrackDir}/{TrackRun.OutlinesZip}", $"{FitDir}/fit.json", $"{PreviewDir}/{ScrubberFrames.IndexFile}"];

    /// <summary>True when every file of <see cref="RequiredOutputs"/> exists in <paramref name="movieDir"/>.</summary>
    public static bool OutputsComplete(string movieDir) =>
        RequiredOutputs.All(f => File.Exists(Path.Combine(movieDir, f)));

    /// <summary>Tracks, fits and samples the scrubber frames of <paramref name="movie"/>; returns the frames tracked.</summary>
    /// <param name="movie">The movie (runnable: <see cref="BatchMovie.NotRun"/> is null).</param>
    /// <param name="movieDir">Its folder, DIR/&lt;movie-id&gt;.</param>
    /// <param name="options">Batch-wide knobs.</param>
    /// <param name="onFrame">Called after each tracked frame with (frames done, frames declared).</param>
    /// <param name="ct">Stops the run between frames.</param>
    public static int Run(BatchMovie movie, string movieDir, BatchOptions options, Action<int, int?>? onFrame, CancellationToken ct)
    {
        Directory.CreateDirectory(movieDir);
        IReadOnlyList<Outline>? outlines = movie.OutlinesPath is string roi ? ReadOutlines(roi) : null;
        var model = KineticModels.TryParse(movie.Model, out var k) ? k : throw new ArgumentException($"model '{movie.Model}' is unknown");

        TrackRunResult track;
        using (var m = MovieReader.Open(movie.MoviePath))
        {
            track = TrackRun.Run(new TrackRunRequest
            {
                Movie = m,
                Outlines = outlines,
                DetectOutlines = outlines is null ? f => ParticleDetector.Detect(f) : null,
                OutlineSource = movie.OutlinesPath ?? "auto",
                Calibration = new CalibrationRequest(movie.PixelSizeNm, movie.FrameIntervalS),
                OutputDirectory = Path.Combine(movieDir, TrackDir),
                Overwrite = true,
                WriteOverlayVideo = options.WriteOverlayVideo,
                Parameters = new Dictionary<string, string?> { ["batch_movie_id"] = movie.Id },
                Progress = onFrame is null ? null : new Inline(p => onFrame(p.FramesDone, p.FrameCount)),
            }, ct);
        }
        ct.ThrowIfCancellationRequested();
        Fit(Path.Combine(movieDir, TrackDir, TrackRun.AreasCsv), Path.Combine(movieDir, FitDir), model, movie.ContactLossS, options.BootstrapResamples);
        ct.ThrowIfCancellationRequested();
        ScrubberFrames.Write(movie.MoviePath, Path.Combine(movieDir, PreviewDir), track.FramesRead, ct);
        return track.FramesRead;
    }

    private static IReadOnlyList<Outline> ReadOutlines(string path)
    {
        try { return OutlineFile.Read(path); }
        catch (Exception e) when (e is not (OutOfMemoryException or InvalidDataException or FileNotFoundException))
        {
            throw new InvalidDataException(e.Message.Contains(path, StringComparison.Ordinal) ? e.Message
                : $"{path}: not an ImageJ ROI (.roi), RoiSet.zip or JSON outline file: {e.Message}", e);
        }
    }

    /// <summary>
    /// <c>temtrack fit AREAS --model M [--contact-loss-s T] --bootstrap N --out DIR --force</c> in process (the same policy:
    /// without a contact-loss time, redistribution starts at the cluster's earliest sustained contraction).
    /// </summary>
    private static void Fit(string areasCsv, string fitDir, KineticModel model, double? contactLossS, int bootstrap)
    {
        var data = AreaCsvReader.Read(areasCsv);
        var series = data.Series.ToList();
        var options = new FitOptions { ContactLossS = contactLossS, BootstrapResamples = bootstrap };
        double? clusterContactLossS = null;
        if (model == KineticModel.Redistribution && contactLossS is null)
        {
            clusterContactLossS = series.Select(DiffusionFitter.DetectContactLossS).Where(t => t is not null).Min()
                ?? throw new InvalidDataException("fit: no particle shows a sustained contraction, so the contact-loss time is unknown; give contact_loss_s in the manifest");
            options = options with { ContactLossS = clusterContactLossS };
        }
        var fits = new List<DiffusionFit>();
        foreach (var p in series)
        {
            try
            {
                var fit = DiffusionFitter.Fit(p, model, options);
                if (clusterContactLossS is double tc)
                    fit = fit with { Warnings = [$"contact loss at {tc.ToString("G4", CultureInfo.InvariantCulture)} s detected as the start of sustained contraction in this cluster; pass --contact-loss-s if it is known", .. fit.Warnings] };
                fits.Add(fit);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"fit: {e.Message}", e);
            }
        }
        var report = new FitReport(Path.GetFullPath(areasCsv), fits, [], null, data.SkippedRows, data.SkippedByParticle);
        AtomicFolder.Write(fitDir, tmp =>
        {
            FitJson.Write(report, Path.Combine(tmp, "fit.json"));
            FitJson.WriteCsv(fits, Path.Combine(tmp, "fit.csv"));
            FitPlot.Save(fits, Path.Combine(tmp, "fit.png"), Path.Combine(tmp, "fit.svg"));
        });
    }

    private sealed class Inline(Action<TrackProgress> report) : IProgress<TrackProgress>
    {
        public void Report(TrackProgress value) => report(value);
    }
}

/// <summary>Writes a folder atomically: into a hidden temporary sibling, renamed over the old one only once complete.</summary>
internal static class AtomicFolder
{
    public static void Write(string dir, Action<string> fill)
    {
        string full = Path.GetFullPath(dir);
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{Path.GetFileName(full)}.partial-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(temp);
        try
        {
            fill(temp);
            if (Directory.Exists(full))
            {
                string old = Path.Combine(parent, $".{Path.GetFileName(full)}.replaced-{Guid.NewGuid():N}");
                Directory.Move(full, old);
                Directory.Move(temp, full);
                TryDelete(old);
            }
            else Directory.Move(temp, full);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
