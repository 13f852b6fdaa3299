using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Xml.Linq;
using OpenCvSharp;

namespace TemAreaTracker.IO;

/// <summary>FEI/Thermo TIA series (.ser) of 2-D images, with its .emi metadata when it sits beside it.</summary>
/// <remarks>
/// <para>Layout (C. Boothroyd, "TIA file format", er-c.org/cbb/info/TIAformat; also ncempy io/ser.py), all little-endian:
/// ByteOrder 0x4949, SeriesID 0x0197, SeriesVersion (0x0210: 32-bit offsets, 0x0220: 64-bit), DataTypeID (0x4122 images,
/// 0x4120 spectra), TagTypeID (0x4152 time, 0x4142 time + position), TotalNumberElements, ValidNumberElements,
/// OffsetArrayOffset, NumberDimensions and the series dimensions (size, calibration offset/delta/element, description,
/// units). The offset array lists each element's data offset, then each element's tag offset. An image element is
/// CalibrationOffsetX/DeltaX (f64), CalibrationElementX (i32), the same for Y, DataType (i16: 1 u8, 2 u16, 3 u32, 4 i8,
/// 5 i16, 6 i32, 7 f32, 8 f64, 9 c64, 10 c128), ArraySizeX, ArraySizeY (i32), then the pixels, bottom row first.
/// A tag is TagTypeID (i32), Time (i32, s since 1970) [, PositionX, PositionY (f64)].</para>
/// <para>Pixel size = CalibrationDeltaX/Y in m → nm (source "ser-calibration"); per-frame times from the tags (1 s resolution),
/// frame interval from a series dimension in s when present, else from the tag times (source "ser-timestamps").</para>
/// </remarks>
internal sealed class SerMovie : Movie
{
    private const string Fmt = "ser";
    private const int ElementHeaderBytes = 50;
    private readonly MappedFile _file;
    private readonly long[] _dataOffsets;
    private readonly double?[] _times;
    private readonly PixelType _type;
    private readonly int _dmType;

    private SerMovie(string path, MappedFile file, long[] offsets, double?[] times, PixelType type, int serType, int w, int h, Calibration cal,
        IReadOnlyDictionary<string, string> meta)
        : base(new MovieHeader(path, Fmt, w, h, offsets.Length, type.Name, cal) { Metadata = meta })
    {
        _file = file;
        _dataOffsets = offsets;
        _times = times;
        _type = type;
        _dmType = serType;
    }

    private static PixelType? TypeOf(int t) => t switch
    {
        1 => PixelType.UInt8,
        2 => PixelType.UInt16,
        3 => PixelType.UInt32,
        4 => PixelType.Int8,
        5 => PixelType.Int16,
        6 => PixelType.Int32,
        7 => PixelType.Float32,
        8 => PixelType.Float64,
        9 => PixelType.Complex64,
        10 => PixelType.Complex128,
        _ => null,
    };

