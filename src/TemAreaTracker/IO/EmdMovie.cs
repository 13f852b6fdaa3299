using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using OpenCvSharp;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace TemAreaTracker.IO;

/// <summary>
/// Thermo Fisher Velox EMD (HDF5): /Data/Image/&lt;guid&gt;/Data with frames along the last axis, read one frame at a time
/// through an HDF5 hyperslab (every frame on its own, never summed).
/// </summary>
/// <remarks>
/// Calibration comes from the JSON document stored as a uint8 array in /Data/Image/&lt;guid&gt;/Metadata (one column per
/// frame): BinaryResult.PixelSize.width/height in BinaryResult.PixelUnitX/Y (usually m) → nm, source "emd-metadata";
/// the frame interval from Scan.FrameTime (s) when present, source "emd-metadata". With several images (detectors) the
/// first is read and the others are listed in Metadata.
/// </remarks>
internal sealed class EmdMovie : Movie
{
    private const string Fmt = "emd";
    private readonly NativeFile _h5;
    private readonly IH5Dataset _data;
    private readonly PixelType _type;

    private EmdMovie(string path, NativeFile h5, IH5Dataset data, PixelType type, int w, int h, int frames, Calibration cal,
        IReadOnlyDictionary<string, string> meta)
        : base(new MovieHeader(path, Fmt, w, h, frames, type.Name, cal) { Metadata = meta })
    {
        _h5 = h5;
        _data = data;
        _type = type;
    }

    /// <summary>Opens a Velox EMD file.</summary>
    /// <exception cref="MovieFormatException">Not HDF5, no /Data/Image dataset, an unsupported data type or a corrupt file.</exception>
    public static EmdMovie Open(string path)
    {
        NativeFile? h5 = null;
        try
        {
            long length = new FileInfo(path).Length;
            h5 = H5File.OpenRead(path);
            if (!h5.LinkExists("Data/Image") || h5.Get("Data/Image") is not IH5Group images)
                throw new MovieFormatException(path, Fmt, "no /Data/Image group: not a Velox EMD image file");
            var groups = images.Children().OfType<IH5Group>().Where(g => g.LinkExists("Data")).ToList();
            if (groups.Count == 0) throw new MovieFormatException(path, Fmt, "/Data/Image holds no image dataset");
            var g0 = groups[0];
            if (g0.Get("Data") is not IH5Dataset data) throw new MovieFormatException(path, Fmt, $"/Data/Image/{g0.Name}/Data is not a dataset");
            var dims = data.Space.Dimensions;
            if (dims.Length is < 2 or > 3 || dims.Any(d => d == 0 || d > int.MaxValue))
                throw new MovieFormatException(path, Fmt, $"image dataset of shape [{string.Join(", ", dims)}] (height, width[, frames] expected)");
            int h = (int)dims[0], w = (int)dims[1], n = dims.Length == 3 ? (int)dims[2] : 1;
            var t = data.Type;
            var type = t.Class switch
            {
                H5DataTypeClass.FixedPoint => PixelType.FromFormat(false, t.FixedPoint.IsSigned, t.Size),
                H5DataTypeClass.FloatingPoint => PixelType.FromFormat(true, true, t.Size),
                _ => null,
            } ?? throw new MovieFormatException(path, Fmt, $"unsupported HDF5 data type {t.Class} of {t.Size} bytes");
            // A lying dataspace cannot make us allocate more than the file could hold for one frame (allowing for compression).
            if ((long)w * h * type.Bytes > Math.Max(length * 1024L, 1L << 26))
                throw new MovieFormatException(path, Fmt, $"frame of {w}x{h} px is implausibly large for a {length}-byte file");

            var cal = Calibration.None;
            var meta = new Dictionary<string, string>();
            if (g0.LinkExists("Metadata") && g0.Get("Metadata") is IH5Dataset md)
                cal = ReadMetadataJson(md, meta);
            meta["emd.dataset"] = $"/Data/Image/{g0.Name}/Data [{string.Join(", ", dims)}]";
            if (groups.Count > 1) meta["emd.other_images"] = string.Join(", ", groups.Skip(1).Select(g => g.Name));
            return new EmdMovie(path, h5, data, type, w, h, n, cal, meta);
        }
        catch (MovieFormatException)
        {
            h5?.Dispose();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            h5?.Dispose();
            throw new MovieFormatException(path, Fmt, $"cannot read HDF5 structure: {e.Message}", null, e);
        }
    }

