namespace TemAreaTracker;

/// <summary>
/// What a movie says about itself, read once when it is opened and handed to <see cref="Movie"/>'s constructor:
/// every reader fills one of these instead of overriding each property.
/// </summary>
/// <param name="SourcePath">The file or folder the movie was read from.</param>
/// <param name="Format">Short format name, e.g. "tiff", "avi", "dm4", "ser", "emd", "mrc", "image-sequence".</param>
/// <param name="Width">Frame width in px.</param>
/// <param name="Height">Frame height in px.</param>
/// <param name="FrameCount">Number of frames as the file declares it; null when only reading to the end tells.</param>
/// <param name="DataType">Pixel type as stored, numpy-style ("uint8", "uint16", "float32", …).</param>
/// <param name="Calibration">Calibration from the file's own metadata (may be <see cref="Calibration.None"/>).</param>
public sealed record MovieHeader(string SourcePath, string Format, int Width, int Height, int? FrameCount, string DataType,
    Calibration Calibration)
{
    /// <summary>Map from stored pixel values to calibrated values, or null when the file declares none.</summary>
    public IntensityCalibration? Intensity { get; init; }

    /// <summary>Metadata tags worth showing a user (name → value as text); empty when the reader keeps none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
