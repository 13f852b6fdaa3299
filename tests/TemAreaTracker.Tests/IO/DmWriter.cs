using System.Buffers.Binary;
using System.Text;

namespace TemAreaTracker.Tests.IO;

/// <summary>
/// Writes DM3/DM4 files byte by byte from the published layout (C. Boothroyd, er-c.org/cbb/info/dmformat): big-endian
/// header words and tag structure, values in the byte order the header declares. Used to build stacks, float/complex
/// data, big-endian files and odd units that no public permissive file provides.
/// </summary>
internal sealed class DmWriter(int version, bool littleEndianData)
{
    public abstract record Node(string Name);
    public sealed record Group(string Name, params Node[] Children) : Node(Name);
    /// <summary>A scalar of DM tag type <paramref name="Type"/> (3 int32, 5 uint32, 6 float32, 7 float64, 12 uint64).</summary>
    public sealed record Scalar(string Name, int Type, double Value) : Node(Name);
    /// <summary>Text as an array of UTF-16 code units (DM's usual way of storing units).</summary>
    public sealed record Text(string Name, string Value) : Node(Name);
    /// <summary>An array of <paramref name="Count"/> elements of tag type <paramref name="ElementType"/>; bytes already in data order.</summary>
    public sealed record Array(string Name, int ElementType, long Count, byte[] Payload) : Node(Name);

    private readonly MemoryStream _s = new();

    public byte[] Write(Group root)
    {
        WriteBE32(version);
        if (version == 3) WriteBE32(0); else WriteBE64(0); // root length: not needed by readers
        WriteBE32(littleEndianData ? 1 : 0);
        WriteGroupBody(root);
        _s.Write(new byte[8]);
        return _s.ToArray();
    }

    private void WriteGroupBody(Group g)
    {
        _s.WriteByte(0); // sorted
        _s.WriteByte(1); // open
        WriteLen(g.Children.Length);
        foreach (var c in g.Children) WriteEntry(c);
    }

    private void WriteEntry(Node n)
    {
        _s.WriteByte(n is Group ? (byte)20 : (byte)21);
        var name = Encoding.Latin1.GetBytes(n.Name);
        Span<byte> b2 = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b2, (ushort)name.Length);
        _s.Write(b2);
        _s.Write(name);
        // DM4: the entry's byte length follows the name; build the body first to know it.
        var body = new DmWriter(version, littleEndianData);
        if (n is Group g) body.WriteGroupBody(g); else body.WriteData(n);
        var bytes = body._s.ToArray();
        if (version == 4) WriteBE64(bytes.Length);
        _s.Write(bytes);
    }

    private void WriteData(Node n)
    {
        _s.Write("%%%%"u8);
        switch (n)
        {
            case Scalar s:
                WriteInfo(s.Type);
                _s.Write(Value(s.Type, s.Value));
                break;
            case Text t:
                WriteInfo(20, 4, t.Value.Length);
                foreach (char c in t.Value) _s.Write(Value(4, c));
                break;
            case Array a:
                WriteInfo(20, a.ElementType, a.Count);
                _s.Write(a.Payload);
                break;
        }
    }

    private void WriteInfo(params long[] info)
    {
        WriteLen(info.Length);
        foreach (var i in info) WriteLen(i);
    }

    /// <summary>One value in the data byte order.</summary>
    public byte[] Value(int type, double v)
    {
        bool le = littleEndianData;
        var b = new byte[type switch { 2 or 4 => 2, 3 or 5 or 6 => 4, 7 or 11 or 12 => 8, _ => 1 }];
        switch (type)
        {
            case 2: if (le) BinaryPrimitives.WriteInt16LittleEndian(b, (short)v); else BinaryPrimitives.WriteInt16BigEndian(b, (short)v); break;
            case 3: if (le) BinaryPrimitives.WriteInt32LittleEndian(b, (int)v); else BinaryPrimitives.WriteInt32BigEndian(b, (int)v); break;
            case 4: if (le) BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); else BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); break;
            case 5: if (le) BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)v); else BinaryPrimitives.WriteUInt32BigEndian(b, (uint)v); break;
            case 6: if (le) BinaryPrimitives.WriteSingleLittleEndian(b, (float)v); else BinaryPrimitives.WriteSingleBigEndian(b, (float)v); break;
            case 7: if (le) BinaryPrimitives.WriteDoubleLittleEndian(b, v); else BinaryPrimitives.WriteDoubleBigEndian(b, v); break;
            case 12: if (le) BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)v); else BinaryPrimitives.WriteUInt64BigEndian(b, (ulong)v); break;
            default: b[0] = (byte)v; break;
        }
        return b;
    }

    private void WriteLen(long v)
    {
        if (version == 3) WriteBE32((int)v); else WriteBE64(v);
    }

    private void WriteBE32(int v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, v);
        _s.Write(b);
    }

    private void WriteBE64(long v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(b, v);
        _s.Write(b);
    }

    /// <summary>
    /// A whole DM image file: a 4x4 uint8 thumbnail first (as DM writes it), then the image with
    /// <paramref name="dims"/> (x, y[, frames]), DM image data type <paramref name="dmType"/>, pixel bytes from
    /// <paramref name="pixel"/>(frame, x, y) and one (scale, unit) per dimension.
    /// </summary>
    public static byte[] Image(int version, bool littleEndian, int[] dims, int dmType, Func<int, int, int, byte[]> pixel,
        (double Scale, string Unit)[] axes, double? acquisitionTimeOs = null)
    {
        var w = new DmWriter(version, littleEndian);
        int frames = dims.Length > 2 ? dims[2] : 1;
        var payload = new MemoryStream();
        for (int k = 0; k < frames; k++)
        for (int y = 0; y < dims[1]; y++)
        for (int x = 0; x < dims[0]; x++)
            payload.Write(pixel(k, x, y));
        var data = payload.ToArray();
        Node Dim(double scale, string unit) => new Group("", new Scalar("Origin", 6, 0), new Scalar("Scale", 6, scale), new Text("Units", unit));
        Group ImageGroup(byte[] bytes, int type, int[] d, (double, string)[] ax, Node? tags) => new("",
            new Group("ImageData",
                new Group("Calibrations", new Group("Dimension", ax.Select(a => Dim(a.Item1, a.Item2)).ToArray())),
                new Array("Data", 10, bytes.Length, bytes), // octets: readers use DataType and Dimensions, not the array type
                new Scalar("DataType", 3, type),
                new Group("Dimensions", d.Select(v => (Node)new Scalar("", 5, v)).ToArray())),
            tags ?? new Group("ImageTags"));
        var thumb = ImageGroup(new byte[16], 6, [4, 4], [(1, ""), (1, "")], null);
        Node? imageTags = acquisitionTimeOs is double os
            ? new Group("ImageTags", new Group("DataBar", new Scalar("Acquisition Time (OS)", 7, os)))
            : null;
        var root = new Group("", new Group("ImageList", thumb, ImageGroup(data, dmType, dims, axes, imageTags)), new Scalar("InImageMode", 8, 1));
        return w.Write(root);
    }
}
