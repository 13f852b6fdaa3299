using System.Runtime.InteropServices;
using OpenCvSharp;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace TemAreaTracker.IO;

/// <summary>One HDF5 hyperslab (a frame) decoded into a single-channel Mat: shared by the Velox and Berkeley EMD readers.</summary>
internal static class Hdf5Frames
{
    /// <summary>The stored pixel type of an HDF5 integer or float datatype; null for anything else (strings, compounds, enums).</summary>
    public static PixelType? TypeOf(IH5DataType t) => t.Class switch
    {
        H5DataTypeClass.FixedPoint => PixelType.FromFormat(false, t.FixedPoint.IsSigned, t.Size),
        H5DataTypeClass.FloatingPoint => PixelType.FromFormat(true, true, t.Size),
        _ => null,
    };

    /// <summary>Reads one frame from an HDF5 dataset into a new Mat.</summary>
    /// <param name="data">The image dataset.</param>
    /// <param name="type">Its stored pixel type (<see cref="TypeOf"/>).</param>
    /// <param name="width">Frame width in px.</param>
    /// <param name="height">Frame height in px.</param>
    /// <param name="selection">The hyperslab holding exactly <paramref name="width"/>×<paramref name="height"/> px.</param>
    /// <param name="memoryDims">The selection's shape for layouts where PureHDF then copies whole rows (Velox's
    /// [h, w, 1] frames: about 25% faster); null for a flat copy (faster for [n, h, w] stacks).</param>
    /// <param name="access">Dataset access with a chunk cache that outlives one read (see <see cref="BerkeleyEmdMovie"/>);
    /// null: PureHDF's default, a fresh cache per read.</param>
    public static Mat Read(IH5Dataset data, PixelType type, int width, int height, Selection selection, ulong[]? memoryDims,
        H5DatasetAccess? access = null)
    {
        var mat = new Mat(height, width, type.MatType);
        try
        {
            switch (type.Name)
            {
                case "uint8": ReadInto<byte>(data, mat, selection, memoryDims, access); break;
                case "int8": ReadInto<sbyte>(data, mat, selection, memoryDims, access); break;
                case "uint16": ReadInto<ushort>(data, mat, selection, memoryDims, access); break;
                case "int16": ReadInto<short>(data, mat, selection, memoryDims, access); break;
                case "int32": ReadInto<int>(data, mat, selection, memoryDims, access); break;
                case "float32": ReadInto<float>(data, mat, selection, memoryDims, access); break;
                case "float64": ReadInto<double>(data, mat, selection, memoryDims, access); break;
                // OpenCV has no uint32/int64/uint64 depth: these become CV_64F (see PixelType).
                case "uint32": Widen(ReadArray<uint>(data, selection, access), mat, v => v); break;
                case "int64": Widen(ReadArray<long>(data, selection, access), mat, v => v); break;
                case "uint64": Widen(ReadArray<ulong>(data, selection, access), mat, v => v); break;
                default: throw new InvalidDataException($"unsupported type {type.Name}");
            }
            return mat;
        }
        catch
        {
            mat.Dispose();
            throw;
        }
    }

    /// <summary>Decodes straight into the Mat's pixels (no managed frame buffer) when the dataset is PureHDF's native one.</summary>
    private static void ReadInto<T>(IH5Dataset data, Mat mat, Selection selection, ulong[]? memoryDims, H5DatasetAccess? access) where T : unmanaged
    {
        if (data is NativeDataset native)
        {
            if (access is { } a) native.Read(a, mat.AsSpan<T>(), fileSelection: selection, memoryDims: memoryDims);
            else native.Read(mat.AsSpan<T>(), fileSelection: selection, memoryDims: memoryDims);
            return;
        }
        var src = MemoryMarshal.AsBytes(data.Read<T[]>(fileSelection: selection).AsSpan());
        var dst = mat.AsSpan<byte>();
        if (src.Length != dst.Length) throw new InvalidDataException($"frame read {src.Length} bytes, expected {dst.Length}");
        src.CopyTo(dst);
    }

    private static T[] ReadArray<T>(IH5Dataset data, Selection selection, H5DatasetAccess? access) =>
        access is { } a && data is NativeDataset native ? native.Read<T[]>(a, fileSelection: selection) : data.Read<T[]>(fileSelection: selection);

    private static void Widen<T>(T[] src, Mat mat, Func<T, double> convert)
    {
        var d = mat.AsSpan<double>();
        if (src.Length != d.Length) throw new InvalidDataException($"frame read {src.Length} values, expected {d.Length}");
        for (int i = 0; i < d.Length; i++) d[i] = convert(src[i]);
    }
}
