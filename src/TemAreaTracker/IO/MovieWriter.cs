using System.Globalization;
using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;
using OpenCvSharp;

namespace TemAreaTracker.IO;

/// <summary>Container a movie is written to.</summary>
public enum MovieFileFormat
{
    /// <summary>Multi-page TIFF with ImageJ metadata (8/16-bit), Deflate-compressed (lossless).</summary>
    Tiff,
    /// <summary>Motion-JPEG AVI (8-bit, lossy, as many microscope cameras export).</summary>
    AviMjpg,
    /// <summary>FFV1 AVI (8-bit gray, lossless).</summary>
    AviFfv1,
    /// <summary>A folder of PNG files frame_00000.png, … (8/16-bit, lossless).</summary>
    PngSequence,
}

/// <summary>Writes frames one at a time (flat memory); dispose to finish the file.</summary>
public interface IMovieWriter : IDisposable
{
    /// <summary>The file or folder being written.</summary>
    string Path { get; }

    /// <summary>Appends <paramref name="frame"/> (single channel, CV_8U or CV_16U as the writer was opened).</summary>
    void Write(Frame frame);
}

/// <summary>Opens movie writers; see <see cref="MovieFileFormat"/>.</summary>
public static class MovieWriter
{
    /// <summary>File extension (with dot) or "" for a folder, per format.</summary>
    public static string Extension(MovieFileFormat format) => format switch
    {
        MovieFileFormat.Tiff => ".tif",
        MovieFileFormat.AviMjpg or MovieFileFormat.AviFfv1 => ".avi",
        _ => "",
    };

    /// <summary>Opens a writer for <paramref name="format"/>.</summary>
    /// <param name="path">File (TIFF, AVI) or folder (PNG sequence) to create.</param>
    /// <param name="format">Container and codec.</param>
    /// <param name="width">Frame width in px.</param>
    /// <param name="height">Frame height in px.</param>
    /// <param name="bitDepth">8 or 16 (16: TIFF or PNG only).</param>
    /// <param name="frameCount">Frames that will be written (ImageJ's header needs it up front).</param>
    /// <param name="pixelSizeNm">Pixel size recorded in the file where the format can hold it (TIFF), or null.</param>
    /// <param name="frameIntervalS">Frame interval recorded in the file (TIFF finterval, AVI frame rate), or null.</param>
    /// <exception cref="ArgumentException">16-bit into an AVI, or a bit depth other than 8/16.</exception>
    public static IMovieWriter Create(string path, MovieFileFormat format, int width, int height, int bitDepth,
        int frameCount, double? pixelSizeNm, double? frameIntervalS) => format switch
    {
        MovieFileFormat.Tiff => new TiffMovieWriter(path, width, height, bitDepth, frameCount, pixelSizeNm, frameIntervalS),
        MovieFileFormat.AviMjpg or MovieFileFormat.AviFfv1 => new AviMovieWriter(path, width, height, bitDepth, frameIntervalS, format == MovieFileFormat.AviFfv1),
        MovieFileFormat.PngSequence => new PngSequenceWriter(path, width, height, bitDepth),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    internal static void CheckFrame(Frame frame, int width, int height, int bitDepth, string path)
    {
        var want = bitDepth == 16 ? MatType.CV_16UC1 : MatType.CV_8UC1;
        if (frame.Width != width || frame.Height != height || frame.Pixels.Type() != want)
            throw new ArgumentException(
                $"{path}: frame {frame.Index} is {frame.Width}x{frame.Height} {frame.Pixels.Type()}, writer expects {width}x{height} {want}");
    }
}

/// <summary>
/// Multi-page TIFF (BitMiracle.LibTiff.NET) that Fiji opens as a calibrated time series: the first page's
/// ImageDescription carries "ImageJ=…, images=N, frames=N, unit=nm, finterval=S", and X/YResolution hold px per nm.
/// </summary>
internal sealed class TiffMovieWriter : IMovieWriter
{
    private readonly Tiff _tiff;
    private readonly int _width, _height, _bitDepth, _frameCount;
    private readonly double? _pixelSizeNm;
    private readonly string _description;
    private int _written;

    public TiffMovieWriter(string path, int width, int height, int bitDepth, int frameCount, double? pixelSizeNm, double? frameIntervalS)
    {
        if (bitDepth is not (8 or 16)) throw new ArgumentException($"bit depth must be 8 or 16 (got {bitDepth})", nameof(bitDepth));
        Path = path; _width = width; _height = height; _bitDepth = bitDepth; _frameCount = frameCount; _pixelSizeNm = pixelSizeNm;
        _description = ImageJDescription(frameCount, bitDepth, pixelSizeNm, frameIntervalS);
        _tiff = Tiff.Open(path, "w") ?? throw new IOException($"{path}: cannot create TIFF");
    }

    public string Path { get; }

