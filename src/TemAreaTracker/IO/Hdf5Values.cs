using System.Globalization;
using PureHDF;
using PureHDF.Selections;

namespace TemAreaTracker.IO;

/// <summary>
/// Small HDF5 values (attributes, axis vectors) read whatever their stored width: PureHDF reads a value only into a type of
/// exactly its size, and writers differ (h5py stores Python ints as int64, MATLAB and C writers as int32, axis vectors come
/// as float32, float64 or integers; strings as fixed-length or variable-length, scalar or one-element arrays).
/// </summary>
/// <remarks>Every reader returns null rather than throwing: these values are calibration, and a damaged one must not cost
/// the user the pixels.</remarks>
internal static class Hdf5Values
{
    /// <summary>Attributes larger than this are not metadata worth reading (and a corrupt one could claim billions).</summary>
    private const ulong MaxAttributeElements = 64;

    /// <summary>An integer attribute (scalar or first element; integral floats accepted), or null.</summary>
    public static long? Integer(IH5Object obj, string name) =>
        Attribute(obj, name) is { } a && Numbers(a) is [var v, ..] && v == Math.Floor(v) && Math.Abs(v) < 1e15 ? (long)v : null;

    /// <summary>A text attribute (scalar or first element of an array), or null.</summary>
    public static string? Text(IH5Object obj, string name) => Attribute(obj, name) is { } a ? Text(a) : null;

    /// <summary>An attribute as display text: strings as they are, numbers in invariant culture (arrays comma-separated).</summary>
    public static string? Display(IH5Attribute a) =>
        Text(a) ?? (Numbers(a) is { Length: > 0 } v ? string.Join(", ", v.Select(x => x.ToString("G10", CultureInfo.InvariantCulture))) : null);

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
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static IH5Attribute? Attribute(IH5Object obj, string name)
    {
        try
        {
            return obj.AttributeExists(name) ? obj.Attribute(name) : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static string? Text(IH5Attribute a)
    {
        try
        {
            if (a.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength)) return null;
            var dims = a.Space.Dimensions;
            if (dims.Length == 0) return Clean(a.Read<string>());
            return Elements(dims) is > 0 and <= MaxAttributeElements ? Clean(a.Read<string[]>().FirstOrDefault()) : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static double[]? Numbers(IH5Attribute a)
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
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>Element count of an attribute, saturating just above <see cref="MaxAttributeElements"/> (no overflow).</summary>
    private static ulong Elements(ulong[] dims)
    {
        ulong n = 1;
        foreach (ulong d in dims)
        {
            if (d == 0) return 0;
            n = d > MaxAttributeElements || n * d > MaxAttributeElements ? MaxAttributeElements + 1 : n * d;
        }
        return n;
    }

    /// <summary>Fixed-length strings arrive NUL-padded from C writers.</summary>
    private static string? Clean(string? s) => s?.TrimEnd('\0', ' ');

    private static double[] Widen<T>(T[] v) where T : struct, IConvertible =>
        Array.ConvertAll(v, x => x.ToDouble(CultureInfo.InvariantCulture));
}
