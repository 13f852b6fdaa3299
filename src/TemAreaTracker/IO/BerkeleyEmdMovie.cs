using System.Globalization;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace TemAreaTracker.IO;

/// <summary>
/// Berkeley (NCEM) EMD 0.2: an HDF5 group with attribute <c>emd_group_type = 1</c> (normally <c>/data/&lt;name&gt;</c>)
/// holding the array <c>data</c> and one coordinate vector <c>dim1..dimN</c> per axis, each with attributes <c>name</c> and
/// <c>units</c> (https://emdatasets.com; layout as written and read by ncempy's <c>ncempy/io/emd.py</c>). A 2-D array is a
/// one-frame movie, a 3-D array is <c>[frame, y, x]</c>; each frame is one hyperslab read, never the whole array.
/// </summary>
/// <remarks>
/// <para>Calibration (source "emd-dims"): the last two axes are y and x; their spacing in their units is the pixel size.
/// The dim vectors hold coordinates, so spacing = (last − first)/(n − 1) when the vector covers the axis, else dim[1] − dim[0]
/// (ncempy's pixelSize; a float32 vector far from 0 rounds a single step more than the mean over the axis).
/// Units may be plain ("nm", "Å", "um") or EMD-bracketed ("[n_m]", "[u_m]"); "pixel"/"px", unknown or reciprocal units leave
/// the movie uncalibrated with a "calibration_note".</para>
/// <para>A leading third axis is time when its units are seconds ("s", "ms", "[s]"…): the frame interval is its spacing and
/// each frame gets its own time stamp from the vector; other units (frame numbers, a z or tilt axis) leave the interval
/// unknown. Frames stored last (<c>[y, x, t]</c>, time units on dim3) and arrays of 4 or more dims are refused.</para>
/// <para>With several EMD groups the first in name order is read unless a dataset is named; the others are listed in
/// Metadata ("emd.other_datasets"). Names are paths relative to <c>/data</c> (e.g. "series_1").</para>
/// </remarks>
internal sealed class BerkeleyEmdMovie : Movie
{
    private const string Fmt = "emd-berkeley";

    /// <summary>Bounds on the search for EMD groups: an HDF5 file may link a group into itself, and a damaged one may claim
    /// millions of children.</summary>
    private const int MaxDepth = 8, MaxObjects = 4096;

    private readonly NativeFile _h5;
    private readonly IH5Dataset _data;
    private readonly PixelType _type;
    private readonly int _rank;
    private readonly double[]? _timesS;
    private readonly H5DatasetAccess? _access;

    private BerkeleyEmdMovie(MovieHeader header, NativeFile h5, IH5Dataset data, PixelType type, int rank, double[]? timesS)
        : base(header)
    {
        _h5 = h5;
        _data = data;
        _type = type;
        _rank = rank;
        _timesS = timesS;
        ChunkCacheBytes = FrameChunkBytes(data, type, rank);
        if (ChunkCacheBytes > 0)
            _access = new H5DatasetAccess(ChunkCache: new SimpleReadingChunkCache((int)Math.Max(521, ChunksPerFrame(data, rank) + 1), (ulong)ChunkCacheBytes));
    }

    /// <summary>Largest chunk cache kept for a movie (see <see cref="ChunkCacheBytes"/>).</summary>
    private const long MaxChunkCacheBytes = 256L << 20;

    /// <summary>
    /// Bytes of the chunk cache kept across frame reads: all the chunks one frame touches, when chunks span several frames
    /// (h5py's automatic chunking, [10, 128, 128] and the like) and they fit in 256 MB; 0 otherwise (PureHDF's default,
    /// a fresh cache per read). Without it each frame decodes every chunk it touches again, once per frame in the chunk:
    /// a [10, 128, 128] deflated uint16 stack read at 3.5 s per 512² frame instead of about 10 ms.
    /// </summary>
    internal long ChunkCacheBytes { get; }

    private static long FrameChunkBytes(IH5Dataset data, PixelType type, int rank)
    {
        try
        {
            if (rank != 3 || data.Layout.Class != H5DataLayoutClass.Chunked || data.Layout.Chunks is not { Length: >= 3 } c || c[0] <= 1) return 0;
            double bytes = ChunksPerFrame(data, rank) * (double)c[0] * c[1] * c[2] * type.Bytes;
            return bytes <= MaxChunkCacheBytes ? (long)bytes + 1 : 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return 0;
        }
    }

