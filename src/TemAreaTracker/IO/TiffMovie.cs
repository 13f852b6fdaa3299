using System.Globalization;
using BitMiracle.LibTiff.Classic;
using OpenCvSharp;

namespace TemAreaTracker.IO;

/// <summary>
/// Multi-page TIFF (8/16/32-bit integer, 32/64-bit float; camera stacks, ImageJ hyperstacks) read page by page.
/// </summary>
/// <remarks>
/// <para>Calibration follows ImageJ: the ImageDescription "ImageJ=…" block gives <c>unit</c> (nm, micron/µm, A/Å, mm),
/// <c>finterval</c> (with <c>tunit</c>), <c>images</c>/<c>frames</c>/<c>slices</c>/<c>channels</c> and the value map
/// <c>c0</c>/<c>c1</c>; X/YResolution give px per unit, so pixel size = unit / resolution
/// (source "imagej-tiff"). Without an ImageJ unit a centimetre ResolutionUnit is used only when it gives a microscope-scale
/// pixel (&lt; 10 µm, source "tiff-resolution"): 72 dpi from a print driver is not a pixel size. Thermo Fisher/FEI TIFFs
/// give it in their private INI tag 34682 ([Scan] PixelWidth in m, source "fei-tiff").</para>
/// <para>Uncompressed strips are copied straight from a memory map (flat memory for multi-GB stacks); compressed or tiled pages
/// go through LibTiff. ImageJ stacks over 4 GB keep a single IFD with the frames stored back to back after it; those are read
/// by offset.</para>
/// </remarks>
internal sealed class TiffMovie : Movie
{
    private readonly MappedFile _file;
    private readonly TiffPage _first;
    private readonly int _pageCount;
    private readonly int _channels;
    private readonly bool _contiguousImageJ;

    private TiffMovie(string path, MappedFile file, TiffPage first, int pageCount, int? declaredFrames, int channels,
        bool contiguousImageJ, Calibration calibration, IntensityCalibration? intensity, IReadOnlyDictionary<string, string> meta)
        : base(new MovieHeader(path, TiffFile.Format, first.Width, first.Height, declaredFrames, first.Type.Name, calibration)
        {
            Intensity = intensity,
            Metadata = meta,
        })
    {
        _file = file;
        _first = first;
        _pageCount = pageCount;
        _channels = channels;
        _contiguousImageJ = contiguousImageJ;
    }

    /// <summary>Opens <paramref name="path"/> as a TIFF stack, reading its first IFD, its ImageJ metadata and counting pages.</summary>
    /// <exception cref="MovieFormatException">Not a TIFF, no readable first page, or a pixel layout we cannot turn into one gray channel.</exception>
    public static TiffMovie Open(string path)
    {
        var file = new MappedFile(path);
        try
        {
            if (file.Length < 8) throw new MovieFormatException(path, TiffFile.Format, $"file is {file.Length} bytes, too short for a TIFF header", 0);
            using var tif = TiffFile.Open(path);
            var first = TiffPage.Read(tif, path, 0);
            string? desc = tif.GetField(TiffTag.IMAGEDESCRIPTION)?[0].ToString();
            var ij = TiffCalibration.ParseImageJ(desc);

            int channels = Math.Max(1, (int)Math.Clamp(LengthUnits.ParseDouble(ij.GetValueOrDefault("channels")) ?? 1, 1, 1 << 16));
            int? images = ij.TryGetValue("images", out var im) && LengthUnits.ParseDouble(im) is double n && n >= 1 && n < int.MaxValue ? (int)n : null;

            // Page count: ImageJ's "images" when the IFD chain goes on (no need to visit thousands of IFDs spread over
            // a multi-GB file; a short chain shows up as StoppedEarly while streaming), else walk the chain (LibTiff
            // guards against loops; a broken chain ends the count).
            int pages = 1;
            if (images is int declaredImages && !tif.LastDirectory())
                pages = declaredImages;
            else
                while (pages < int.MaxValue && TiffFile.ReadNextDirectory(tif)) pages++;
            bool contiguous = false;
            if (images is int total && total > pages && pages == 1 && first.IsRawStrips && first.StripsContiguous)
                contiguous = true; // ImageJ > 4 GB layout: one IFD, frames back to back.
            int stored = contiguous ? images!.Value : pages;
            // PageNumber (page, total) on the first page is another declared count (camera stacks, tifffile, LibTiff users).
            int pageTotal = 0;
            if (tif.SetDirectory(0) && tif.GetField(TiffTag.PAGENUMBER) is { Length: >= 2 } pn && pn[1].ToInt() is int pnTotal and > 0 and < int.MaxValue)
                pageTotal = pnTotal;
            int declared = Math.Max(Math.Max(images ?? 0, pageTotal), pages) / channels;

            var (cal, intensity) = TiffCalibration.Read(tif, ij);
            var meta = Describe(tif, ij, pages, first, contiguous, channels, intensity);
            return new TiffMovie(path, file, first, stored, declared, channels, contiguous, cal, intensity, meta);
        }
        catch (MovieFormatException)
        {
            file.Dispose();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            file.Dispose();
            throw new MovieFormatException(path, TiffFile.Format, $"cannot read TIFF structure: {e.Message}", null, e);
        }
    }

