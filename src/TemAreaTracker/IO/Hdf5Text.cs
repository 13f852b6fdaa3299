using System.Globalization;
using PureHDF;

namespace TemAreaTracker.IO;

/// <summary>
/// Text attributes of one HDF5 file (fixed- or variable-length strings, scalar or the first of a short array), read so that a
/// damaged global heap costs one failed read, not one per attribute.
/// </summary>
/// <remarks>
/// PureHDF 2.2 keeps variable-length strings in the file's global heap and sizes each heap object's buffer from the length
/// field stored in the file before reading it. A corrupt length asks for an array of up to 2 GB (or fails with
/// "Array dimensions exceeded supported range"), the collection is not cached when decoding fails, so every further string
/// attribute tried the same allocation again: 14 GB and a minute for one fuzzed 10 kB file. After the first failure of a
/// variable-length string this reader returns null for the rest of them. Fixed-length strings live in the attribute itself
/// and are always read.
/// </remarks>
internal sealed class Hdf5Text
{
    private bool _heapBroken;

    /// <summary>The text attribute <paramref name="name"/> of <paramref name="obj"/>, or null (absent, not text, damaged).</summary>
    public string? Of(IH5Object obj, string name) => Hdf5Values.Attribute(obj, name) is { } a ? Of(a) : null;

    /// <summary>An attribute as display text: strings as they are, numbers in invariant culture (arrays comma-separated).</summary>
    public string? Display(IH5Attribute a) =>
        Of(a) ?? (Hdf5Values.Numbers(a) is { Length: > 0 } v ? string.Join(", ", v.Select(x => x.ToString("G10", CultureInfo.InvariantCulture))) : null);

    private string? Of(IH5Attribute a)
    {
        bool variable;
        ulong[] dims;
        try
        {
            var c = a.Type.Class;
            if (c is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength)) return null;
            variable = c == H5DataTypeClass.VariableLength;
            dims = a.Space.Dimensions;
        }
        catch (Exception)
        {
            return null;
        }
        if (variable && _heapBroken) return null;
        try
        {
            if (dims.Length == 0) return Clean(a.Read<string>());
            return Elements(dims) is > 0 and <= Hdf5Values.MaxAttributeElements ? Clean(a.Read<string[]>().FirstOrDefault()) : null;
        }
        catch (Exception)
        {
            // Out-of-memory included: see the remarks.
            if (variable) _heapBroken = true;
            return null;
        }
    }

    /// <summary>Element count of an attribute, saturating just above <see cref="Hdf5Values.MaxAttributeElements"/>.</summary>
    private static ulong Elements(ulong[] dims)
    {
        ulong n = 1;
        foreach (ulong d in dims)
        {
            if (d == 0) return 0;
            n = d > Hdf5Values.MaxAttributeElements || n * d > Hdf5Values.MaxAttributeElements ? Hdf5Values.MaxAttributeElements + 1 : n * d;
        }
        return n;
    }

    /// <summary>Fixed-length strings arrive NUL- or space-padded from C and Fortran writers.</summary>
    private static string? Clean(string? s) => s?.TrimEnd('\0', ' ');
}