    /// <summary>The ImageJ description block written into the first page.</summary>
    public static string ImageJDescription(int frames, int bitDepth, double? pixelSizeNm, double? frameIntervalS)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder();
        sb.Append("ImageJ=1.54f\n");
        sb.Append(inv, $"images={frames}\n");
        if (frames > 1) sb.Append(inv, $"frames={frames}\n");
        if (pixelSizeNm is not null) sb.Append("unit=nm\n");
        if (frameIntervalS is double fi) sb.Append(inv, $"finterval={fi:R}\n");
        // A time series (1 channel, 1 slice, N frames) opens in Fiji as a hyperstack with a t slider, so ROIs with a
        // hyperstack t position land on their frame.
        if (frames > 1) sb.Append("hyperstack=true\n");
        sb.Append("loop=false\n");
        sb.Append(inv, $"min=0.0\nmax={(bitDepth == 16 ? 65535 : 255)}.0\n");
        return sb.ToString();
    }

    public void Write(Frame frame)
    {
        MovieWriter.CheckFrame(frame, _width, _height, _bitDepth, Path);
        if (_written >= _frameCount) throw new InvalidOperationException($"{Path}: declared {_frameCount} frames; got more");
        _tiff.SetField(TiffTag.SUBFILETYPE, 0);
        _tiff.SetField(TiffTag.IMAGEWIDTH, _width);
        _tiff.SetField(TiffTag.IMAGELENGTH, _height);
        _tiff.SetField(TiffTag.BITSPERSAMPLE, _bitDepth);
        _tiff.SetField(TiffTag.SAMPLESPERPIXEL, 1);
        _tiff.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
        _tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
        _tiff.SetField(TiffTag.COMPRESSION, Compression.ADOBE_DEFLATE);
        _tiff.SetField(TiffTag.ZIPQUALITY, 9);
        _tiff.SetField(TiffTag.ROWSPERSTRIP, _height);
        if (_pixelSizeNm is double p)
        {
            _tiff.SetField(TiffTag.XRESOLUTION, 1.0 / p);
            _tiff.SetField(TiffTag.YRESOLUTION, 1.0 / p);
            _tiff.SetField(TiffTag.RESOLUTIONUNIT, ResUnit.NONE);
        }
        if (_written == 0) _tiff.SetField(TiffTag.IMAGEDESCRIPTION, _description);
        _tiff.SetField(TiffTag.PAGENUMBER, _written, _frameCount);
        int bytesPerRow = _width * _bitDepth / 8;
        var buf = new byte[bytesPerRow * _height];
        var m = frame.Pixels;
        for (int y = 0; y < _height; y++)
            Marshal.Copy(m.Data + y * (int)m.Step(), buf, y * bytesPerRow, bytesPerRow);
        // Native (little-endian) samples; LibTiff marks the file "II".
        if (_tiff.WriteEncodedStrip(0, buf, buf.Length) < 0) throw new IOException($"{Path}: failed writing frame {frame.Index}");
        if (!_tiff.WriteDirectory()) throw new IOException($"{Path}: failed writing frame {frame.Index}");
        _written++;
    }

    public void Dispose()
    {
        _tiff.Close();
        _tiff.Dispose();
    }
}

/// <summary>8-bit gray AVI through OpenCV's FFmpeg backend (MJPG or lossless FFV1); frame rate = 1 / frame interval.</summary>
internal sealed class AviMovieWriter : IMovieWriter
{
    private readonly VideoWriter _writer;
    private readonly int _width, _height;

    public AviMovieWriter(string path, int width, int height, int bitDepth, double? frameIntervalS, bool lossless)
    {
        if (bitDepth != 8) throw new ArgumentException($"{path}: AVI holds 8-bit frames only (got {bitDepth}-bit); write a TIFF or PNG sequence for 16-bit", nameof(bitDepth));
        Path = path; _width = width; _height = height;
        double fps = frameIntervalS is double fi && fi > 0 ? 1.0 / fi : 10;
        _writer = new VideoWriter(path, lossless ? FourCC.FromString("FFV1") : FourCC.MJPG, fps, new Size(width, height), isColor: false);
        if (!_writer.IsOpened()) throw new IOException($"{path}: OpenCV cannot open an AVI writer ({(lossless ? "FFV1" : "MJPG")})");
    }

    public string Path { get; }

    public void Write(Frame frame)
    {
        MovieWriter.CheckFrame(frame, _width, _height, 8, Path);
        _writer.Write(frame.Pixels);
    }

    public void Dispose()
    {
        _writer.Release();
        _writer.Dispose();
    }
}

/// <summary>A folder of PNG frames, frame_00000.png, … (8 or 16-bit, lossless).</summary>
internal sealed class PngSequenceWriter : IMovieWriter
{
    private readonly int _width, _height, _bitDepth;

    public PngSequenceWriter(string folder, int width, int height, int bitDepth)
    {
        if (bitDepth is not (8 or 16)) throw new ArgumentException($"bit depth must be 8 or 16 (got {bitDepth})", nameof(bitDepth));
        Path = folder; _width = width; _height = height; _bitDepth = bitDepth;
        Directory.CreateDirectory(folder);
    }

    public string Path { get; }

    public void Write(Frame frame)
    {
        MovieWriter.CheckFrame(frame, _width, _height, _bitDepth, Path);
        string file = System.IO.Path.Combine(Path, $"frame_{frame.Index:D5}.png");
        if (!Cv2.ImWrite(file, frame.Pixels)) throw new IOException($"{file}: cannot write PNG");
    }

    public void Dispose() { }
}
