using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using OpenCvSharp;

namespace TemAreaTracker.IO;

/// <summary>
/// Reads and writes ImageJ / Fiji region-of-interest files: a single <c>.roi</c> or a <c>RoiSet.zip</c>
/// as the ROI Manager saves them.
/// </summary>
/// <remarks>
/// <para>Byte layout (big-endian) as in ImageJ's <c>ij/io/RoiDecoder.java</c> and <c>RoiEncoder.java</c>: a 64-byte
/// header starting "Iout" (version at 4, type byte at 6, bounds top/left/bottom/right shorts at 8-15, vertex count
/// at 16 (or an int at 18 when 0), options at 50, stack position at 56, header-2 offset at 60), then the vertices as
/// shorts relative to (left, top), followed, when option SUB_PIXEL_RESOLUTION (128) is set, by absolute float
/// vertices. Header 2 (64 bytes) holds the hyperstack position (c, z, t) at +4/+8/+12 and the name's offset and
/// length (UTF-16 chars) at +16/+20. Sub-pixel rectangles and ovals keep float x, y, width, height at 18-33.</para>
/// <para>Coordinates: ImageJ places pixel i over [i, i+1), so its pixel centres sit at i + 0.5; <see cref="Outline"/>
/// puts pixel centres at integers. Reading subtracts 0.5 from every ImageJ coordinate and writing adds it back, so a
/// traced ROI around n pixels reads back with an enclosed area of n px² and round trips are exact.</para>
/// <para>Types read: polygon, freehand (also ellipse/rotated-rect subtypes, via their stored vertices), traced,
/// rectangle, oval (as an area-preserving polygon). Lines, points, text and composite (shape) ROIs are rejected with
/// a message naming the file and the type.</para>
/// </remarks>
public static class ImageJRoi
{
    // Header offsets (RoiDecoder.java).
    private const int VersionOffset = 4, TypeOffset = 6, TopOffset = 8, LeftOffset = 10, BottomOffset = 12, RightOffset = 14;
    private const int NCoordinatesOffset = 16, SizeOffset = 18, XdOffset = 18, YdOffset = 22, WidthdOffset = 26, HeightdOffset = 30;
    private const int ShapeRoiSizeOffset = 36, SubtypeOffset = 48, OptionsOffset = 50, PositionOffset = 56, Header2Offset = 60;
    private const int HeaderSize = 64, Header2Size = 64;
    private const int CPosition = 4, ZPosition = 8, TPosition = 12, NameOffset = 16, NameLength = 20;
    private const int SubPixelResolution = 128;
    private const int WrittenVersion = 228;

    private const int TypePolygon = 0, TypeRect = 1, TypeOval = 2, TypeLine = 3, TypeFreeline = 4, TypePolyline = 5,
        TypeNoRoi = 6, TypeFreehand = 7, TypeTraced = 8, TypeAngle = 9, TypePoint = 10;

