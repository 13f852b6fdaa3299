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
public sealed class TiffMovie : Movie
{
    private const string Fmt = "tiff";
    private readonly MappedFile _file;
    private readonly Page _first;
    private readonly int _pageCount;
    private readonly int _channels;
    private readonly bool _contiguousImageJ;
    private readonly Dictionary<string, string> _meta = new();

    private TiffMovie(string path, MappedFile file, Page first, int pageCount, int? declaredFrames, int channels,
        bool contiguousImageJ, Calibration calibration, IntensityCalibration? intensity)
    {
        SourcePath = path;
        _file = file;
        _first = first;
        _pageCount = pageCount;
        _channels = channels;
        _contiguousImageJ = contiguousImageJ;
        FrameCount = declaredFrames;
        Calibration = calibration;
        Intensity = intensity;
    }

    public override string SourcePath { get; }
    public override string Format => Fmt;
    public override int Width => _first.Width;
    public override int Height => _first.Height;
    public override int? FrameCount { get; }
    public override string DataType => _first.Type.Name;
    public override Calibration Calibration { get; }
    public override IntensityCalibration? Intensity { get; }
    public override IReadOnlyDictionary<string, string> Metadata => _meta;

    /// <summary>Opens <paramref name="path"/> as a TIFF stack, reading its first IFD, its ImageJ metadata and counting pages.</summary>
    /// <exception cref="MovieFormatException">Not a TIFF, no readable first page, or a pixel layout we cannot turn into one gray channel.</exception>
    public static TiffMovie Open(string path)
    {
        var file = new MappedFile(path);
        try
        {
            if (file.Length < 8) throw new MovieFormatException(path, Fmt, $"file is {file.Length} bytes, too short for a TIFF header", 0);
            using var tif = OpenTiff(path);
            var first = Page.Read(tif, path, 0);
            string? desc = tif.GetField(TiffTag.IMAGEDESCRIPTION)?[0].ToString();
            var ij = ParseImageJ(desc);

            int channels = Math.Max(1, (int)Math.Clamp(LengthUnits.ParseDouble(ij.GetValueOrDefault("channels")) ?? 1, 1, 1 << 16));
            int? images = ij.TryGetValue("images", out var im) && LengthUnits.ParseDouble(im) is double n && n >= 1 && n < int.MaxValue ? (int)n : null;

            // Page count: ImageJ's "images" when the IFD chain goes on (no need to visit thousands of IFDs spread over
            // a multi-GB file; a short chain shows up as StoppedEarly while streaming), else walk the chain (LibTiff
            // guards against loops; a broken chain ends the count).
            int pages = 1;
            if (images is int declaredImages && !tif.LastDirectory())
                pages = declaredImages;
            else
                while (pages < int.MaxValue && SafeReadDirectory(tif)) pages++;
            bool contiguous = false;
            if (images is int total && total > pages && pages == 1 && first.IsRawStrips && first.StripsContiguous)
                contiguous = true; // ImageJ > 4 GB layout: one IFD, frames back to back.
            int stored = contiguous ? images!.Value : pages;
            // PageNumber (page, total) on the first page is another declared count (camera stacks, tifffile, LibTiff users).
            int pageTotal = 0;
            if (tif.SetDirectory(0) && tif.GetField(TiffTag.PAGENUMBER) is { Length: >= 2 } pn && pn[1].ToInt() is int pnTotal and > 0 and < int.MaxValue)
                pageTotal = pnTotal;
            int declared = Math.Max(Math.Max(images ?? 0, pageTotal), pages) / channels;

            var (cal, intensity) = Calibrate(tif, first, ij);
            var movie = new TiffMovie(path, file, first, stored, declared, channels, contiguous, cal, intensity);
            movie.FillMetadata(tif, ij, pages, first);
            return movie;
        }
        catch (MovieFormatException)
        {
            file.Dispose();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            file.Dispose();
            throw new MovieFormatException(path, Fmt, $"cannot read TIFF structure: {e.Message}", null, e);
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

        using var tif = OpenTiff(SourcePath);
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
                    var p = page == 0 ? _first : Page.Read(tif, SourcePath, page);
                    if (p.Width != Width || p.Height != Height || p.Type != _first.Type)
                    {
                        problem = $"page {page} is {p.Width}x{p.Height} {p.Type.Name}, unlike page 0 ({Width}x{Height} {DataType})";
                    }
                    else
                    {
                        (mat, problem, at) = p.ReadPixels(tif, _file);
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
            if (!SafeReadDirectory(tif))
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

    // ---------------------------------------------------------------- internals

    internal static Tiff OpenTiff(string path)
    {
        TiffErrors.Install();
        TiffErrors.Clear();
        Tiff? t;
        try
        {
            t = Tiff.Open(path, "r");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new MovieFormatException(path, Fmt, $"not a readable TIFF: {e.Message}", 0, e);
        }
        return t ?? throw new MovieFormatException(path, Fmt, $"not a readable TIFF: {TiffErrors.Last ?? "bad header"}", 0);
    }

    private static bool SafeReadDirectory(Tiff tif)
    {
        try
        {
            return tif.ReadDirectory();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> ParseImageJ(string? desc)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (desc is null || !desc.StartsWith("ImageJ=", StringComparison.Ordinal)) return d;
        foreach (var line in desc.Split('\n'))
        {
            int eq = line.IndexOf('=');
            if (eq > 0) d[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return d;
    }

    private static (Calibration, IntensityCalibration?) Calibrate(Tiff tif, Page first, Dictionary<string, string> ij)
    {
        double? xres = tif.GetField(TiffTag.XRESOLUTION)?[0].ToDouble();
        double? yres = tif.GetField(TiffTag.YRESOLUTION)?[0].ToDouble();
        int resUnit = tif.GetField(TiffTag.RESOLUTIONUNIT)?[0].ToInt() ?? 2;
        double? nmPerUnit = null;
        string source = "none";
        if (ij.TryGetValue("unit", out var unit))
        {
            nmPerUnit = LengthUnits.NmPerUnit(unit);
            source = "imagej-tiff";
        }
        else if (resUnit == 3)
        {
            nmPerUnit = 1e7;
            source = "tiff-resolution";
        }
        double? pw = nmPerUnit is double u && xres is double xr && xr > 0 && double.IsFinite(xr) ? u / xr : null;
        double? ph = nmPerUnit is double u2 && yres is double yr && yr > 0 && double.IsFinite(yr) ? u2 / yr : pw;
        if (source == "tiff-resolution" && pw is > 1e4) pw = ph = null; // a print resolution, not a microscope pixel
        var cal = pw is double w && w > 0 && ph is double h && h > 0
            ? new Calibration { PixelWidthNm = w, PixelHeightNm = h, PixelSizeSource = source }
            : Calibration.None;
        if (cal.PixelWidthNm is null && FeiMetadata(tif) is { } fei)
        {
            // Thermo Fisher/FEI microscopes write an INI block in private tag 34682 (or 34680): [Scan] PixelWidth in m.
            if (LengthUnits.ParseDouble(fei.GetValueOrDefault("Scan.PixelWidth")) is double fw && fw > 0 && fw < 1)
            {
                double fh = LengthUnits.ParseDouble(fei.GetValueOrDefault("Scan.PixelHeight")) is double v && v > 0 && v < 1 ? v : fw;
                cal = new Calibration { PixelWidthNm = fw * 1e9, PixelHeightNm = fh * 1e9, PixelSizeSource = "fei-tiff" };
            }
            if (LengthUnits.ParseDouble(fei.GetValueOrDefault("Scan.FrameTime")) is double ft && ft > 0)
                cal = cal with { FrameIntervalS = ft, FrameIntervalSource = "fei-tiff" };
        }

        double? secPerT = LengthUnits.SecondsPerUnit(ij.GetValueOrDefault("tunit") ?? "s");
        if (ij.TryGetValue("finterval", out var fi) && LengthUnits.ParseDouble(fi) is double interval && interval > 0 && secPerT is double spt)
            cal = cal with { FrameIntervalS = interval * spt, FrameIntervalSource = "imagej-finterval" };
        else if (ij.TryGetValue("fps", out var fps) && LengthUnits.ParseDouble(fps) is double f && f > 0)
            cal = cal with { FrameIntervalS = 1 / f, FrameIntervalSource = "imagej-fps" };

        IntensityCalibration? intensity = null;
        double c0 = LengthUnits.ParseDouble(ij.GetValueOrDefault("c0")) ?? 0, c1 = LengthUnits.ParseDouble(ij.GetValueOrDefault("c1")) ?? 1;
        if (ij.ContainsKey("c0") || ij.ContainsKey("c1"))
            intensity = new IntensityCalibration(c0, c1, ij.GetValueOrDefault("vunit"));
        return (cal, intensity);
    }

    /// <summary>The FEI/Thermo INI block ("[Section]" then "Key=Value" lines) as "Section.Key" → value, or null.</summary>
    internal static Dictionary<string, string>? FeiMetadata(Tiff tif)
    {
        foreach (int tag in new[] { 34682, 34680 })
        {
            var v = tif.GetField((TiffTag)tag);
            if (v is null || v.Length == 0 || v[^1].Value is not byte[] bytes || bytes.Length > 1 << 20) continue;
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            string section = "";
            foreach (var raw in System.Text.Encoding.Latin1.GetString(bytes).Split('\n'))
            {
                string line = raw.Trim().Trim('\0');
                if (line.StartsWith('[') && line.EndsWith(']')) section = line[1..^1];
                else if (line.IndexOf('=') is int eq && eq > 0) d[$"{section}.{line[..eq].Trim()}"] = line[(eq + 1)..].Trim();
            }
            if (d.Count > 0) return d;
        }
        return null;
    }

    private void FillMetadata(Tiff tif, Dictionary<string, string> ij, int pages, Page first)
    {
        foreach (var (k, v) in ij)
            if (v.Length < 200) _meta["imagej." + k] = v;
        _meta["tiff.pages"] = pages.ToString(CultureInfo.InvariantCulture);
        _meta["tiff.byte_order"] = first.BigEndian ? "big-endian (MM)" : "little-endian (II)";
        _meta["tiff.compression"] = ((Compression)first.Compression).ToString().ToLowerInvariant();
        if (_contiguousImageJ) _meta["tiff.layout"] = "imagej-contiguous";
        if (_channels > 1) _meta["tiff.channels_note"] = $"{_channels} channels: frames are channel 1 only";
        tif.SetDirectory(0);
        foreach (var (tag, name) in new[] { (TiffTag.SOFTWARE, "tiff.software"), (TiffTag.DATETIME, "tiff.datetime"), (TiffTag.MAKE, "tiff.make"), (TiffTag.MODEL, "tiff.model") })
            if (tif.GetField(tag)?[0].ToString() is { Length: > 0 and < 200 } s)
                _meta[name] = s.Trim('\0', ' ');
        if (ij.Count == 0 && tif.GetField(TiffTag.IMAGEDESCRIPTION)?[0].ToString() is { Length: > 0 } d)
            _meta["tiff.description"] = d.Length > 200 ? d[..200] + "…" : d;
        if (FeiMetadata(tif) is { } fei)
            foreach (var key in new[] { "System.SystemType", "Beam.HV", "Scan.PixelWidth", "Scan.FrameTime", "Scan.Dwelltime", "User.Date", "User.Time" })
                if (fei.TryGetValue(key, out var fv)) _meta["fei." + key] = fv;
        if (Intensity is { } ic)
            _meta["value_calibration"] = string.Create(CultureInfo.InvariantCulture, $"value = {ic.Offset} + {ic.Scale}·raw{(ic.Unit is null ? "" : $" ({ic.Unit})")}");
    }

    /// <summary>Layout of one IFD.</summary>
    private sealed record Page(int Width, int Height, PixelType Type, int SamplesPerPixel, int Compression, bool Tiled,
        bool Planar, int RowsPerStrip, long[] StripOffsets, long[] StripByteCounts, bool BigEndian)
    {
        public long FrameBytes => (long)Width * Height * Type.Bytes;

        public bool IsRawStrips => Compression == (int)BitMiracle.LibTiff.Classic.Compression.NONE && !Tiled && SamplesPerPixel == 1
            && StripOffsets.Length > 0;

        public bool StripsContiguous
        {
            get
            {
                long rowBytes = (long)Width * Type.Bytes;
                for (int s = 1; s < StripOffsets.Length; s++)
                    if (StripOffsets[s] != StripOffsets[0] + s * (long)RowsPerStrip * rowBytes) return false;
                return true;
            }
        }

        public static Page Read(Tiff t, string path, int page)
        {
            int w = t.GetField(TiffTag.IMAGEWIDTH)?[0].ToInt() ?? 0;
            int h = t.GetField(TiffTag.IMAGELENGTH)?[0].ToInt() ?? 0;
            int bps = t.GetField(TiffTag.BITSPERSAMPLE)?[0].ToInt() ?? 1;
            int spp = t.GetField(TiffTag.SAMPLESPERPIXEL)?[0].ToInt() ?? 1;
            int fmt = t.GetField(TiffTag.SAMPLEFORMAT)?[0].ToInt() ?? 1;
            int comp = t.GetField(TiffTag.COMPRESSION)?[0].ToInt() ?? 1;
            int planar = t.GetField(TiffTag.PLANARCONFIG)?[0].ToInt() ?? 1;
            bool tiled = t.IsTiled();
            if (w <= 0 || h <= 0 || (long)w * h > (1L << 31))
                throw new MovieFormatException(path, Fmt, $"page {page}: implausible size {w}x{h} px");
            if (bps % 8 != 0)
                throw new MovieFormatException(path, Fmt, $"page {page}: {bps}-bit samples are not supported (8, 16, 32 or 64)");
            if (spp is < 1 or > 4)
                throw new MovieFormatException(path, Fmt, $"page {page}: {spp} samples per pixel (1 gray, 3 RGB or 4 RGBA expected)");
            if (spp > 1 && bps != 8)
                throw new MovieFormatException(path, Fmt, $"page {page}: {spp}-sample pixels must be 8-bit, got {bps}-bit");
            var type = PixelType.FromFormat(fmt == 3, fmt == 2, bps / 8)
                ?? throw new MovieFormatException(path, Fmt, $"page {page}: unsupported sample format {fmt} with {bps} bits");
            int rps = t.GetField(TiffTag.ROWSPERSTRIP)?[0].ToInt() ?? h;
            if (rps <= 0 || rps > h) rps = h;
            long[] offsets = [], counts = [];
            if (!tiled)
            {
                offsets = ToLongs(t.GetField(TiffTag.STRIPOFFSETS));
                counts = ToLongs(t.GetField(TiffTag.STRIPBYTECOUNTS));
            }
            return new Page(w, h, type, spp, comp, tiled, planar == 2, rps, offsets, counts, t.IsBigEndian());
        }

        private static long[] ToLongs(FieldValue[]? v)
        {
            if (v is null || v.Length == 0) return [];
            try { return v[0].TolongArray() ?? []; }
            catch (Exception e) when (e is not OutOfMemoryException) { return []; }
        }

        /// <summary>Pixels of this page as one gray channel, or (null, problem, byte) when the data is cut short.</summary>
        public (Mat?, string?, long?) ReadPixels(Tiff t, MappedFile file)
        {
            if (IsRawStrips) return ReadRawStrips(file);
            return ReadViaLibTiff(t, file);
        }

        private (Mat?, string?, long?) ReadRawStrips(MappedFile file)
        {
            long rowBytes = (long)Width * Type.Bytes;
            int strips = (Height + RowsPerStrip - 1) / RowsPerStrip;
            if (StripOffsets.Length < strips) return (null, $"{StripOffsets.Length} strip offsets for {strips} strips", null);
            // Check every strip lies in the file before allocating: a lying header must not cost a huge frame buffer.
            for (int s = 0; s < strips; s++)
            {
                long need = Math.Min(RowsPerStrip, Height - s * RowsPerStrip) * rowBytes;
                if (!file.Contains(StripOffsets[s], need))
                    return (null, $"strip {s} of {need} bytes runs past the end of the file", Math.Clamp(StripOffsets[s], 0, file.Length));
            }
            var mat = new Mat(Height, Width, Type.MatType);
            var dst = mat.AsSpan<byte>();
            bool isDirect = Type.Kind == PixelKind.Direct;
            byte[]? tmp = isDirect ? null : new byte[FrameBytes];
            Span<byte> target = isDirect ? dst : tmp;
            for (int s = 0; s < strips; s++)
            {
                int rows = Math.Min(RowsPerStrip, Height - s * RowsPerStrip);
                long need = rows * rowBytes, at = StripOffsets[s];
                if (!file.Contains(at, need))
                {
                    mat.Dispose();
                    return (null, $"strip {s} of {need} bytes runs past the end of the file", Math.Clamp(at, 0, file.Length));
                }
                file.Read(at, target.Slice((int)(s * RowsPerStrip * rowBytes), (int)need));
            }
            if (isDirect)
            {
                if (BigEndian == BitConverter.IsLittleEndian && Type.Bytes > 1) PixelType.SwapInPlace(dst, Type.Bytes);
            }
            else
            {
                Type.DecodeInto(tmp, mat, BigEndian);
            }
            return (mat, null, null);
        }

        private (Mat?, string?, long?) ReadViaLibTiff(Tiff t, MappedFile file)
        {
            if (Type.Kind != PixelKind.Direct) return (null, $"compressed/tiled {Type.Name} pages are not supported", null);
            if (Planar && SamplesPerPixel > 1) return (null, "planar RGB pages are not supported", null);
            int spp = SamplesPerPixel;
            // Compressed data cannot expand beyond ~1000:1 (deflate's limit): a bigger page is a lying header.
            if (FrameBytes * spp > Math.Max(1L << 24, 1100L * file.Length))
                return (null, $"page of {Width}x{Height} px is implausibly large for a {file.Length}-byte file", null);
            var full = new Mat(Height, Width, MatType.MakeType(Type.MatType.Depth, spp));
            var dst = full.AsSpan<byte>();
            long rowBytes = (long)Width * Type.Bytes * spp;
            try
            {
                if (!Tiled)
                {
                    int size = t.StripSize();
                    var buf = new byte[size];
                    int strips = t.NumberOfStrips();
                    for (int s = 0; s < strips; s++)
                    {
                        int n = t.ReadEncodedStrip(s, buf, 0, -1);
                        if (n < 0)
                        {
                            full.Dispose();
                            return (null, $"strip {s} cannot be decoded: {TiffErrors.Last}", StripOffsets.Length > s ? StripOffsets[s] : null);
                        }
                        long start = s * (long)RowsPerStrip * rowBytes;
                        int copy = (int)Math.Min(n, dst.Length - start);
                        if (copy > 0) buf.AsSpan(0, copy).CopyTo(dst.Slice((int)start));
                    }
                }
                else
                {
                    int tw = t.GetField(TiffTag.TILEWIDTH)?[0].ToInt() ?? 0, th = t.GetField(TiffTag.TILELENGTH)?[0].ToInt() ?? 0;
                    if (tw <= 0 || th <= 0) { full.Dispose(); return (null, "tiled page without tile size", null); }
                    var buf = new byte[t.TileSize()];
                    int px = Type.Bytes * spp;
                    for (int y = 0; y < Height; y += th)
                    for (int x = 0; x < Width; x += tw)
                    {
                        int n = t.ReadTile(buf, 0, x, y, 0, 0);
                        if (n < 0) { full.Dispose(); return (null, $"tile at ({x},{y}) cannot be decoded: {TiffErrors.Last}", null); }
                        int cols = Math.Min(tw, Width - x);
                        for (int r = 0; r < th && y + r < Height; r++)
                            buf.AsSpan(r * tw * px, cols * px).CopyTo(dst.Slice((int)((y + r) * rowBytes + (long)x * px)));
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                full.Dispose();
                return (null, $"cannot decode page: {e.Message}", null);
            }
            // LibTiff already returns decoded samples in machine byte order.
            if (spp == 1) return (full, null, null);
            var gray = ImageSequenceMovie.ToGray(full);
            full.Dispose();
            return (gray, null, null);
        }
    }
}

/// <summary>Routes LibTiff's console messages into a per-thread "last error" so a bad file gives one clean line.</summary>
internal sealed class TiffErrors : TiffErrorHandler
{
    [ThreadStatic] private static string? _last;
    private static int _installed;

    public static string? Last => _last;

    public static void Clear() => _last = null;

    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0) Tiff.SetErrorHandler(new TiffErrors());
    }

    public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) => _last = Format(method, format, args);
    public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) => _last = Format(method, format, args);
    public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }
    public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }

    private static string Format(string method, string format, object[] args)
    {
        try { return string.Format(CultureInfo.InvariantCulture, format, args); }
        catch (FormatException) { return format; }
    }
}
