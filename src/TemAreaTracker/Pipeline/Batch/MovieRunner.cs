using TemAreaTracker.Fitting;
using TemAreaTracker.IO;
using TemAreaTracker.Measurement;
using TemAreaTracker.Segmentation;

namespace TemAreaTracker.Pipeline.Batch;

/// <summary>
/// Runs one movie of a batch in process: <see cref="TrackPipeline"/> into <c>DIR/&lt;id&gt;/track/</c>, then
/// <see cref="FitPipeline"/> on the run's calibrated rows (no CSV round trip) into <c>DIR/&lt;id&gt;/fit/</c> (each written
/// atomically through <see cref="OutputFolder"/>, exactly as <c>track</c> and <c>fit</c> write them), then the report's
/// scrubber frames into <c>DIR/&lt;id&gt;/preview/</c>.
/// </summary>
internal static class MovieRunner
{
    /// <summary>Sub-folders of a movie's folder.</summary>
    public const string TrackDir = "track", FitDir = "fit", PreviewDir = "preview";

    /// <summary>Files that must exist for a movie's outputs to count as complete.</summary>
    public static IReadOnlyList<string> RequiredOutputs { get; } =
        [$"{TrackDir}/{TrackPipeline.AreasCsv}", $"{TrackDir}/{TrackPipeline.RunJson}", $"{TrackDir}/{TrackPipeline.OutlinesZip}",
         $"{FitDir}/{FitPipeline.FitJsonFile}", $"{PreviewDir}/{ScrubberFrames.IndexFile}"];

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
        string trackDir = Path.Combine(movieDir, TrackDir);

        TrackResult track;
        using (var m = MovieReader.Open(movie.MoviePath))
        {
            track = TrackPipeline.Run(new TrackRequest
            {
                Movie = m,
                Outlines = outlines,
                DetectOutlines = outlines is null ? f => ParticleDetector.Detect(f) : null,
                OutlineSource = movie.OutlinesPath ?? "auto",
                Calibration = new CalibrationRequest(movie.PixelSizeNm, movie.FrameIntervalS),
                OutputDirectory = trackDir,
                Overwrite = true,
                WriteOverlayVideo = options.WriteOverlayVideo,
                Parameters = new Dictionary<string, string?> { ["batch_movie_id"] = movie.Id },
                Progress = onFrame is null ? null : new Inline(p => onFrame(p.FramesDone, p.FrameCount)),
            }, ct);
        }
        ct.ThrowIfCancellationRequested();
        string areasCsv = Path.Combine(trackDir, TrackPipeline.AreasCsv);
        FitPipeline.Run(new FitRequest
        {
            AreasCsv = areasCsv,
            Areas = AreaCurves.FromRows(track.Rows, areasCsv),
            OutputDirectory = Path.Combine(movieDir, FitDir),
            Overwrite = true,
            Model = model,
            Options = new FitOptions { ContactLossS = movie.ContactLossS, BootstrapResamples = options.BootstrapResamples },
        });
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

    private sealed class Inline(Action<TrackProgress> report) : IProgress<TrackProgress>
    {
        public void Report(TrackProgress value) => report(value);
    }

    /// <summary>Deletes a folder, ignoring failures (a leftover is removed on the next run).</summary>
    public static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