    /// <summary>Opens a .ser image series (and reads the .emi beside it when present).</summary>
    /// <exception cref="MovieFormatException">Bad header, a spectrum series, or offsets/sizes that do not fit in the file.</exception>
    public static SerMovie Open(string path)
    {
        var file = new MappedFile(path);
        try
        {
            return Parse(path, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static SerMovie Parse(string path, MappedFile file)
    {
        MovieFormatException Fail(string problem, long at) => new(path, Fmt, problem, Math.Clamp(at, 0, file.Length));
        long pos = 0;
        ReadOnlySpan<byte> Take(int n)
        {
            if (!file.Contains(pos, n)) throw Fail($"header runs past the end of the file ({file.Length} bytes)", pos);
            var b = file.ReadBytes(pos, n);
            pos += n;
            return b;
        }
        int I16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));
        int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        double F64() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        if (I16() != 0x4949) throw Fail("byte order mark is not 0x4949", 0);
        if (I16() != 0x0197) throw Fail("series ID is not 0x0197: not a TIA series file", 2);
        int version = I16();
        if (version is not (0x0210 or 0x0220)) throw Fail($"series version 0x{version:X4} (0x0210 or 0x0220 expected)", 4);
        int dataTypeId = I32();
        if (dataTypeId == 0x4120) throw Fail("a series of 1-D spectra, not images", 6);
        if (dataTypeId != 0x4122) throw Fail($"data type ID 0x{dataTypeId:X4} (0x4122 images expected)", 6);
        int tagTypeId = I32();
        int total = I32(), valid = I32();
        bool wide = version == 0x0220;
        long offsetArray = wide ? BinaryPrimitives.ReadInt64LittleEndian(Take(8)) : (uint)I32();
        int nDims = I32();
        int offBytes = wide ? 8 : 4;
        if (valid <= 0) throw Fail($"{valid} valid elements: no frame", 18);
        if (total < valid || valid > file.Length / (2L * offBytes)) throw Fail($"{valid} valid of {total} elements cannot fit in the file", 14);
        if (nDims is < 0 or > 16) throw Fail($"{nDims} series dimensions", pos - 4);

        var meta = new Dictionary<string, string>
        {
            ["ser.version"] = $"0x{version:X4}",
            ["ser.elements"] = $"{valid} valid of {total}",
            ["ser.tag_type"] = tagTypeId == 0x4142 ? "time and position" : tagTypeId == 0x4152 ? "time" : $"0x{tagTypeId:X4}",
        };
        double? dimIntervalS = null;
        for (int d = 0; d < nDims; d++)
        {
            int size = I32();
            double offset = F64(), delta = F64();
            _ = I32(); // calibration element
            int dl = I32();
            if (dl < 0 || dl > 4096) throw Fail($"dimension {d} description of {dl} bytes", pos - 4);
            string desc = Encoding.Latin1.GetString(Take(dl));
            int ul = I32();
            if (ul < 0 || ul > 4096) throw Fail($"dimension {d} units of {ul} bytes", pos - 4);
            string units = Encoding.Latin1.GetString(Take(ul));
            meta[$"ser.dim{d}"] = string.Create(CultureInfo.InvariantCulture, $"{size} x {delta:G6} {units} ({desc})");
            if (LengthUnits.SecondsPerUnit(units) is double k && units.Length > 0 && delta > 0) dimIntervalS = delta * k;
            _ = offset;
        }

        if (offsetArray < 0 || !file.Contains(offsetArray, 2L * valid * offBytes))
            throw Fail($"offset array of {valid} elements at byte {offsetArray} runs past the end of the file", offsetArray);
        var raw = file.ReadBytes(offsetArray, checked(2 * valid * offBytes));
        long Off(int i) => wide ? BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(i * 8)) : BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(i * 4));
        // Tag offsets follow the data offsets; TIA sizes both arrays by TotalNumberElements.
        int tagBase = total <= file.Length / (2L * offBytes) && file.Contains(offsetArray, 2L * total * offBytes) ? total : valid;
        if (tagBase != valid) raw = file.ReadBytes(offsetArray, checked(2 * total * offBytes));
        var offsets = new long[valid];
        for (int i = 0; i < valid; i++) offsets[i] = Off(i);

        // First element fixes size, type and calibration.
        long e0 = offsets[0];
        if (!file.Contains(e0, ElementHeaderBytes)) throw Fail("first image header lies beyond the end of the file", e0);
        var (dx, dy, serType, w, h) = ElementHeader(file.ReadBytes(e0, ElementHeaderBytes));
        var type = TypeOf(serType) ?? throw Fail($"unknown pixel data type {serType}", e0 + 40);
        if (w <= 0 || h <= 0 || (long)w * h * type.Bytes > file.Length) throw Fail($"image of {w}x{h} px {type.Name} cannot fit in the file", e0 + 42);

        var cal = Calibration.None;
        if (dx > 0 && dy > 0 && double.IsFinite(dx) && double.IsFinite(dy))
            cal = new Calibration { PixelWidthNm = dx * 1e9, PixelHeightNm = dy * 1e9, PixelSizeSource = "ser-calibration" };

