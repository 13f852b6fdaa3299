using System.Globalization;
using PureHDF;
using PureHDF.Selections;

namespace TemAreaTracker.IO;

/// <summary>
/// Small numeric HDF5 values (attributes, axis vectors) read whatever their stored width: PureHDF reads a value only into a
/// type of exactly its size, and writers differ (h5py stores Python ints as int64, MATLAB and C writers as int32, axis
/// vectors come as float32, float64 or integers). Text attributes: <see cref="Hdf5Text"/>.
/// </summary>
/// <remarks>Every reader returns null rather than throwing, out-of-memory included: these values are calibration, a damaged
/// one must not cost the user the pixels, and an impossible allocation for a value of a few bytes comes from a corrupt size
/// field in the file, not a full machine.</remarks>
internal static class Hdf5Values
{
    /// <summary>Attributes larger than this are not metadata worth reading (and a corrupt one could claim billions).</summary>
    internal const ulong MaxAttributeElements = 64;

    /// <summary>An integer attribute (scalar or first element; integral floats accepted), or null.</summary>
    public static long? Integer(IH5Object obj, string name) =>
        Attribute(obj, name) is { } a && Numbers(a) is [var v, ..] && v == Math.Floor(v) && Math.Abs(v) < 1e15 ? (long)v : null;

    /// <summary>
    /// Elements <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/>-1 of a 1-D numeric dataset as
    /// doubles, or null when it is not a 1-D number vector that long.
    /// </summary>
    public static double[]? Numbers(IH5Dataset d, ulong start, ulong count)
    {
        try
        {
            var dims = d.Space.Dimensions;
            if (dims.Length != 1 || count == 0 || start + count > dims[0]) return null;
            var sel = new HyperslabSelection(start, count);
            var t = d.Type;
            return (t.Class, t.Size) switch
            {
                (H5DataTypeClass.FloatingPoint, 4) => Widen(d.Read<float[]>(fileSelection: sel)),
                (H5DataTypeClass.FloatingPoint, 8) => d.Read<double[]>(fileSelection: sel),
                (H5DataTypeClass.FixedPoint, 1) => t.FixedPoint.IsSigned ? Widen(d.Read<sbyte[]>(fileSelection: sel)) : Widen(d.Read<byte[]>(fileSelection: sel)),
                (H5DataTypeClass.FixedPoint, 2) => t.FixedPoint.IsSigned ? Widen(d.Read<short[]>(fileSelection: sel)) : Widen(d.Read<ushort[]>(fileSelection: sel)),
                (H5DataTypeClass.FixedPoint, 4) => t.FixedPoint.IsSigned ? Widen(d.Read<int[]>(fileSelection: sel)) : Widen(d.Read<uint[]>(fileSelection: sel)),
                (H5DataTypeClass.FixedPoint, 8) => t.FixedPoint.IsSigned ? Widen(d.Read<long[]>(fileSelection: sel)) : Widen(d.Read<ulong[]>(fileSelection: sel)),
                _ => null,
            } is { } v && v.Length == (int)count ? v : null;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>The attribute <paramref name="name"/> of <paramref name="obj"/>, or null when absent or unreadable.</summary>
    internal static IH5Attribute? Attribute(IH5Object obj, string name)
    {
        try
        {
            return obj.AttributeExists(name) ? obj.Attribute(name) : null;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>A numeric attribute (scalar or up to 64 elements) as doubles, or null.</summary>
    internal static double[]? Numbers(IH5Attribute a)
    {
        try
        {
            var dims = a.Space.Dimensions;
            if (dims.Length > 1 || (dims.Length == 1 && dims[0] is 0 or > MaxAttributeElements)) return null;
            var t = a.Type;
            return (t.Class, t.Size) switch
            {
                (H5DataTypeClass.FloatingPoint, 4) => Widen(a.Read<float[]>()),
                (H5DataTypeClass.FloatingPoint, 8) => a.Read<double[]>(),
                (H5DataTypeClass.FixedPoint, 1) => t.FixedPoint.IsSigned ? Widen(a.Read<sbyte[]>()) : Widen(a.Read<byte[]>()),
                (H5DataTypeClass.FixedPoint, 2) => t.FixedPoint.IsSigned ? Widen(a.Read<short[]>()) : Widen(a.Read<ushort[]>()),
                (H5DataTypeClass.FixedPoint, 4) => t.FixedPoint.IsSigned ? Widen(a.Read<int[]>()) : Widen(a.Read<uint[]>()),
                (H5DataTypeClass.FixedPoint, 8) => t.FixedPoint.IsSigned ? Widen(a.Read<long[]>()) : Widen(a.Read<ulong[]>()),
                _ => null,
            };
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static double[] Widen<T>(T[] v) where T : struct, IConvertible =>
        Array.ConvertAll(v, x => x.ToDouble(CultureInfo.InvariantCulture));
}
