using System.Globalization;

namespace TemAreaTracker.Measurement;

/// <summary>What the user asked for on the command line (each null when not given).</summary>
/// <param name="PixelSizeNm">--pixel-size-nm: pixel edge in nm, used when the file has no pixel size.</param>
/// <param name="FrameIntervalS">--frame-interval-s: time between frames in s, used when the file has none.</param>
/// <param name="ScaleBarNm">--scale-bar-nm: length in nm of the movie's burnt-in scale bar, used when neither of the above gives a pixel size.</param>
public sealed record CalibrationRequest(double? PixelSizeNm = null, double? FrameIntervalS = null, double? ScaleBarNm = null)
{
    /// <summary>
    /// Checks the values (finite and &gt; 0).
    /// </summary>
    /// <returns>A one-line problem with the rule and the fix, or null when the request is valid.</returns>
    public string? Problem()
    {
        if (PixelSizeNm is double p && !(p > 0 && double.IsFinite(p)))
            return $"--pixel-size-nm must be > 0 (got {Fmt(p)}); give the pixel edge in nm, e.g. --pixel-size-nm 0.42";
        if (FrameIntervalS is double s && !(s > 0 && double.IsFinite(s)))
            return $"--frame-interval-s must be > 0 (got {Fmt(s)}); give the time between frames in s, e.g. --frame-interval-s 0.5";
        if (ScaleBarNm is double n && !(n > 0 && double.IsFinite(n)))
            return $"--scale-bar-nm must be > 0 (got {Fmt(n)}); give the length the scale bar's label states, in nm";
        return null;
    }

    private static string Fmt(double v) => v.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The calibration a run uses, where each part came from, and what the user must be told about it.</summary>
/// <param name="Calibration">Pixel size and frame interval with their sources; sizes null when unknown.</param>
/// <param name="ScaleBar">The scale bar measured, when the pixel size came from one.</param>
/// <param name="Warnings">One line each, for stderr and run.json.</param>
public sealed record CalibrationResolution(Calibration Calibration, ScaleBar? ScaleBar, IReadOnlyList<string> Warnings)
{
    /// <summary>Seconds per frame used for time_s: the frame interval, or 1 when unknown (time then counts frames).</summary>
    public double SecondsPerFrame => Calibration.FrameIntervalS ?? 1.0;

    /// <summary>True when no frame interval is known and time_s is the frame index.</summary>
    public bool TimeIsFrameIndex => Calibration.FrameIntervalS is null;

    /// <summary>True when areas can be given in nm².</summary>
    public bool IsSpatiallyCalibrated => Calibration.PixelAreaNm2 is not null;
}

/// <summary>
/// Decides the pixel size and frame interval of a run from the file's metadata, the user's options and a scale bar.
/// </summary>
/// <remarks>
/// Pure: no I/O; the scale-bar search is passed in and only run when needed.
/// Pixel size: file metadata, else --pixel-size-nm, else --scale-bar-nm (N nm / measured bar length), else none (px²).
/// Frame interval: file metadata, else --frame-interval-s, else the container frame rate (marked, since supplementary
/// movies are often sped up), else none (1 frame = 1 s).
/// A reader marks an interval taken from a container frame rate with the source <see cref="ContainerFpsSource"/>.
/// </remarks>
internal static class CalibrationResolver
{
    /// <summary>Source tag readers use for a frame interval derived from a video container's frame rate.</summary>
    public const string ContainerFpsSource = "container-fps";

