namespace TemAreaTracker.Pipeline.Batch;

/// <summary>What became of a movie in a batch (written lower case in movies.csv).</summary>
public enum BatchStatus
{
    /// <summary>Tracked and fitted; its outputs are complete.</summary>
    Done,
    /// <summary>Tried and failed (or its manifest row is invalid); the error says why.</summary>
    Failed,
    /// <summary>Not run by design (no outlines without --auto, an ambiguous pairing); the error says why.</summary>
    Skipped,
}

/// <summary>
/// One movie of a batch as found in INPUT or listed in the manifest: where it is, what it is paired with, how it is
/// calibrated and fitted, or why it will not run.
/// </summary>
public sealed record BatchMovie
{
    /// <summary>
    /// The movie's path relative to INPUT (or to the manifest's folder for a movie outside INPUT) with <c>/</c> replaced by
    /// <c>__</c>, e.g. <c>chemical__movie.tif</c>: its folder name in the output and its key in every table.
    /// </summary>
    public required string Id { get; init; }

    /// <summary>The movie's path relative to INPUT (or to the manifest), with <c>/</c> separators.</summary>
    public required string RelativePath { get; init; }

    /// <summary>Absolute path of the movie file or folder.</summary>
    public required string MoviePath { get; init; }

    /// <summary>Absolute path of its outlines (ImageJ .roi, RoiSet.zip or JSON), or null to detect them (--auto).</summary>
    public string? OutlinesPath { get; init; }

    /// <summary>The condition it belongs to (manifest column, else the name of the folder holding the movie).</summary>
    public required string Condition { get; init; }

    /// <summary>Pixel edge in nm given by the manifest (null: from the file).</summary>
    public double? PixelSizeNm { get; init; }

    /// <summary>Frame interval in s given by the manifest (null: from the file).</summary>
    public double? FrameIntervalS { get; init; }

    /// <summary>The kinetic model to fit, as <c>temtrack fit --model</c> names it.</summary>
    public string Model { get; init; } = DefaultModel;

    /// <summary>Contact-loss time in s given by the manifest (redistribution), else null.</summary>
    public double? ContactLossS { get; init; }

    /// <summary>True when the manifest listed this movie.</summary>
    public bool FromManifest { get; init; }

    /// <summary>Set when the movie is not run: <see cref="BatchStatus.Skipped"/> by design or <see cref="BatchStatus.Failed"/>.</summary>
    public BatchStatus? NotRun { get; init; }

    /// <summary>One line saying why the movie is not run (with <see cref="NotRun"/>).</summary>
    public string? Reason { get; init; }

    /// <summary>The model fitted when neither the manifest nor the caller names one.</summary>
    public const string DefaultModel = "sphere-diffusion";

    /// <summary>The movie-id of a path relative to INPUT (separators become <c>__</c>).</summary>
    public static string IdOf(string relativePath) =>
        relativePath.Replace('\\', '/').Trim('/').Replace("/", "__", StringComparison.Ordinal);

    /// <summary>
    /// The fields of a movie's row that decide its results (paths relative, numbers round-tripped), one per line: part of
    /// the input hash, so a changed manifest row redoes the movie.
    /// </summary>
    internal string CanonicalRow() => string.Join('\n',
        $"movie={RelativePath}",
        $"rois={(OutlinesPath is null ? "auto" : Path.GetFileName(OutlinesPath))}",
        $"pixel_size_nm={Num(PixelSizeNm)}",
        $"frame_interval_s={Num(FrameIntervalS)}",
        $"condition={Condition}",
        $"model={Model}",
        $"contact_loss_s={Num(ContactLossS)}");

    private static string Num(double? v) => v?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
