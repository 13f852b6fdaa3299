using PureHDF;

namespace TemAreaTracker.Tests.IO;

/// <summary>
/// Writes Berkeley (NCEM) EMD 0.2 files with PureHDF in the layout ncempy's <c>fileEMD.put_emdgroup</c> writes: root
/// attributes version_major/version_minor, <c>/data/&lt;name&gt;</c> groups with <c>emd_group_type = 1</c>, the array
/// <c>data</c> and one coordinate vector <c>dimN</c> per axis with string attributes <c>name</c> and <c>units</c>.
/// </summary>
internal static class BerkeleyEmdWriter
{
    /// <summary>A coordinate vector: <paramref name="values"/> (float/double/int array) with its name and units.</summary>
    public static H5Dataset Dim(Array values, string? name, string? units)
    {
        var d = new H5Dataset(values) { Attributes = new() };
        if (name is not null) d.Attributes["name"] = name;
        if (units is not null) d.Attributes["units"] = units;
        return d;
    }

    /// <summary>Evenly spaced coordinates <paramref name="start"/> + i·<paramref name="step"/> as float64.</summary>
    public static double[] Coords(int n, double step, double start = 0) => Enumerable.Range(0, n).Select(i => start + i * step).ToArray();

    /// <summary>
    /// An EMD group holding <paramref name="data"/> (an array, or an <see cref="H5Dataset"/> for chunking) and
    /// <paramref name="dims"/> as dim1..dimN; a null entry leaves that dim out.
    /// </summary>
    public static H5Group Group(object data, params H5Dataset?[] dims)
    {
        var g = new H5Group { Attributes = new() { ["emd_group_type"] = 1 }, ["data"] = data };
        for (int i = 0; i < dims.Length; i++)
            if (dims[i] is { } d) g[$"dim{i + 1}"] = d;
        return g;
    }

    /// <summary>Writes the groups under /data (by name) and returns <paramref name="path"/>.</summary>
    public static string Write(string path, params (string Name, H5Group Group)[] groups)
    {
        var data = new H5Group();
        foreach (var (name, group) in groups) data[name] = group;
        new H5File
        {
            Attributes = new() { ["version_major"] = 0, ["version_minor"] = 2 },
            ["data"] = data,
            ["microscope"] = new H5Group { Attributes = new() { ["high tension"] = 300000.0, ["name"] = "test scope" } },
        }.Write(path);
        return path;
    }

    /// <summary>Pixel value of frame k at (x, y) in the uint16 test stacks: order, x and y all show.</summary>
    public static ushort Value16(int k, int y, int x) => (ushort)(1000 * k + 10 * y + x);

    /// <summary>A [frames, h, w] uint16 stack of <see cref="Value16"/>.</summary>
    public static ushort[,,] Stack16(int frames, int h, int w)
    {
        var a = new ushort[frames, h, w];
        for (int k = 0; k < frames; k++)
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            a[k, y, x] = Value16(k, y, x);
        return a;
    }

    /// <summary>
    /// The stack the fuzz tests mutate: 24x16 px, 4 frames of uint16 chunked a frame per chunk, a time axis in s, y in
    /// [n_m] and x in nm, plus a second 2-D dataset.
    /// </summary>
    public static string FuzzSource(string path) => Write(path,
        ("movie", Group(new H5Dataset(Stack16(4, 16, 24), chunks: [1, 16, 24]),
            Dim(Coords(4, 0.5), "t", "s"), Dim(Coords(16, 0.3), "y", "[n_m]"), Dim(Coords(24, 0.2), "x", "nm"))),
        ("survey", Group(new byte[16, 24], Dim(Coords(16, 2), "y", "nm"), Dim(Coords(24, 2), "x", "nm"))));
}