    /// <summary>Resolves the run's calibration.</summary>
    /// <param name="fromFile">Calibration read from the movie's metadata (<see cref="Movie.Calibration"/>).</param>
    /// <param name="request">The user's options; must be valid (<see cref="CalibrationRequest.Problem"/>).</param>
    /// <param name="findScaleBar">Finds the burnt-in scale bar in the first frame; called only for --scale-bar-nm.</param>
    /// <param name="movieName">File name used in messages.</param>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="InvalidDataException">--scale-bar-nm was needed but no scale bar was found.</exception>
    public static CalibrationResolution Resolve(Calibration fromFile, CalibrationRequest request, Func<ScaleBar?>? findScaleBar = null, string movieName = "movie")
    {
        if (request.Problem() is string problem) throw new ArgumentException(problem);
        var warnings = new List<string>();
        ScaleBar? bar = null;

        double? pw = null, ph = null;
        string pixelSource;
        bool fileHasSize = IsPositive(fromFile.PixelWidthNm) && IsPositive(fromFile.PixelHeightNm ?? fromFile.PixelWidthNm);
        if (fromFile.PixelWidthNm is not null && !fileHasSize)
            warnings.Add($"{movieName}: ignoring invalid pixel size in the file's metadata ({fromFile.PixelWidthNm} x {fromFile.PixelHeightNm} nm)");
        if (fileHasSize)
        {
            pw = fromFile.PixelWidthNm;
            ph = fromFile.PixelHeightNm ?? fromFile.PixelWidthNm;
            pixelSource = fromFile.PixelSizeSource;
            if (request.PixelSizeNm is double given && Math.Abs(given - pw!.Value) > 1e-3 * pw.Value)
                warnings.Add($"--pixel-size-nm {F(given)} ignored: {movieName} metadata gives {F(pw.Value)} nm/px ({pixelSource})");
            if (request.ScaleBarNm is not null)
                warnings.Add($"--scale-bar-nm ignored: {movieName} metadata gives the pixel size ({pixelSource})");
        }
        else if (request.PixelSizeNm is double given)
        {
            pw = ph = given;
            pixelSource = "--pixel-size-nm";
            if (request.ScaleBarNm is not null)
                warnings.Add("--scale-bar-nm ignored: --pixel-size-nm gives the pixel size");
        }
        else if (request.ScaleBarNm is double barNm)
        {
            bar = findScaleBar?.Invoke()
                ?? throw new InvalidDataException(
                    $"{movieName}: --scale-bar-nm {F(barNm)} given but no scale bar (a solid bright or dark horizontal bar near a corner) was found in the first frame; pass --pixel-size-nm instead");
            pw = ph = barNm / bar.LengthPx;
            pixelSource = "scale-bar";
            warnings.Add($"pixel size from the burnt-in scale bar: {F(barNm)} nm / {bar.LengthPx:F2} px = {F(pw.Value)} nm/px " +
                         $"(±{100 * 0.5 / bar.LengthPx:F1}% from the bar ends; areas scale with its square)");
        }
        else
        {
            pixelSource = "none";
            warnings.Add($"no pixel size: areas in px^2 only ({movieName} has none in its metadata; pass --pixel-size-nm or --scale-bar-nm)");
        }

        double? interval;
        string intervalSource;
        bool fileInterval = IsPositive(fromFile.FrameIntervalS);
        bool fromContainer = fileInterval && IsContainerFps(fromFile.FrameIntervalSource);
        if (fileInterval && !fromContainer)
        {
            interval = fromFile.FrameIntervalS;
            intervalSource = fromFile.FrameIntervalSource;
            if (request.FrameIntervalS is double given && Math.Abs(given - interval!.Value) > 1e-6 * interval.Value)
                warnings.Add($"--frame-interval-s {F(given)} ignored: {movieName} metadata gives {F(interval.Value)} s ({intervalSource})");
        }
        else if (request.FrameIntervalS is double given)
        {
            interval = given;
            intervalSource = "--frame-interval-s";
        }
        else if (fromContainer)
        {
            interval = fromFile.FrameIntervalS;
            intervalSource = ContainerFpsSource;
            warnings.Add($"frame interval from container fps ({F(interval!.Value)} s = {F(1 / interval.Value)} fps) — supplementary movies are often sped up; pass --frame-interval-s if you know the real one");
        }
        else
        {
            interval = null;
            intervalSource = "none";
            warnings.Add($"no frame interval: 1 frame = 1 s assumed, time_s is the frame index ({movieName} has none; pass --frame-interval-s)");
        }

        var cal = new Calibration
        {
            PixelWidthNm = pw,
            PixelHeightNm = ph,
            PixelSizeSource = pixelSource,
            FrameIntervalS = interval,
            FrameIntervalSource = intervalSource,
        };
        return new CalibrationResolution(cal, bar, warnings);
    }

    private static bool IsContainerFps(string source) =>
        source.Contains("fps", StringComparison.OrdinalIgnoreCase) || source.Contains("container", StringComparison.OrdinalIgnoreCase);

    private static bool IsPositive(double? v) => v is double x && x > 0 && double.IsFinite(x);

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
