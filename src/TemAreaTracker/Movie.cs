namespace TemAreaTracker;

/// <summary>
/// A movie read frame by frame: AVI/MP4, TIFF stack, image folder or a native microscope file.
/// Frames are streamed (flat memory whatever the length); open one with <see cref="IO.MovieReader.Open"/>.
/// </summary>
/// <remarks>A reader passes what the file declares once, as a <see cref="MovieHeader"/>, and implements only
/// <see cref="ReadFrames"/>.</remarks>
public abstract class Movie : IDisposable
{
    private readonly MovieHeader _header;

    /// <summary>A movie described by <paramref name="header"/>.</summary>
    protected Movie(MovieHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        _header = header;
    }

    /// <summary>The file or folder this movie was read from.</summary>
    public string SourcePath => _header.SourcePath;

    /// <summary>Short format name, e.g. "tiff", "avi", "dm4", "ser", "emd", "mrc", "image-sequence".</summary>
    public string Format => _header.Format;

    /// <summary>Frame width in px.</summary>
    public int Width => _header.Width;

    /// <summary>Frame height in px.</summary>
    public int Height => _header.Height;

    /// <summary>Number of frames as the file declares it; null when only reading to the end tells.</summary>
    public int? FrameCount => _header.FrameCount;

    /// <summary>Pixel type as stored, numpy-style: "uint8", "uint16", "int16", "int32", "float32", "float64", "complex64".</summary>
    public string DataType => _header.DataType;

    /// <summary>Calibration from the file's own metadata (may be <see cref="Calibration.None"/>).</summary>
    public Calibration Calibration => _header.Calibration;

    /// <summary>
    /// Map from stored pixel values to calibrated values (ImageJ c0/c1), or null when the file declares none.
    /// Frames always hold the stored values.
    /// </summary>
    public IntensityCalibration? Intensity => _header.Intensity;

    /// <summary>Metadata tags worth showing a user (name → value as text).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _header.Metadata;

    /// <summary>
    /// Streams the frames in order. A truncated file yields what it can read, then sets <see cref="StoppedEarly"/>
    /// instead of throwing; an unreadable file throws <see cref="IO.MovieFormatException"/>.
    /// </summary>
    public abstract IEnumerable<Frame> ReadFrames();

    /// <summary>Why reading ended before the declared end (e.g. "truncated at frame 41 (byte 1048576)"), or null.</summary>
    public string? StoppedEarly { get; protected set; }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