    /// <summary>
    /// Reads a <c>.roi</c> file or a <c>RoiSet.zip</c> (any other extension: sniffed by content).
    /// </summary>
    /// <returns>One outline per ROI in file order; <see cref="Outline.Frame"/> is the zero-based frame when the ROI
    /// sets a stack or hyperstack position, else null.</returns>
    /// <exception cref="InvalidDataException">"&lt;path&gt;: not an ImageJ ROI (…)" for anything that is not a readable area ROI.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IReadOnlyList<Outline> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        byte[] bytes = File.ReadAllBytes(path);
        bool isZip = bytes.Length >= 4 && bytes[0] == (byte)'P' && bytes[1] == (byte)'K';
        if (isZip) return ReadZip(path, bytes);
        string name = Path.GetFileNameWithoutExtension(path);
        return [Decode(bytes, name, path)];
    }

    /// <summary>Decodes one ROI from its bytes; <paramref name="fallbackName"/> is used when the header stores no name.</summary>
    /// <param name="bytes">The .roi file contents.</param>
    /// <param name="fallbackName">Usually the file or zip-entry name without ".roi".</param>
    /// <param name="sourceForMessages">What to call the source in error messages (a path, or "RoiSet.zip:entry.roi").</param>
    public static Outline Decode(byte[] bytes, string fallbackName, string sourceForMessages)
    {
        string Bad(string why) => $"{sourceForMessages}: not an ImageJ ROI ({why})";
        if (bytes.Length < HeaderSize)
            throw new InvalidDataException(Bad($"{bytes.Length} bytes, shorter than the 64-byte header"));
        if (bytes[0] != (byte)'I' || bytes[1] != (byte)'o' || bytes[2] != (byte)'u' || bytes[3] != (byte)'t')
            throw new InvalidDataException(Bad("missing the \"Iout\" magic"));

        int version = U16(bytes, VersionOffset);
        int type = bytes[TypeOffset];
        int top = S16(bytes, TopOffset), left = S16(bytes, LeftOffset);
        int bottom = S16(bytes, BottomOffset), right = S16(bytes, RightOffset);
        int n = U16(bytes, NCoordinatesOffset);
        int options = U16(bytes, OptionsOffset);
        int subtype = U16(bytes, SubtypeOffset);
        bool subPixel = (options & SubPixelResolution) != 0 && version >= 222;

        if (I32(bytes, ShapeRoiSizeOffset) > 0)
            throw new InvalidDataException(Bad("composite (shape) ROI; split it into polygons in Fiji first"));

        IReadOnlyList<Point2d> vertices;
        switch (type)
        {
            case TypeRect:
            case TypeOval:
            {
                double x, y, w, h;
                if (subPixel && version >= 223)
                {
                    x = F32(bytes, XdOffset); y = F32(bytes, YdOffset); w = F32(bytes, WidthdOffset); h = F32(bytes, HeightdOffset);
                }
                else
                {
                    x = left; y = top; w = right - left; h = bottom - top;
                }
                if (!(w > 0 && h > 0)) throw new InvalidDataException(Bad($"empty {(type == TypeRect ? "rectangle" : "oval")} {w}x{h}"));
                // ImageJ corner coordinates → ours (pixel centres at integers).
                x -= 0.5; y -= 0.5;
                vertices = type == TypeRect
                    ? [new Point2d(x, y), new Point2d(x + w, y), new Point2d(x + w, y + h), new Point2d(x, y + h)]
                    : EllipsePolygon(x + w / 2, y + h / 2, w / 2, h / 2);
                break;
            }
            case TypePolygon:
            case TypeFreehand:
            case TypeTraced:
            {
                if (n == 0) n = I32(bytes, SizeOffset);
                if (n < 3) throw new InvalidDataException(Bad($"polygon with {n} vertices"));
                long needed = HeaderSize + 4L * n + (subPixel ? 8L * n : 0);
                if (bytes.Length < needed)
                    throw new InvalidDataException(Bad($"truncated: {n} vertices need {needed} bytes, file has {bytes.Length}"));
                var pts = new Point2d[n];
                if (subPixel)
                {
                    int bx = HeaderSize + 4 * n, by = bx + 4 * n;
                    for (int i = 0; i < n; i++)
                        pts[i] = new Point2d(F32(bytes, bx + 4 * i) - 0.5, F32(bytes, by + 4 * i) - 0.5);
                }
                else
                {
                    int bx = HeaderSize, by = HeaderSize + 2 * n;
                    for (int i = 0; i < n; i++)
                        pts[i] = new Point2d(left + Math.Max(0, S16(bytes, bx + 2 * i)) - 0.5, top + Math.Max(0, S16(bytes, by + 2 * i)) - 0.5);
                }
                vertices = pts;
                break;
            }
            case TypeLine: case TypeFreeline: case TypePolyline: case TypeAngle:
                throw new InvalidDataException(Bad($"a line ROI (type {type}) encloses no area; draw a polygon, freehand or oval"));
            case TypePoint:
                throw new InvalidDataException(Bad("a point ROI encloses no area; draw a polygon, freehand or oval"));
            case TypeNoRoi:
                throw new InvalidDataException(Bad("type 'no ROI'"));
            default:
                throw new InvalidDataException(Bad($"unknown ROI type {type} (subtype {subtype})"));
        }

        // Name and hyperstack position live in header 2 (version ≥ 218).
        string name = fallbackName;
        int position = version >= 218 ? I32(bytes, PositionOffset) : 0;
        int c = 0, z = 0, t = 0;
        int hdr2 = I32(bytes, Header2Offset);
        if (hdr2 > 0 && (long)hdr2 + Header2Size <= bytes.Length)
        {
            c = I32(bytes, hdr2 + CPosition);
            z = I32(bytes, hdr2 + ZPosition);
            t = I32(bytes, hdr2 + TPosition);
            int nameOff = I32(bytes, hdr2 + NameOffset), nameLen = I32(bytes, hdr2 + NameLength);
            if (nameOff > 0 && nameLen > 0 && (long)nameOff + 2L * nameLen <= bytes.Length)
            {
                var sb = new StringBuilder(nameLen);
                for (int i = 0; i < nameLen; i++) sb.Append((char)U16(bytes, nameOff + 2 * i));
                name = sb.ToString();
            }
        }
        return new Outline(name, vertices, FrameFromPosition(position, c, z, t));
    }

    /// <summary>
    /// Zero-based frame from ImageJ's positions (all one-based, 0 = unset). A hyperstack position (c, z, t) wins over
    /// the plain stack position, as in ImageJ; its t is the frame, or z when t is unset/1 and z &gt; 1 (a movie saved
    /// as slices).
    /// </summary>
    private static int? FrameFromPosition(int position, int c, int z, int t)
    {
        if (c > 0 || z > 0 || t > 0)
        {
            if (t > 1) return t - 1;
            if (z > 1) return z - 1;
            return 0;
        }
        return position > 0 ? position - 1 : null;
    }

    private static IReadOnlyList<Outline> ReadZip(string path, byte[] bytes)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: not an ImageJ ROI (zip unreadable: {e.Message})", e);
        }
        using (zip)
        {
            var result = new List<Outline>();
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue; // folder
                if (!entry.Name.EndsWith(".roi", StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException($"{path}: not an ImageJ ROI set (entry '{entry.FullName}' is not a .roi)");
                using var s = entry.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                string fallback = entry.Name[..^4];
                result.Add(Decode(ms.ToArray(), fallback, $"{path}:{entry.FullName}"));
            }
            if (result.Count == 0) throw new InvalidDataException($"{path}: not an ImageJ ROI set (the zip holds no .roi entries)");
            return result;
        }
    }

    /// <summary>
    /// Writes <paramref name="outlines"/> as a Fiji RoiSet.zip: one sub-pixel polygon ROI per outline, named, with
    /// its frame as stack position and hyperstack t (so Fiji shows it on that frame). Entry names are unique
    /// ("name.roi", or "name-f0007.roi" when one name occurs on several frames).
    /// </summary>
    /// <remarks>Writes to a temporary file beside <paramref name="path"/>, then moves it into place.
    /// <paramref name="outlines"/> is enumerated twice (names first), so it may be a lazy, re-readable source.</remarks>
    public static void WriteRoiSet(string path, IEnumerable<Outline> outlines)
    {
        // Two passes (names, then entries) instead of a list: a run's outlines are read back from disk lazily, and
        // holding every frame's outline at once would grow with the movie.
        var nameCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var o in outlines) nameCounts[o.Name] = nameCounts.GetValueOrDefault(o.Name) + 1;
        string tmp = path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            using (var zip = new ZipArchive(fs, ZipArchiveMode.Create))
            {
                var used = new HashSet<string>(StringComparer.Ordinal);
                foreach (var o in outlines)
                {
                    string baseName = SafeEntryName(o.Name);
                    if (nameCounts[o.Name] > 1 && o.Frame is int f) baseName += $"-f{f:D4}";
                    string entryName = baseName + ".roi";
                    for (int k = 2; !used.Add(entryName); k++) entryName = $"{baseName}-{k}.roi";
                    var e = zip.CreateEntry(entryName, CompressionLevel.Optimal);
                    // Fixed time stamp: same outlines → same bytes.
                    e.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
                    using var s = e.Open();
                    byte[] b = EncodePolygon(o);
                    s.Write(b, 0, b.Length);
                }
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Writes one outline as a single <c>.roi</c> file (sub-pixel polygon, named, with its frame).</summary>
    public static void WriteRoi(string path, Outline outline)
    {
        string tmp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllBytes(tmp, EncodePolygon(outline));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Encodes one outline as the bytes of a sub-pixel polygon .roi (ImageJ version 228 layout).</summary>
    public static byte[] EncodePolygon(Outline outline)
    {
        var v = outline.VerticesPx;
        int n = v.Count;
        if (n < 3) throw new ArgumentException($"outline '{outline.Name}' has {n} vertices; a polygon ROI needs at least 3", nameof(outline));
        // Our coordinates → ImageJ's (pixel centres at +0.5).
        var xs = v.Select(p => p.X + 0.5).ToArray();
        var ys = v.Select(p => p.Y + 0.5).ToArray();
        if (xs.Concat(ys).Any(d => !double.IsFinite(d)))
            throw new ArgumentException($"outline '{outline.Name}' has a non-finite vertex", nameof(outline));
        int left = (int)Math.Floor(xs.Min()), top = (int)Math.Floor(ys.Min());
        int right = (int)Math.Ceiling(xs.Max()), bottom = (int)Math.Ceiling(ys.Max());
        if (left < short.MinValue || top < short.MinValue || right > short.MaxValue || bottom > short.MaxValue)
            throw new ArgumentException($"outline '{outline.Name}' lies outside ImageJ's ±32767 px range", nameof(outline));
        string name = outline.Name;
        int hdr2 = HeaderSize + 4 * n + 8 * n;
        int nameOff = hdr2 + Header2Size;
        var b = new byte[nameOff + 2 * name.Length];

        b[0] = (byte)'I'; b[1] = (byte)'o'; b[2] = (byte)'u'; b[3] = (byte)'t';
        PutU16(b, VersionOffset, WrittenVersion);
        b[TypeOffset] = TypePolygon;
        PutU16(b, TopOffset, (ushort)(short)top);
        PutU16(b, LeftOffset, (ushort)(short)left);
        PutU16(b, BottomOffset, (ushort)(short)bottom);
        PutU16(b, RightOffset, (ushort)(short)right);
        if (n <= ushort.MaxValue) PutU16(b, NCoordinatesOffset, n);
        else PutI32(b, SizeOffset, n); // ImageJ: count 0 at 16 means "read the int at 18"
        PutU16(b, OptionsOffset, SubPixelResolution);
        int pos = outline.Frame is int f ? f + 1 : 0;
        PutI32(b, PositionOffset, pos);
        PutI32(b, Header2Offset, hdr2);
        for (int i = 0; i < n; i++)
        {
            PutU16(b, HeaderSize + 2 * i, (ushort)(short)((int)Math.Floor(xs[i]) - left));
            PutU16(b, HeaderSize + 2 * n + 2 * i, (ushort)(short)((int)Math.Floor(ys[i]) - top));
            PutF32(b, HeaderSize + 4 * n + 4 * i, (float)xs[i]);
            PutF32(b, HeaderSize + 8 * n + 4 * i, (float)ys[i]);
        }
        if (pos > 0) PutI32(b, hdr2 + TPosition, pos);
        PutI32(b, hdr2 + NameOffset, nameOff);
        PutI32(b, hdr2 + NameLength, name.Length);
        for (int i = 0; i < name.Length; i++) PutU16(b, nameOff + 2 * i, name[i]);
        return b;
    }

    /// <summary>
    /// A polygon of the ellipse with semi-axes (a, b) about (cx, cy), with its radii scaled so that the polygon's area
    /// equals the ellipse's (π a b) exactly; about one vertex per 0.5 px of perimeter, at least 64.
    /// </summary>
    internal static Point2d[] EllipsePolygon(double cx, double cy, double a, double b)
    {
        double perimeter = Math.PI * (3 * (a + b) - Math.Sqrt((3 * a + b) * (a + 3 * b))); // Ramanujan
        int n = Math.Clamp((int)Math.Ceiling(2 * perimeter), 64, 4096);
        double step = 2 * Math.PI / n;
        double k = Math.Sqrt(step / Math.Sin(step)); // polygon area = (n/2) sin(step) a b k²  ≡  π a b
        var pts = new Point2d[n];
        for (int i = 0; i < n; i++)
            pts[i] = new Point2d(cx + k * a * Math.Cos(i * step), cy + k * b * Math.Sin(i * step));
        return pts;
    }

    private static string SafeEntryName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char ch in name) sb.Append(ch is '/' or '\\' or ':' ? '_' : ch);
        return sb.Length == 0 ? "roi" : sb.ToString();
    }

    private static int U16(byte[] b, int o) => BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(o, 2));
    private static int S16(byte[] b, int o) => BinaryPrimitives.ReadInt16BigEndian(b.AsSpan(o, 2));
    private static int I32(byte[] b, int o) => o + 4 <= b.Length ? BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(o, 4)) : 0;
    private static float F32(byte[] b, int o) => BinaryPrimitives.ReadSingleBigEndian(b.AsSpan(o, 4));
    private static void PutU16(byte[] b, int o, int v) => BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(o, 2), (ushort)v);
    private static void PutI32(byte[] b, int o, int v) => BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(o, 4), v);
    private static void PutF32(byte[] b, int o, float v) => BinaryPrimitives.WriteSingleBigEndian(b.AsSpan(o, 4), v);
}