    private static Calibration ReadMetadataJson(IH5Dataset md, Dictionary<string, string> meta)
    {
        var mdims = md.Space.Dimensions;
        if (mdims.Length == 0 || mdims[0] > 1 << 24) return Calibration.None;
        // Only the first frame's column: [rows, frames] uint8 → select [0..rows, 0..1].
        ulong rows = mdims[0];
        byte[] bytes = mdims.Length == 2
            ? md.Read<byte[]>(fileSelection: new HyperslabSelection(2, [0, 0], [rows, 1]))
            : md.Read<byte[]>();
        int end = Array.IndexOf(bytes, (byte)0);
        string json = Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var cal = Calibration.None;
        if (Path(root, "BinaryResult.PixelSize.width") is double pw && Path(root, "BinaryResult.PixelSize.height") is double ph)
        {
            double? kx = LengthUnits.NmPerUnit(Text(root, "BinaryResult.PixelUnitX") ?? "m");
            double? ky = LengthUnits.NmPerUnit(Text(root, "BinaryResult.PixelUnitY") ?? Text(root, "BinaryResult.PixelUnitX") ?? "m");
            if (kx is double x && ky is double y && pw > 0 && ph > 0)
                cal = new Calibration { PixelWidthNm = pw * x, PixelHeightNm = ph * y, PixelSizeSource = "emd-metadata" };
            else if (LengthUnits.IsReciprocal(Text(root, "BinaryResult.PixelUnitX")))
                meta["calibration_note"] = $"reciprocal units ({Text(root, "BinaryResult.PixelUnitX")}): a diffraction pattern, not a real-space pixel size";
            else
                meta["calibration_note"] = $"pixel unit '{Text(root, "BinaryResult.PixelUnitX")}' is not a length";
        }
        if (Path(root, "Scan.FrameTime") is double ft && ft > 0)
            cal = cal with { FrameIntervalS = ft, FrameIntervalSource = "emd-metadata" };
        foreach (var key in new[] { "Instrument.InstrumentClass", "Instrument.Manufacturer", "BinaryResult.Detector", "Optics.AccelerationVoltage",
                     "Scan.DwellTime", "Scan.FrameTime", "Acquisition.AcquisitionStartDatetime.DateTime", "Optics.FullScanFieldOfView.x" })
            if (Text(root, key) is { Length: > 0 } v) meta["emd." + key] = v;
        return cal;
    }

