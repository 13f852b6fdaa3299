using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace TemAreaTracker.IO;

/// <summary>MRC2014 image stack or volume (sections are frames), streamed from a memory map.</summary>
/// <remarks>
/// Header (1024 bytes, MRC2014, www.ccpem.ac.uk/mrc_format/mrc2014.php): NX, NY, NZ, MODE, …, MX, MY, MZ at word 8-10,
/// cell lengths CELLA (Å) at bytes 40-51, NSYMBT (extended header bytes) at 92, "MAP " at 208, machine stamp at 212
/// (0x44 0x44 little-endian, 0x11 0x11 big-endian). Data start at 1024 + NSYMBT. Modes: 0 int8 (uint8 when IMOD says
/// unsigned), 1 int16, 2 float32, 4 complex64, 6 uint16, 12 float16. Pixel size = CELLA.x / MX Å (÷ 10 → nm,
/// source "mrc-header"); a zero cell means unknown.
/// </remarks>
internal sealed class MrcMovie : Movie
{
    private const string Fmt = "mrc";
    private const int HeaderBytes = 1024;
    private readonly MappedFile _file;
    private readonly long _dataOffset;
    private readonly bool _bigEndian;
    private readonly PixelType _type;

    private MrcMovie(string path, MappedFile file, int w, int h, int frames, PixelType type, long dataOffset, bool bigEndian, Calibration cal,
        IReadOnlyDictionary<string, string> meta)
        : base(new MovieHeader(path, Fmt, w, h, frames, type.Name, cal) { Metadata = meta })
    {
        _file = file;
        _type = type;
        _dataOffset = dataOffset;
        _bigEndian = bigEndian;
    }

    /// <summary>True when the 1024-byte header looks like MRC (the "MAP " stamp, or plausible sizes and mode).</summary>
    internal static bool LooksLikeMrc(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderBytes) return false;
        if (header[208] == 'M' && header[209] == 'A' && header[210] == 'P') return true;
        int nx = BinaryPrimitives.ReadInt32LittleEndian(header), ny = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        int mode = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        return nx is > 0 and < 1 << 20 && ny is > 0 and < 1 << 20 && mode is 0 or 1 or 2 or 4 or 6 or 12;
    }

    /// <summary>Opens an MRC file; throws <see cref="MovieFormatException"/> on a bad header or data beyond the file.</summary>
    public static MrcMovie Open(string path)
    {
        var file = new MappedFile(path);
        try
        {
            if (file.Length < HeaderBytes) throw new MovieFormatException(path, Fmt, $"file is {file.Length} bytes, shorter than the 1024-byte header", 0);
            var h = file.ReadBytes(0, HeaderBytes);
            // Machine stamp: 0x11 in the first byte means big-endian; anything else (0x44, or 0 from old writers) little.
            bool be = h[212] == 0x11;
            int I(int o) => be ? BinaryPrimitives.ReadInt32BigEndian(h.AsSpan(o)) : BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(o));
            float F(int o) => be ? BinaryPrimitives.ReadSingleBigEndian(h.AsSpan(o)) : BinaryPrimitives.ReadSingleLittleEndian(h.AsSpan(o));
            int nx = I(0), ny = I(4), nz = I(8), mode = I(12), mx = I(28), nsymbt = I(92);
            if (nx <= 0 || ny <= 0 || nz <= 0 || (long)nx * ny > int.MaxValue)
                throw new MovieFormatException(path, Fmt, $"bad size NX={nx} NY={ny} NZ={nz}", 0);
            const int imodStamp = 1146047817;
            bool imodUnsigned = I(152) == imodStamp && (I(156) & 1) == 0;
            var type = mode switch
            {
                0 => imodUnsigned ? PixelType.UInt8 : PixelType.Int8,
                1 => PixelType.Int16,
                2 => PixelType.Float32,
                4 => PixelType.Complex64,
                6 => PixelType.UInt16,
                12 => PixelType.Float16,
                _ => throw new MovieFormatException(path, Fmt, $"unsupported MODE {mode} (0, 1, 2, 4, 6 or 12)", 12),
            };
            if (nsymbt < 0 || nsymbt > file.Length - HeaderBytes)
                throw new MovieFormatException(path, Fmt, $"extended header of {nsymbt} bytes does not fit in the file", 92);
            long offset = HeaderBytes + (long)nsymbt;
            long frameBytes = (long)nx * ny * type.Bytes;
            if (!file.Contains(offset, frameBytes))
                throw new MovieFormatException(path, Fmt, $"not even one {nx}x{ny} {type.Name} section after the header", Math.Min(offset, file.Length));

            float cellX = F(40), cellY = F(44);
            int my = I(32);
            var cal = Calibration.None;
            if (mx > 0 && my > 0 && cellX > 0 && cellY > 0 && float.IsFinite(cellX) && float.IsFinite(cellY))
                cal = new Calibration { PixelWidthNm = (double)cellX / mx / 10.0, PixelHeightNm = (double)cellY / my / 10.0, PixelSizeSource = "mrc-header" };

            var m = new Dictionary<string, string>();
            m["mrc.mode"] = mode.ToString(CultureInfo.InvariantCulture);
            m["mrc.grid"] = $"{mx} x {my} x {I(36)}";
            m["mrc.cell_A"] = string.Join(" x ", new[] { F(40), F(44), F(48) }.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));
            m["mrc.space_group"] = I(88).ToString(CultureInfo.InvariantCulture);
            m["mrc.byte_order"] = be ? "big-endian" : "little-endian";
            if (nsymbt > 0) m["mrc.extended_header"] = $"{nsymbt} bytes, type '{Encoding.ASCII.GetString(h, 104, 4).TrimEnd('\0', ' ')}'";
            m["mrc.header_min_max_mean"] = string.Join(" ", new[] { F(76), F(80), F(84) }.Select(v => v.ToString("G7", CultureInfo.InvariantCulture)));
            int nlabl = Math.Clamp(I(220), 0, 10);
            for (int i = 0; i < nlabl; i++)
            {
                string label = Encoding.ASCII.GetString(h, 224 + 80 * i, 80).TrimEnd('\0', ' ');
                if (label.Length > 0) m[$"mrc.label{i}"] = label;
            }
            return new MrcMovie(path, file, nx, ny, nz, type, offset, be, cal, m);
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
        long frameBytes = (long)Width * Height * _type.Bytes;
        for (int k = 0; k < FrameCount; k++)
        {
            long at = _dataOffset + k * frameBytes;
            if (!_file.Contains(at, frameBytes))
            {
                StoppedEarly = $"truncated at frame {k} (byte {Math.Min(at, _file.Length)})";
                yield break;
            }
            yield return new Frame(k, _type.Read(_file, at, Width, Height, _bigEndian));
        }
    }

    public override void Dispose()
    {
        _file.Dispose();
        base.Dispose();
    }
}
