using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace TemAreaTracker.IO;

/// <summary>
/// Gatan DigitalMicrograph DM3/DM4 tag tree, parsed without reading the big arrays (image data is located, not loaded).
/// </summary>
/// <remarks>
/// Layout (C. Boothroyd, "Gatan DM3/DM4 file format", er-c.org/cbb/info/dmformat; also ncempy, HyperSpy):
/// header = version (int32 BE: 3 or 4), root length (uint32 BE in DM3, uint64 BE in DM4), byte order of the data values
/// (int32 BE: 1 little-endian, 0 big-endian). A tag group = sorted (u8), open (u8), entry count (u32/u64 BE). An entry =
/// kind (u8: 20 group, 21 data), name length (u16 BE), name (bytes), and in DM4 the entry's total byte length (u64 BE).
/// A data entry = "%%%%", info count n (u32/u64 BE), n info words (u32/u64 BE), then the value(s) in the header's byte
/// order. info[0] is the type: 2 int16, 3 int32, 4 uint16, 5 uint32, 6 float32, 7 float64, 8 bool, 9 int8, 10 uint8,
/// 11 int64, 12 uint64, 15 struct [15, nameLen, nFields, (nameLen, type)…], 18 string [18, length] (UTF-16),
/// 20 array [20, elemType, count] or array of structs [20, 15, nameLen, nFields, (nameLen, type)…, count].
/// Header words are always big-endian; every length is checked against the file size before use.
/// </remarks>
internal sealed class DmTags
{
    private const int MaxDepth = 64;
    private const int MaxInfo = 1024;
    private readonly MappedFile _file;
    private readonly string _format;
    private long _pos;
    private int _tagBudget;

    public int Version { get; }
    public bool LittleEndian { get; }
    public DmGroup Root { get; }

    private DmTags(MappedFile file, string format)
    {
        _file = file;
        _format = format;
        if (file.Length < 16) throw Fail("file too short for a DM header", 0);
        Version = ReadInt32BE();
        if (Version is not (3 or 4)) throw Fail($"version {Version} in the header (3 or 4 expected)", 0);
        _pos += Version == 3 ? 4 : 8; // root length, not needed
        int order = ReadInt32BE();
        if (order is not (0 or 1)) throw Fail($"byte-order flag {order} (0 or 1 expected)", _pos - 4);
        LittleEndian = order == 1;
        _tagBudget = (int)Math.Min(int.MaxValue, file.Length / 4); // a tag takes >= 4 bytes: no endless parse
        Root = ReadGroup(0);
    }

    public string Path => _file.Path;

    /// <summary>Parses the tag tree of a DM3/DM4 file.</summary>
    public static DmTags Parse(MappedFile file, string format) => new(file, format);

    private MovieFormatException Fail(string problem, long at) => new(_file.Path, _format, problem, at);

    // ------------------------------------------------------------------ primitive reads (header words: big-endian)

    // Tag headers are tiny and sequential: serve them from a 64 KB window instead of one file read each.
    private readonly byte[] _window = new byte[64 * 1024];
    private long _windowStart = -1;
    private int _windowLength;

    private ReadOnlySpan<byte> Take(int n)
    {
        if (!_file.Contains(_pos, n)) throw Fail($"tag structure runs past the end of the file ({_file.Length} bytes)", Math.Min(_pos, _file.Length));
        ReadOnlySpan<byte> b;
        if (n <= _window.Length / 2)
        {
            if (_windowStart < 0 || _pos < _windowStart || _pos + n > _windowStart + _windowLength)
            {
                _windowStart = _pos;
                _windowLength = (int)Math.Min(_window.Length, _file.Length - _pos);
                _file.Read(_pos, _window.AsSpan(0, _windowLength));
            }
            b = _window.AsSpan((int)(_pos - _windowStart), n);
        }
        else
        {
            b = _file.ReadBytes(_pos, n);
        }
        _pos += n;
        return b;
    }

    private int ReadInt32BE() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    private long ReadLength()
    {
        long at = _pos;
        ulong v = Version == 3 ? BinaryPrimitives.ReadUInt32BigEndian(Take(4)) : BinaryPrimitives.ReadUInt64BigEndian(Take(8));
        if (v > (ulong)_file.Length) throw Fail($"count {v} is larger than the file", at);
        return (long)v;
    }

    // ------------------------------------------------------------------ tree