        var times = new double?[valid];
        double? t0 = null;
        for (int i = 0; i < valid; i++)
        {
            long to = Off(tagBase + i);
            if (!file.Contains(to, 8)) continue;
            var tag = file.ReadBytes(to, 8);
            if (BinaryPrimitives.ReadInt32LittleEndian(tag) != tagTypeId) continue;
            double t = BinaryPrimitives.ReadInt32LittleEndian(tag.AsSpan(4));
            t0 ??= t;
            times[i] = t - t0;
        }
        if (dimIntervalS is double di)
            cal = cal with { FrameIntervalS = di, FrameIntervalSource = "ser-dimension" };
        else if (valid > 1 && times[0] is double first && times[^1] is double last && last > first)
        {
            cal = cal with { FrameIntervalS = (last - first) / (valid - 1), FrameIntervalSource = "ser-timestamps" };
            meta["ser.time_note"] = "frame times from TIA tags have 1 s resolution";
        }

        ReadEmi(path, meta);
        return new SerMovie(path, file, offsets, times, type, serType, w, h, cal, meta);
    }

    private static (double Dx, double Dy, int Type, int W, int H) ElementHeader(ReadOnlySpan<byte> b) =>
        (BinaryPrimitives.ReadDoubleLittleEndian(b[8..]), BinaryPrimitives.ReadDoubleLittleEndian(b[28..]),
         BinaryPrimitives.ReadInt16LittleEndian(b[40..]), BinaryPrimitives.ReadInt32LittleEndian(b[42..]), BinaryPrimitives.ReadInt32LittleEndian(b[46..]));

    /// <summary>TIA writes name_1.ser, name_2.ser … beside name.emi, whose &lt;ObjectInfo&gt; XML holds the microscope settings.</summary>
    private static void ReadEmi(string serPath, Dictionary<string, string> meta)
    {
        string dir = System.IO.Path.GetDirectoryName(serPath) ?? ".";
        string stem = System.IO.Path.GetFileNameWithoutExtension(serPath);
        int us = stem.LastIndexOf('_');
        string emi = System.IO.Path.Combine(dir, (us > 0 ? stem[..us] : stem) + ".emi");
        if (!File.Exists(emi)) return;
        try
        {
            if (new FileInfo(emi).Length > 64L << 20) return;
            string text = Encoding.Latin1.GetString(File.ReadAllBytes(emi));
            int a = text.IndexOf("<ObjectInfo>", StringComparison.Ordinal), b = text.IndexOf("</ObjectInfo>", StringComparison.Ordinal);
            if (a < 0 || b < a) return;
            var xml = XElement.Parse(text[a..(b + "</ObjectInfo>".Length)]);
            meta["emi.file"] = System.IO.Path.GetFileName(emi);
            foreach (var leaf in xml.Descendants().Where(e => !e.HasElements && e.Value.Length is > 0 and < 120).Take(40))
                meta["emi." + string.Join(".", leaf.AncestorsAndSelf().Reverse().Skip(1).Select(e => e.Name.LocalName))] = leaf.Value.Trim();
        }
        catch (Exception e) when (e is IOException or System.Xml.XmlException or UnauthorizedAccessException)
        {
            meta["emi.note"] = $"{System.IO.Path.GetFileName(emi)} unreadable: {e.Message}";
        }
    }

    public override IEnumerable<Frame> ReadFrames()
    {
        StoppedEarly = null;
        for (int k = 0; k < _dataOffsets.Length; k++)
        {
            long at = _dataOffsets[k];
            long bytes = (long)Width * Height * _type.Bytes;
            if (!_file.Contains(at, ElementHeaderBytes + bytes))
            {
                StoppedEarly = $"truncated at frame {k} (byte {Math.Clamp(at, 0, _file.Length)})";
                yield break;
            }
            var (_, _, t, w, h) = ElementHeader(_file.ReadBytes(at, ElementHeaderBytes));
            if (t != _dmType || w != Width || h != Height)
            {
                StoppedEarly = $"stopped at frame {k}: element is {w}x{h} type {t}, unlike the first ({Width}x{Height} type {_dmType}) (byte {at})";
                yield break;
            }
            using var bottomUp = _type.Read(_file, at + ElementHeaderBytes, Width, Height, bigEndian: false);
            var mat = new Mat();
            Cv2.Flip(bottomUp, mat, FlipMode.X); // TIA stores the bottom row first
            yield return new Frame(k, mat, _times[k]);
        }
    }

    public override void Dispose()
    {
        _file.Dispose();
        base.Dispose();
    }
}
