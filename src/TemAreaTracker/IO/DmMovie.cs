namespace TemAreaTracker.IO;

/// <summary>
/// Gatan DigitalMicrograph DM3/DM4 image (2-D) or stack (3-D: frames along the third dimension), streamed from a memory map.
/// </summary>
/// <remarks>
/// <para>The image is the largest entry of ImageList after the thumbnail (ImageList[0] when there are several). Pixel size comes from
/// ImageData.Calibrations.Dimension[0/1] Scale and Units (nm, µm, Å…; source "dm3-tags"/"dm4-tags"). Reciprocal units (1/nm)
/// mark a diffraction pattern or FFT: no pixel size is reported and Metadata says why. A time calibration of the third
/// dimension (s, ms, min) gives the frame interval.</para>
/// <para>DM image data types: 1 int16, 2 float32, 3 complex64, 6 uint8, 7 int32, 8/23 RGB(A), 9 int8, 10 uint16, 11 uint32,
/// 12 float64, 13 complex128, 14 binary. Complex frames hold the modulus; uint32 frames are CV_64F.</para>
/// </remarks>
internal sealed class DmMovie : Movie
{
    private readonly MappedFile _file;
    private readonly DmImage _img;

    private DmMovie(string path, MappedFile file, DmImage img, string format)
        : base(new MovieHeader(path, format, img.Width, img.Height, img.Frames, img.Type.Name, img.Calibration) { Metadata = img.Metadata })
    {
        _file = file;
        _img = img;
    }

    /// <summary>Opens a DM3/DM4 file.</summary>
    /// <exception cref="MovieFormatException">Corrupt tag tree, no image, a 1-D spectrum, or data beyond the end of the file.</exception>
    public static DmMovie Open(string path)
    {
        string format = path.EndsWith(".dm3", StringComparison.OrdinalIgnoreCase) ? "dm3" : "dm4";
        var file = new MappedFile(path);
        try
        {
            var img = DmImage.Locate(file, format);
            return new DmMovie(path, file, img, img.Format);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public override IEnumerable<Frame> ReadFrames()
    {
        StoppedEarly = null;
        for (int k = 0; k < _img.Frames; k++)
        {
            long at = _img.DataOffset + k * _img.FrameBytes;
            if (!_file.Contains(at, _img.FrameBytes))
            {
                StoppedEarly = $"truncated at frame {k} (byte {Math.Min(at, _file.Length)})";
                yield break;
            }
            double? t = _img.Calibration.FrameIntervalS is double dt && _img.Frames > 1 ? k * dt : null;
            yield return new Frame(k, _img.Type.Read(_file, at, Width, Height, !_img.LittleEndian), t);
        }
    }

    public override void Dispose()
    {
        _file.Dispose();
        base.Dispose();
    }
}
