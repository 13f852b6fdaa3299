using OpenCvSharp;

namespace TemAreaTracker.IO;

/// <summary>
/// A folder of PNG/TIFF/JPEG/BMP frames in natural order (frame2 before frame10), or a single image as a one-frame movie.
/// </summary>
/// <remarks>
/// Files are read with <c>ImreadModes.Unchanged</c> so 16-bit and float frames keep their values; colour files become one
/// gray channel (exactly the R channel when R = G = B, as in gray images saved as RGB/RGBA). When the first file is a TIFF,
/// its ImageJ calibration applies to the whole sequence.
/// </remarks>
internal sealed class ImageSequenceMovie : Movie
{
    /// <summary>File extensions read as frames (lower case, with dot).</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { ".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp" };

    private readonly IReadOnlyList<string> _files;

    private ImageSequenceMovie(string path, string format, IReadOnlyList<string> files, int width, int height, string dtype, Calibration cal, IntensityCalibration? intensity)
        : base(new MovieHeader(path, format, width, height, files.Count, dtype, cal)
        {
            Intensity = intensity,
            Metadata = new Dictionary<string, string>
            {
                ["files"] = files.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["first_file"] = System.IO.Path.GetFileName(files[0]),
                ["last_file"] = System.IO.Path.GetFileName(files[^1]),
            },
        })
    {
        _files = files;
    }

    /// <summary>The frame files in reading order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Opens a folder of image files (natural order) as a movie.</summary>
    public static ImageSequenceMovie OpenFolder(string folder)
    {
        var files = Directory.EnumerateFiles(folder)
            .Where(f => Extensions.Contains(System.IO.Path.GetExtension(f)))
            .OrderBy(f => System.IO.Path.GetFileName(f), NaturalOrder.Instance)
            .ToList();
        if (files.Count == 0)
            throw new MovieFormatException(folder, "image-sequence", "no PNG/TIFF/JPEG/BMP frames in this folder");
        return Create(folder, "image-sequence", files);
    }

    /// <summary>Opens a single image file as a one-frame movie.</summary>
    public static ImageSequenceMovie OpenSingle(string file)
    {
        string ext = System.IO.Path.GetExtension(file).TrimStart('.').ToLowerInvariant();
        return Create(file, ext == "jpeg" ? "jpg" : ext, [file]);
    }

    private static ImageSequenceMovie Create(string path, string format, List<string> files)
    {
        if (ImageHeaderGuard.Check(files[0]) is var (problem, offset))
            throw new MovieFormatException(files[0], format, problem, offset);
        using var first = ReadGray(files[0]) ?? throw new MovieFormatException(files[0], format, "cannot decode the first image", 0);
        var cal = Calibration.None;
        IntensityCalibration? intensity = null;
        string ext = System.IO.Path.GetExtension(files[0]);
        if (ext.Equals(".tif", StringComparison.OrdinalIgnoreCase) || ext.Equals(".tiff", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using var t = TiffMovie.Open(files[0]);
                cal = t.Calibration;
                intensity = t.Intensity;
            }
            catch (MovieFormatException)
            {
                // OpenCV could decode it; LibTiff metadata is a bonus only.
            }
        }
        return new ImageSequenceMovie(path, format, files, first.Width, first.Height, PixelType.NameOf(first.Type()), cal, intensity);
    }

    public override IEnumerable<Frame> ReadFrames()
    {
        StoppedEarly = null;
        for (int i = 0; i < _files.Count; i++)
        {
            Mat? m;
            try
            {
                m = ReadGray(_files[i]);
            }
            catch (Exception e) when (e is OpenCVException or IOException or UnauthorizedAccessException)
            {
                m = null;
            }
            if (m is null)
            {
                StoppedEarly = $"stopped at frame {i}: {System.IO.Path.GetFileName(_files[i])} cannot be decoded";
                yield break;
            }
            if (m.Width != Width || m.Height != Height || PixelType.NameOf(m.Type()) != DataType)
            {
                StoppedEarly = $"stopped at frame {i}: {System.IO.Path.GetFileName(_files[i])} is {m.Width}x{m.Height} {PixelType.NameOf(m.Type())}, " +
                               $"unlike the first frame ({Width}x{Height} {DataType})";
                m.Dispose();
                yield break;
            }
            yield return new Frame(i, m);
        }
    }

    /// <summary>Reads an image as stored (any depth) and returns one gray channel, or null when OpenCV cannot decode it.</summary>
    internal static Mat? ReadGray(string file)
    {
        if (ImageHeaderGuard.Check(file) is not null) return null;
        var m = Cv2.ImRead(file, ImreadModes.Unchanged);
        if (m.Empty())
        {
            m.Dispose();
            return null;
        }
        if (m.Channels() == 1) return m;
        var g = GrayImage.ToGray(m);
        m.Dispose();
        return g;
    }
}