    private DmGroup ReadGroup(int depth)
    {
        if (depth > MaxDepth) throw Fail("tag groups nested too deep", _pos);
        var span = Take(2); // sorted, open
        _ = span;
        long countAt = _pos;
        long count = ReadLength();
        var group = new DmGroup();
        for (long i = 0; i < count; i++)
        {
            if (--_tagBudget < 0) throw Fail("more tags than the file can hold", countAt);
            long entryAt = _pos;
            byte kind = Take(1)[0];
            if (kind == 0) break; // end of the tag tree (zero padding at the end of DM3 files)
            int nameLen = BinaryPrimitives.ReadUInt16BigEndian(Take(2));
            string name = Encoding.Latin1.GetString(Take(nameLen));
            if (Version == 4) ReadLength(); // total entry length, we parse it ourselves
            DmNode node = kind switch
            {
                20 => ReadGroup(depth + 1),
                21 => ReadData(),
                _ => throw Fail($"tag entry kind {kind} (20 group or 21 data expected)", entryAt),
            };
            group.Add(name, node);
        }
        return group;
    }

    private DmData ReadData()
    {
        long at = _pos;
        var magic = Take(4);
        if (magic[0] != '%' || magic[1] != '%' || magic[2] != '%' || magic[3] != '%')
            throw Fail("data tag without its %%%% marker", at);
        long n = ReadLength();
        if (n is < 1 or > MaxInfo) throw Fail($"data tag with {n} type words", at + 4);
        var info = new long[n];
        for (int i = 0; i < n; i++) info[i] = ReadLength();
        long dataAt = _pos;
        var d = new DmData { Offset = dataAt, Type = (int)info[0] };
        switch (info[0])
        {
            case 15:
            {
                var fields = StructFields(info, 0, out _);
                d.Fields = fields;
                d.ByteLength = fields.Sum(ElementSize);
                break;
            }
            case 18:
                if (n < 2) throw Fail("string tag without a length", at);
                d.ByteLength = info[1] * 2;
                break;
            case 20:
            {
                if (n < 3) throw Fail("array tag without element type and count", at);
                if (info[1] == 15)
                {
                    var fields = StructFields(info, 1, out int next);
                    if (next >= n) throw Fail("array of structs without a count", at);
                    d.Count = info[next];
                    d.Fields = fields;
                    d.ElementType = 15;
                    d.ByteLength = SafeMul(d.Count, fields.Sum(ElementSize), at);
                }
                else
                {
                    d.ElementType = (int)info[1];
                    d.Count = info[2];
                    d.ByteLength = SafeMul(d.Count, ElementSize(d.ElementType), at);
                }
                break;
            }
            default:
                d.ByteLength = ElementSize((int)info[0]);
                break;
        }
        if (!_file.Contains(dataAt, d.ByteLength))
            throw Fail($"tag data of {d.ByteLength} bytes runs past the end of the file", dataAt);
        d.Value = DecodeSmall(d);
        _pos = dataAt + d.ByteLength;
        return d;

        int ElementSize(int t) => TypeSize(t) is int s && s > 0 ? s : throw Fail($"unknown tag data type {t}", at);
    }

    private int[] StructFields(long[] info, int start, out int next)
    {
        // [15, nameLen, nFields, (nameLen, type) x nFields]
        if (start + 2 >= info.Length) throw Fail("struct tag without field count", _pos);
        long nf = info[start + 2];
        if (nf < 0 || start + 3 + 2 * nf > info.Length) throw Fail($"struct tag with {nf} fields but {info.Length} type words", _pos);
        var fields = new int[nf];
        for (int i = 0; i < nf; i++) fields[i] = (int)info[start + 4 + 2 * i];
        next = start + 3 + 2 * (int)nf;
        return fields;
    }

    private long SafeMul(long count, long size, long at)
    {
        if (count < 0 || size <= 0 || count > _file.Length / size)
            throw Fail($"array of {count} x {size} bytes is larger than the file", at);
        return count * size;
    }

    /// <summary>Bytes of one value of DM tag type <paramref name="t"/>, or null for composite/unknown types.</summary>
    public static int? TypeSize(int t) => t switch
    {
        2 or 4 => 2,
        3 or 5 or 6 => 4,
        7 or 11 or 12 => 8,
        8 or 9 or 10 => 1,
        _ => null,
    };