    private static double ChunksPerFrame(IH5Dataset data, int rank)
    {
        var dims = data.Space.Dimensions;
        var c = data.Layout.Chunks!;
        return Math.Ceiling(dims[rank - 2] / (double)Math.Max(1u, c[1])) * Math.Ceiling(dims[rank - 1] / (double)Math.Max(1u, c[2]));
    }

    /// <summary>One EMD group: its name (its path relative to /data when it is under it, as users select it), its HDF5
    /// path and the group.</summary>
    internal sealed record Dataset(string Name, string Path, IH5Group Group);

    /// <summary>Every group with <c>emd_group_type = 1</c> and a <c>data</c> link, in name order (ordinal).</summary>
    internal static IReadOnlyList<Dataset> FindDatasets(IH5Group root)
    {
        var found = new List<Dataset>();
        var queue = new Queue<(IH5Group Group, string Path, int Depth)>();
        queue.Enqueue((root, "", 0));
        int visited = 0;
        while (queue.Count > 0 && visited < MaxObjects)
        {
            var (group, path, depth) = queue.Dequeue();
            try
            {
                foreach (var child in group.Children())
                {
                    if (++visited > MaxObjects) break;
                    if (child is not IH5Group g) continue;
                    string childPath = path + "/" + g.Name;
                    if (Hdf5Values.Integer(g, "emd_group_type") == 1 && g.LinkExists("data"))
                        found.Add(new Dataset(childPath.StartsWith("/data/", StringComparison.Ordinal) ? childPath["/data/".Length..] : childPath.TrimStart('/'), childPath, g));
                    else if (depth + 1 < MaxDepth)
                        queue.Enqueue((g, childPath, depth + 1));
                }
            }
            catch (Exception) when (depth > 0)
            {
                // A damaged side group (/microscope, a thumbnail) must not hide the datasets elsewhere; a root that cannot
                // be listed is the caller's error to report (out-of-memory too: PureHDF sizes link names from the file).
            }
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return found;
    }

    /// <summary>
    /// Reads <paramref name="dataset"/> (null: the first of <paramref name="datasets"/>) of an open HDF5 file, which the new
    /// movie then owns. On failure the caller keeps (and disposes) <paramref name="h5"/>.
    /// </summary>
    /// <exception cref="MovieFormatException">An unknown dataset name, 1-D or ≥ 4-D data, an unsupported data type, an
    /// implausible shape, or frames stored along the last axis.</exception>
    internal static BerkeleyEmdMovie Open(string path, NativeFile h5, IReadOnlyList<Dataset> datasets, string? dataset)
    {
        var chosen = dataset is null ? datasets[0]
            : datasets.FirstOrDefault(d => d.Name == dataset || d.Path == dataset)
              ?? throw new MovieFormatException(path, Fmt, $"no dataset '{dataset}'; this file holds: {string.Join(", ", datasets.Select(d => d.Name))}");
        string where = chosen.Path;
        if (chosen.Group.Get("data") is not IH5Dataset data) throw new MovieFormatException(path, Fmt, $"{where}/data is not a dataset");

        var shape = data.Space.Dimensions;
        string shapeText = $"[{string.Join(", ", shape)}]";
        if (shape.Length < 2)
            throw new MovieFormatException(path, Fmt, $"{where}/data has {shape.Length} dim{(shape.Length == 1 ? "" : "s")} {shapeText}: not an image (2-D) or stack (3-D)");
        if (shape.Length > 3)
            throw new MovieFormatException(path, Fmt,
                $"{where}/data has {shape.Length} dims {shapeText} (a 4-D scan or spectrum image?): temtrack reads 2-D images and 3-D [frame, y, x] stacks");
        if (shape.Any(d => d == 0 || d > int.MaxValue))
            throw new MovieFormatException(path, Fmt, $"{where}/data has an empty or oversized axis {shapeText}");
        int rank = shape.Length;
        int h = (int)shape[rank - 2], w = (int)shape[rank - 1], n = rank == 3 ? (int)shape[0] : 1;
        var t = data.Type;
        var type = Hdf5Frames.TypeOf(t) ?? throw new MovieFormatException(path, Fmt, $"{where}/data: unsupported HDF5 data type {t.Class} of {t.Size} bytes");
        long length = new FileInfo(path).Length;
        // A lying dataspace cannot make us allocate more than the file could hold for one frame (allowing for compression).
        if ((long)w * h * type.Bytes > Math.Max(length * 1024L, 1L << 26))
            throw new MovieFormatException(path, Fmt, $"{where}/data: frame of {w}x{h} px is implausibly large for a {length}-byte file");

        var text = new Hdf5Text();
        var axes = Enumerable.Range(1, rank).Select(i => Axis.Read(chosen.Group, i, shape[i - 1], wantAll: rank == 3 && i == 1, text)).ToArray();
        var y = axes[rank - 2];
        var x = axes[rank - 1];
        if (rank == 3 && x.SecondsPerUnit is not null)
            throw new MovieFormatException(path, Fmt,
                $"{where}/data {shapeText}: dim3 ({x.Describe()}) is time, so frames are stored last; temtrack reads Berkeley stacks as [frame, y, x]");

        var meta = new Dictionary<string, string>
        {
            ["emd.dataset"] = $"{where}/data {shapeText} {type.Name}",
        };
        if (Hdf5Values.Integer(h5, "version_major") is long major && Hdf5Values.Integer(h5, "version_minor") is long minor)
            meta["emd.version"] = string.Create(CultureInfo.InvariantCulture, $"{major}.{minor}");
        if (datasets.Count > 1) meta["emd.other_datasets"] = string.Join(", ", datasets.Where(d => d != chosen).Select(d => d.Name));
        for (int i = 0; i < rank; i++) meta[$"emd.dim{i + 1}"] = axes[i].Describe();
        AddGroupAttributes(h5, meta, text);

        var cal = Spatial(x, y, meta);
        double[]? times = null;
        if (rank == 3 && axes[0] is { SecondsPerUnit: double spu } time)
        {
            if (time.Spacing is double dt && dt > 0)
                cal = cal with { FrameIntervalS = dt * spu, FrameIntervalSource = "emd-dims" };
            // Each frame's own time when the vector covers the axis and runs forward (acquisition stamps may be uneven).
            if (time.Values is { } v && v.Length == n && v.Zip(v.Skip(1)).All(p => p.Second > p.First))
                times = v.Select(s => (s - v[0]) * spu).ToArray();
        }
        else if (rank == 3)
            meta["frame_axis_note"] = $"dim1 ({axes[0].Describe()}) is not time: frames are numbered, interval unknown";

        var header = new MovieHeader(path, Fmt, w, h, n, type.Name, cal) { Metadata = meta };
        return new BerkeleyEmdMovie(header, h5, data, type, rank, times);
    }

    /// <summary>Pixel size from the x and y axes, or <see cref="Calibration.None"/> with a note saying why not.</summary>
    private static Calibration Spatial(Axis x, Axis y, Dictionary<string, string> meta)
    {
        if (x.NmPerUnit is double kx && y.NmPerUnit is double ky && x.Spacing is double sx && y.Spacing is double sy && sx != 0 && sy != 0)
            return new Calibration { PixelWidthNm = Math.Abs(sx) * kx, PixelHeightNm = Math.Abs(sy) * ky, PixelSizeSource = "emd-dims" };
        var bad = new[] { x, y }.FirstOrDefault(a => a.NmPerUnit is null) ?? x;
        meta["calibration_note"] = bad switch
        {
            { Missing: true } => $"{bad.Label} is missing: no pixel size",
            { Units: null or "" } => $"{bad.Label} has no units: no pixel size",
            { IsPixels: true } => $"{bad.Label} is in {bad.Units}: no pixel size",
            _ when LengthUnits.IsReciprocal(bad.NormalizedUnits) => $"{bad.Label} is in reciprocal units ({bad.Units}): a diffraction pattern, not a real-space pixel size",
            { NmPerUnit: null } => $"{bad.Label} unit '{bad.Units}' is not a length",
            _ => $"{(x.Spacing is null or 0 ? x.Label : y.Label)} has no usable spacing (fewer than 2 numeric values, or equal values): no pixel size",
        };
        return Calibration.None;
    }

    /// <summary>The attributes of /microscope, /sample and /user (EMD 0.2's metadata groups), at most 20 each.</summary>
    private static void AddGroupAttributes(NativeFile h5, Dictionary<string, string> meta, Hdf5Text text)
    {
        foreach (string name in new[] { "microscope", "sample", "user" })
        {
            try
            {
                if (!h5.LinkExists(name) || h5.Get(name) is not IH5Group g) continue;
                foreach (var a in g.Attributes().Take(20))
                    if (text.Display(a) is { Length: > 0 } v)
                        meta[$"emd.{name}.{a.Name}"] = v;
            }
            catch (Exception)
            {
                // Metadata only: a damaged group costs its tags, not the movie (out-of-memory too: see Hdf5Text).
            }
        }
    }

    public override IEnumerable<Frame> ReadFrames()
    {
        StoppedEarly = null;
        ulong h = (ulong)Height, w = (ulong)Width;
        for (int k = 0; k < FrameCount; k++)
        {
            var sel = _rank == 3 ? new HyperslabSelection(3, [(ulong)k, 0, 0], [1, h, w]) : new HyperslabSelection(2, [0, 0], [h, w]);
            OpenCvSharp.Mat? mat = null;
            string? problem = null;
            try
            {
                // A flat copy: for [n, h, w] stacks PureHDF copies faster without memory dims (unlike Velox's [h, w, 1]).
                mat = Hdf5Frames.Read(_data, _type, Width, Height, sel, memoryDims: null, _access);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problem = e.Message;
            }
            if (mat is null)
            {
                StoppedEarly = $"stopped at frame {k}: HDF5 data cannot be read ({problem})";
                yield break;
            }
            yield return new Frame(k, mat, _timesS?[k]);
        }
    }

    public override void Dispose()
    {
        _h5.Dispose();
        base.Dispose();
    }

    /// <summary>One <c>dimN</c> vector: its label, name and units, the spacing between its first coordinates, and (when
    /// asked for) all its values.</summary>
    private sealed record Axis(string Label, string? Name, string? Units, double? Spacing, double[]? Values, bool Missing)
    {
        /// <summary>Values of a time axis read whole only up to this length (it is one double per frame).</summary>
        private const ulong MaxValues = 10_000_000;

        /// <summary>Units without EMD's brackets and underscores: "[n_m]" → "nm", "[m_s]" → "ms".</summary>
        public string? NormalizedUnits => Units?.Replace("[", "").Replace("]", "").Replace("_", "").Trim();

        public double? NmPerUnit => LengthUnits.NmPerUnit(NormalizedUnits);

        /// <summary>Seconds per unit for a time axis; null when the units are not a time (empty units are not seconds here).</summary>
        public double? SecondsPerUnit => NormalizedUnits is { Length: > 0 } u ? LengthUnits.SecondsPerUnit(u) : null;

        public bool IsPixels => NormalizedUnits is "pixel" or "pixels" or "px" or "pix";

        /// <summary>"dim2 'y' in nm, step 0.25" for metadata and messages.</summary>
        public string Describe()
        {
            if (Missing) return $"{Label} missing";
            string s = Name is { Length: > 0 } name ? $"{Label} '{name}'" : Label;
            s += Units is { Length: > 0 } u ? $" in {u}" : " without units";
            if (Spacing is double d) s += string.Create(CultureInfo.InvariantCulture, $", step {d:G6}");
            return s;
        }

        public static Axis Read(IH5Group group, int index, ulong axisLength, bool wantAll, Hdf5Text text)
        {
            string label = $"dim{index}";
            try
            {
                if (!group.LinkExists(label) || group.Get(label) is not IH5Dataset d) return new Axis(label, null, null, null, null, Missing: true);
                string? name = text.Of(d, "name"), units = text.Of(d, "units");
                var dims = d.Space.Dimensions;
                ulong count = dims.Length == 1 ? dims[0] : 0;
                double[]? values = null;
                double? spacing = null;
                if (wantAll && count == axisLength && count >= 2 && count <= MaxValues)
                {
                    values = Hdf5Values.Numbers(d, 0, count);
                    if (values is not null) spacing = (values[^1] - values[0]) / (values.Length - 1);
                }
                else if (count == axisLength && count >= 2 && Hdf5Values.Numbers(d, 0, 1) is [var first] && Hdf5Values.Numbers(d, count - 1, 1) is [var last])
                    spacing = (last - first) / (count - 1);
                else if (count >= 2 && Hdf5Values.Numbers(d, 0, 2) is [var a, var b])
                    spacing = b - a;
                if (spacing is double s && (!double.IsFinite(s) || s == 0)) spacing = null;
                return new Axis(label, name, units, spacing, values, Missing: false);
            }
            catch (Exception)
            {
                // A damaged dim costs its calibration, not the pixels (out-of-memory too: see Hdf5Text).
                return new Axis(label, null, null, null, null, Missing: true);
            }
        }
    }
}
