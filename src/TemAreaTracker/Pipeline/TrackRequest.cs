using TemAreaTracker.Measurement;
using TemAreaTracker.Plotting;
using TemAreaTracker.Segmentation;
using TemAreaTracker.Tracking;

namespace TemAreaTracker.Pipeline;

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
public sealed record TrackRequest
{
    /// <summary>The movie (streamed once).</summary>
    public required Movie Movie { get; init; }

    /// <summary>Outlines drawn on the first frame; null to detect them with <see cref="DetectOutlines"/> (--auto).</summary>
    public IReadOnlyList<Outline>? Outlines { get; init; }

    /// <summary>
    /// Finds the particles in the first frame when <see cref="Outlines"/> is null (--auto); renamed p1, p2, ….
    /// Null: <see cref="ParticleDetector.Detect"/> with its defaults.
    /// </summary>
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
public sealed record TrackResult(
    string OutputDirectory, int FramesRead, CalibrationResolution Calibration, IReadOnlyList<ParticleSummary> Particles,
    IReadOnlyList<ParticleAreaRow> Rows, IReadOnlyList<string> Warnings, IReadOnlyDictionary<string, double> TimingsS, string? StoppedEarly);