    private static JsonElement? Find(JsonElement e, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(part, out e)) return null;
        }
        return e;
    }

    private static string? Text(JsonElement root, string path) => Find(root, path) is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;

    private static double? Path(JsonElement root, string path) =>
        Find(root, path) switch
        {
            { ValueKind: JsonValueKind.Number } n => n.GetDouble(),
            { ValueKind: JsonValueKind.String } s => LengthUnits.ParseDouble(s.GetString()),
            _ => null,
        };

    /// <summary>Largest batch of frames read at once when the file's layout forces it (see <see cref="FramesPerRead"/>).</summary>
    private const long BatchBudgetBytes = 256L << 20;

    /// <summary>
    /// Frames fetched per HDF5 read. Velox chunks stacks as (height, width, 1), so one frame is one chunk: 1. A contiguous
    /// or differently chunked [height, width, frames] array interleaves the frames element by element, and a one-frame
    /// hyperslab costs one tiny read per pixel; there a batch of frames (≤ 256 MB) is read at once and split.
    /// </summary>
    internal int FramesPerRead
    {
        get
        {
            if (_data.Space.Dimensions.Length != 3 || FrameCount is not int n || n <= 1 || _type.Kind != PixelKind.Direct) return 1;
            var layout = _data.Layout;
            if (layout.Class == H5DataLayoutClass.Chunked && layout.Chunks is { Length: >= 3 } c && c[2] == 1) return 1;
            long frameBytes = (long)Width * Height * _type.Bytes;
            return (int)Math.Clamp(BatchBudgetBytes / Math.Max(1, frameBytes), 1, n);
        }
    }

    public override IEnumerable<Frame> ReadFrames()
    {
        StoppedEarly = null;
        int rank = _data.Space.Dimensions.Length;
        int batch = FramesPerRead;
        for (int k = 0; k < FrameCount; k += batch)
        {
            int count = Math.Min(batch, FrameCount!.Value - k);
            List<Mat>? mats = null;
            string? problem = null;
            try
            {
                if (count == 1)
                {
                    var sel = rank == 3
                        ? new HyperslabSelection(3, [0, 0, (ulong)k], [(ulong)Height, (ulong)Width, 1])
                        : new HyperslabSelection(2, [0, 0], [(ulong)Height, (ulong)Width]);
                    mats = [ReadFrame(sel)];
                }
                else
                {
                    mats = ReadBatch(k, count);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                mats?.ForEach(m => m.Dispose());
                mats = null;
                problem = e.Message;
            }
            if (mats is null)
            {
                StoppedEarly = $"stopped at frame {k}: HDF5 data cannot be read ({problem})";
                yield break;
            }
            for (int j = 0; j < mats.Count; j++)
                yield return new Frame(k + j, mats[j]);
        }
    }

    private List<Mat> ReadBatch(int k0, int count) => _type.Name switch
    {
        "uint8" => Split<byte>(k0, count),
        "int8" => Split<sbyte>(k0, count),
        "uint16" => Split<ushort>(k0, count),
        "int16" => Split<short>(k0, count),
        "int32" => Split<int>(k0, count),
        "float32" => Split<float>(k0, count),
        "float64" => Split<double>(k0, count),
        _ => throw new InvalidDataException($"unsupported type {_type.Name}"),
    };

    /// <summary>Reads frames k0..k0+count-1 in one hyperslab and de-interleaves them (frames are the fastest axis).</summary>
    private List<Mat> Split<T>(int k0, int count) where T : unmanaged
    {
        var sel = new HyperslabSelection(3, [0, 0, (ulong)k0], [(ulong)Height, (ulong)Width, (ulong)count]);
        var buf = new T[(long)Height * Width * count];
        if (_data is NativeDataset native) native.Read(buf.AsSpan(), fileSelection: sel);
        else buf = _data.Read<T[]>(fileSelection: sel);
        var mats = new List<Mat>(count);
        for (int j = 0; j < count; j++)
        {
            var m = new Mat(Height, Width, _type.MatType);
            var dst = m.AsSpan<T>();
            for (int i = 0; i < dst.Length; i++) dst[i] = buf[(long)i * count + j];
            mats.Add(m);
        }
        return mats;
    }

    private Mat ReadFrame(Selection sel)
    {
        var mat = new Mat(Height, Width, _type.MatType);
        try
        {
            switch (_type.Name)
            {
                case "uint8": ReadInto<byte>(mat, sel); break;
                case "int8": ReadInto<sbyte>(mat, sel); break;
                case "uint16": ReadInto<ushort>(mat, sel); break;
                case "int16": ReadInto<short>(mat, sel); break;
                case "int32": ReadInto<int>(mat, sel); break;
                case "float32": ReadInto<float>(mat, sel); break;
                case "float64": ReadInto<double>(mat, sel); break;
                case "uint32":
                {
                    var v = _data.Read<uint[]>(fileSelection: sel);
                    var d = mat.AsSpan<double>();
                    for (int i = 0; i < d.Length; i++) d[i] = v[i];
                    break;
                }
                case "int64":
                {
                    var v = _data.Read<long[]>(fileSelection: sel);
                    var d = mat.AsSpan<double>();
                    for (int i = 0; i < d.Length; i++) d[i] = v[i];
                    break;
                }
                case "uint64":
                {
                    var v = _data.Read<ulong[]>(fileSelection: sel);
                    var d = mat.AsSpan<double>();
                    for (int i = 0; i < d.Length; i++) d[i] = v[i];
                    break;
                }
                default: throw new InvalidDataException($"unsupported type {_type.Name}");
            }
            return mat;
        }
        catch
        {
            mat.Dispose();
            throw;
        }
    }

    /// <summary>Decodes the selected frame straight into the Mat's pixels (no managed frame buffer).</summary>
    private void ReadInto<T>(Mat mat, Selection sel) where T : unmanaged
    {
        if (_data is NativeDataset native)
        {
            // Memory dims shaped like the file selection let PureHDF copy whole rows (about 25% faster than flat).
            ulong[] dims = _data.Space.Dimensions.Length == 3 ? [(ulong)Height, (ulong)Width, 1] : [(ulong)Height, (ulong)Width];
            native.Read(mat.AsSpan<T>(), fileSelection: sel, memoryDims: dims);
        }
        else
            Copy(_data.Read<T[]>(fileSelection: sel), mat);
    }

    private static void Copy<T>(T[] src, Mat mat) where T : struct
    {
        var bytes = MemoryMarshal.AsBytes(src.AsSpan());
        var dst = mat.AsSpan<byte>();
        if (bytes.Length != dst.Length) throw new InvalidDataException($"frame read {bytes.Length} bytes, expected {dst.Length}");
        bytes.CopyTo(dst);
    }

    public override void Dispose()
    {
        _h5.Dispose();
        base.Dispose();
    }
}