    /// <summary>Decodes scalars, strings and short arrays (≤ 4096 elements) eagerly; big arrays stay on disk.</summary>
    private object? DecodeSmall(DmData d)
    {
        if (d.Type == 18)
            return Encoding.Unicode.GetString(_file.ReadBytes(d.Offset, (int)Math.Min(d.ByteLength, 1 << 20)));
        if (d.Type == 15)
        {
            var b = _file.ReadBytes(d.Offset, (int)d.ByteLength);
            var vals = new double[d.Fields!.Length];
            int o = 0;
            for (int i = 0; i < vals.Length; i++) { vals[i] = Scalar(b.AsSpan(o), d.Fields[i]); o += TypeSize(d.Fields[i])!.Value; }
            return vals;
        }
        if (d.Type == 20)
        {
            if (d.ElementType == 15 || d.Count > 4096) return null;
            int size = TypeSize(d.ElementType)!.Value;
            var b = _file.ReadBytes(d.Offset, (int)d.ByteLength);
            if (d.ElementType == 4) // DM3 keeps text such as units as arrays of UTF-16 code units
            {
                var chars = new char[d.Count];
                for (int i = 0; i < chars.Length; i++)
                    chars[i] = (char)(LittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(2 * i)) : BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(2 * i)));
                return new string(chars);
            }
            var arr = new double[d.Count];
            for (int i = 0; i < arr.Length; i++) arr[i] = Scalar(b.AsSpan(i * size), d.ElementType);
            return arr;
        }
        var s = _file.ReadBytes(d.Offset, (int)d.ByteLength);
        return Scalar(s, d.Type);
    }

    private double Scalar(ReadOnlySpan<byte> b, int t)
    {
        bool le = LittleEndian;
        return t switch
        {
            2 => le ? BinaryPrimitives.ReadInt16LittleEndian(b) : BinaryPrimitives.ReadInt16BigEndian(b),
            3 => le ? BinaryPrimitives.ReadInt32LittleEndian(b) : BinaryPrimitives.ReadInt32BigEndian(b),
            4 => le ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b),
            5 => le ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b),
            6 => le ? BinaryPrimitives.ReadSingleLittleEndian(b) : BinaryPrimitives.ReadSingleBigEndian(b),
            7 => le ? BinaryPrimitives.ReadDoubleLittleEndian(b) : BinaryPrimitives.ReadDoubleBigEndian(b),
            8 or 10 => b[0],
            9 => (sbyte)b[0],
            11 => le ? BinaryPrimitives.ReadInt64LittleEndian(b) : BinaryPrimitives.ReadInt64BigEndian(b),
            12 => le ? BinaryPrimitives.ReadUInt64LittleEndian(b) : BinaryPrimitives.ReadUInt64BigEndian(b),
            _ => double.NaN,
        };
    }
}

internal abstract class DmNode;

/// <summary>A tag group: ordered entries, named or not (DM lists such as ImageList have unnamed entries).</summary>
internal sealed class DmGroup : DmNode
{
    public List<(string Name, DmNode Node)> Entries { get; } = new();

    public void Add(string name, DmNode node) => Entries.Add((name, node));

    public DmNode? this[string name] => Entries.FirstOrDefault(e => e.Name == name).Node;

    /// <summary>Follows a dotted path of names ("ImageData.Calibrations.Dimension").</summary>
    public DmNode? At(string path)
    {
        DmNode? n = this;
        foreach (var part in path.Split('.'))
            n = (n as DmGroup)?[part];
        return n;
    }

    public DmGroup? Group(string path) => At(path) as DmGroup;

    public double? Number(string path) => (At(path) as DmData)?.Value switch
    {
        double d => d,
        _ => null,
    };

    public string? Text(string path) => (At(path) as DmData)?.Value as string;

    /// <summary>Flattens scalars and strings as "a.b.c = value" (for showing metadata).</summary>
    public IEnumerable<(string Path, string Value)> Flatten(string prefix = "", int depth = 0)
    {
        if (depth > 16) yield break;
        int idx = 0;
        foreach (var (name, node) in Entries)
        {
            string key = prefix + (name.Length > 0 ? name : $"[{idx}]");
            idx++;
            if (node is DmGroup g)
                foreach (var x in g.Flatten(key + ".", depth + 1)) yield return x;
            else if (node is DmData { Value: double v })
                yield return (key, v.ToString("G10", CultureInfo.InvariantCulture));
            else if (node is DmData { Value: string s })
                yield return (key, s);
        }
    }
}

/// <summary>A data tag: where its bytes are, its type and (for small values) the decoded value.</summary>
internal sealed class DmData : DmNode
{
    public long Offset { get; init; }
    public int Type { get; init; }
    public int ElementType { get; set; }
    public long Count { get; set; } = 1;
    public long ByteLength { get; set; }
    public int[]? Fields { get; set; }
    /// <summary>double (scalar), string, double[] (short array or struct), or null (big array, left on disk).</summary>
    public object? Value { get; set; }
}