    public override IEnumerable<Frame> ReadFrames()
    {
        StoppedEarly = null;
        if (_contiguousImageJ)
        {
            long frameBytes = _first.FrameBytes;
            for (int k = 0, index = 0; k < _pageCount; k++)
            {
                if (k % _channels != 0) continue;
                long offset = _first.StripOffsets[0] + k * frameBytes;
                if (!_file.Contains(offset, frameBytes))
                {
                    StoppedEarly = $"truncated at frame {index} (byte {Math.Min(offset, _file.Length)})";
                    yield break;
                }
                yield return new Frame(index++, _first.Type.Read(_file, offset, Width, Height, _first.BigEndian));
            }
            yield break;
        }

        using var tif = TiffFile.Open(SourcePath);
        int page = 0, frameIndex = 0;
        while (true)
        {
            if (page % _channels == 0)
            {
                Mat? mat = null;
                string? problem = null;
                long? at = null;
                try
                {
                    var p = page == 0 ? _first : TiffPage.Read(tif, SourcePath, page);
                    if (p.Width != Width || p.Height != Height || p.Type != _first.Type)
                    {
                        problem = $"page {page} is {p.Width}x{p.Height} {p.Type.Name}, unlike page 0 ({Width}x{Height} {DataType})";
                    }
                    else
                    {
                        (mat, problem, at) = TiffPixels.Read(p, tif, _file);
                    }
                }
                catch (MovieFormatException e)
                {
                    problem = e.Problem;
                    at = e.ByteOffset;
                }
                if (mat is null)
                {
                    StoppedEarly = at is long b ? $"truncated at frame {frameIndex} (byte {b}): {problem}" : $"stopped at frame {frameIndex}: {problem}";
                    yield break;
                }
                yield return new Frame(frameIndex++, mat);
            }
            page++;
            // LastDirectory: the current IFD's "next" offset is 0. If it is not, yet the next IFD cannot be read, the
            // chain points past the end of a cut file even when no frame count was declared.
            bool wasLast = tif.LastDirectory();
            if (!TiffFile.ReadNextDirectory(tif))
            {
                if (FrameCount is int declared && frameIndex < declared)
                    StoppedEarly = $"truncated at frame {frameIndex}: the file declares {declared} frames but its page chain ends after {page}";
                else if (!wasLast)
                    StoppedEarly = $"truncated at frame {frameIndex}: page {page} lies beyond the end of the file ({_file.Length} bytes)";
                yield break;
            }
        }
    }

    public override void Dispose()
    {
        _file.Dispose();
        base.Dispose();
    }

    /// <summary>The tags worth showing a user: ImageJ keys, layout, TIFF software/date/camera, FEI settings, value map.</summary>
    private static Dictionary<string, string> Describe(Tiff tif, Dictionary<string, string> ij, int pages, TiffPage first,
        bool contiguousImageJ, int channels, IntensityCalibration? intensity)
    {
        var meta = new Dictionary<string, string>();
        foreach (var (k, v) in ij)
            if (v.Length < 200) meta["imagej." + k] = v;
        meta["tiff.pages"] = pages.ToString(CultureInfo.InvariantCulture);
        meta["tiff.byte_order"] = first.BigEndian ? "big-endian (MM)" : "little-endian (II)";
        meta["tiff.compression"] = ((Compression)first.Compression).ToString().ToLowerInvariant();
        if (contiguousImageJ) meta["tiff.layout"] = "imagej-contiguous";
        if (channels > 1) meta["tiff.channels_note"] = $"{channels} channels: frames are channel 1 only";
        tif.SetDirectory(0);
        foreach (var (tag, name) in new[] { (TiffTag.SOFTWARE, "tiff.software"), (TiffTag.DATETIME, "tiff.datetime"), (TiffTag.MAKE, "tiff.make"), (TiffTag.MODEL, "tiff.model") })
            if (tif.GetField(tag)?[0].ToString() is { Length: > 0 and < 200 } s)
                meta[name] = s.Trim('\0', ' ');
        if (ij.Count == 0 && tif.GetField(TiffTag.IMAGEDESCRIPTION)?[0].ToString() is { Length: > 0 } d)
            meta["tiff.description"] = d.Length > 200 ? d[..200] + "…" : d;
        if (TiffCalibration.FeiMetadata(tif) is { } fei)
            foreach (var key in new[] { "System.SystemType", "Beam.HV", "Scan.PixelWidth", "Scan.FrameTime", "Scan.Dwelltime", "User.Date", "User.Time" })
                if (fei.TryGetValue(key, out var fv)) meta["fei." + key] = fv;
        if (intensity is { } ic)
            meta["value_calibration"] = string.Create(CultureInfo.InvariantCulture, $"value = {ic.Offset} + {ic.Scale}·raw{(ic.Unit is null ? "" : $" ({ic.Unit})")}");
        return meta;
    }
}
