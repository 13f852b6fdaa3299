namespace TemAreaTracker;

/// <summary>
/// Spatial and temporal calibration of a movie, each value with where it came from
/// (file metadata, a command-line option, a measured scale bar, the container frame rate).
/// </summary>
/// <remarks>
/// Pixels may be non-square (some DM/SER files); area per pixel is their product.
/// A null size means "unknown": areas are then reported in px² only.
/// </remarks>
public sealed record Calibration
{
    /// <summary>Pixel width in nm (x), or null when unknown.</summary>
    public double? PixelWidthNm { get; init; }

    /// <summary>Pixel height in nm (y), or null when unknown. Equal to <see cref="PixelWidthNm"/> for square pixels.</summary>
    public double? PixelHeightNm { get; init; }

    /// <summary>Where the pixel size came from, e.g. "imagej-tiff", "dm4-tags", "--pixel-size-nm", "scale-bar", "none".</summary>
    public string PixelSizeSource { get; init; } = "none";

    /// <summary>Time between frames in s, or null when unknown.</summary>
    public double? FrameIntervalS { get; init; }

    /// <summary>Where the frame interval came from, e.g. "imagej-finterval", "--frame-interval-s", "container-fps", "none".</summary>
    public string FrameIntervalSource { get; init; } = "none";

    /// <summary>No calibration at all.</summary>
    public static Calibration None { get; } = new();

    /// <summary>Square pixels of <paramref name="nmPerPixel"/> nm.</summary>
    public static Calibration FromPixelSize(double nmPerPixel, string source) =>
        new() { PixelWidthNm = nmPerPixel, PixelHeightNm = nmPerPixel, PixelSizeSource = source };

    /// <summary>Area of one pixel in nm², or null when the pixel size is unknown.</summary>
    public double? PixelAreaNm2 => PixelWidthNm is double w && PixelHeightNm is double h ? w * h : null;

    /// <summary>Mean pixel edge in nm (geometric mean for non-square pixels), or null.</summary>
    public double? NmPerPixel => PixelAreaNm2 is double a ? Math.Sqrt(a) : null;
}
