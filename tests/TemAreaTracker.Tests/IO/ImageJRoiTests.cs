using System.Buffers.Binary;
using System.IO.Compression;
using OpenCvSharp;
using TemAreaTracker.IO;
using Xunit;

namespace TemAreaTracker.Tests.IO;

public sealed class ImageJRoiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("roi-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A bare ImageJ header (version 228) of the given type and integer bounds.</summary>
    private static byte[] Header(int type, int top, int left, int bottom, int right, int extra = 0, int options = 0)
    {
        var b = new byte[64 + extra];
        "Iout"u8.CopyTo(b);
        BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(4), 228);
        b[6] = (byte)type;
        BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(8), (short)top);
        BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(10), (short)left);
        BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(12), (short)bottom);
        BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(14), (short)right);
        BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(50), (short)options);
        return b;
    }

    [Fact]
    public void RoundTrip_RoiSet_KeepsNamesFramesAndSubPixelVertices()
    {
        var a = new Outline("p1", [new Point2d(10.25, 20.5), new Point2d(40.75, 22.125), new Point2d(30.5, 50.875), new Point2d(12, 44.3)], 0);
        var b = new Outline("cluster", Enumerable.Range(0, 50).Select(i => new Point2d(100 + 30 * Math.Cos(i * 0.1257), 80 + 20 * Math.Sin(i * 0.1257))).ToArray(), 7);
        var c = new Outline("p1", a.VerticesPx.Select(v => new Point2d(v.X + 1, v.Y)).ToArray(), 3);
        string path = Path.Combine(_dir, "RoiSet.zip");

        ImageJRoi.WriteRoiSet(path, [a, b, c]);
        var back = ImageJRoi.Read(path);

        Assert.Equal(["p1", "cluster", "p1"], back.Select(o => o.Name));
        Assert.Equal([0, 7, 3], back.Select(o => o.Frame));
        for (int k = 0; k < 3; k++)
        {
            var want = new[] { a, b, c }[k].VerticesPx;
            Assert.Equal(want.Count, back[k].VerticesPx.Count);
            for (int i = 0; i < want.Count; i++)
            {
                Assert.Equal(want[i].X, back[k].VerticesPx[i].X, 3e-5);
                Assert.Equal(want[i].Y, back[k].VerticesPx[i].Y, 3e-5);
            }
        }
    }

    [Fact]
    public void Decode_HandBuiltOval_IsAnEllipseOfAreaPiAB_CentredInImageJCoordinates()
    {
        // ImageJ oval at x=10, y=20, 30x20 px: semi-axes 15 and 10, centre (25, 30) in ImageJ = (24.5, 29.5) ours.
        var bytes = Header(type: 2, top: 20, left: 10, bottom: 40, right: 40);
        var o = ImageJRoi.Decode(bytes, "oval1", "test");
        Assert.Equal("oval1", o.Name);
        Assert.Null(o.Frame);
        Assert.Equal(Math.PI * 15 * 10, o.AreaPx, 1e-6 * o.AreaPx);
        Assert.Equal(24.5, o.Centroid.X, 1e-9);
        Assert.Equal(29.5, o.Centroid.Y, 1e-9);
        Assert.Equal(24.5 + 15, o.VerticesPx.Max(v => v.X), 0.05);
    }

    [Fact]
    public void Decode_HandBuiltRectangle_WithNameAndHyperstackFrame()
    {
        // Rectangle 12x8 px at (5, 7), header 2 at 64 with t = 4 (one-based) and the name "box" after it.
        var bytes = Header(type: 1, top: 7, left: 5, bottom: 15, right: 17, extra: 64 + 6);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(60), 64);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(64 + 12), 4);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(64 + 16), 128);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(64 + 20), 3);
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(128 + 2 * i), "box"[i]);
        string path = Path.Combine(_dir, "whatever.roi");
        File.WriteAllBytes(path, bytes);

        var o = Assert.Single(ImageJRoi.Read(path));

        Assert.Equal("box", o.Name);
        Assert.Equal(3, o.Frame);
        Assert.Equal(96, o.AreaPx, 1e-9);
        Assert.Equal(4.5, o.VerticesPx.Min(v => v.X), 1e-9);
        Assert.Equal(6.5, o.VerticesPx.Min(v => v.Y), 1e-9);
    }

    [Fact]
    public void Decode_SubPixelRectangle_UsesFloatBounds_AndStackPosition()
    {
        var bytes = Header(type: 1, top: 2, left: 3, bottom: 10, right: 9, options: 128);
        BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(18), 3.25f);
        BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(22), 2.5f);
        BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(26), 5.5f);
        BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(30), 7.25f);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(56), 9); // plain stack position, one-based
        var o = ImageJRoi.Decode(bytes, "r", "test");
        Assert.Equal(5.5 * 7.25, o.AreaPx, 1e-9);
        Assert.Equal(8, o.Frame);
    }

    [Fact]
    public void Decode_IntegerTracedRoi_EnclosesItsPixelCount()
    {
        // A traced 10x6-pixel block at left=20, top=30: vertices on pixel corners, relative to (left, top).
        int[] xs = [0, 10, 10, 0], ys = [0, 0, 6, 6];
        var bytes = Header(type: 8, top: 30, left: 20, bottom: 36, right: 30, extra: 16);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(16), 4);
        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(64 + 2 * i), (short)xs[i]);
            BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(72 + 2 * i), (short)ys[i]);
        }
        var o = ImageJRoi.Decode(bytes, "t", "test");
        Assert.Equal(60, o.AreaPx, 1e-9);
        Assert.Equal(19.5, o.VerticesPx[0].X, 1e-9); // corner 20 in ImageJ = 19.5 with pixel centres at integers
    }

    [Fact]
    public void Read_NotAnRoi_ThrowsOneLineNamingTheFile()
    {
        string path = Path.Combine(_dir, "notes.roi");
        File.WriteAllText(path, "this is a text file, not a region of interest at all; long enough for a header.....");
        var e = Assert.Throws<InvalidDataException>(() => ImageJRoi.Read(path));
        Assert.StartsWith($"{path}: not an ImageJ ROI (", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Read_ZipWithAForeignEntry_IsRejected()
    {
        string path = Path.Combine(_dir, "set.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var w = new StreamWriter(zip.CreateEntry("readme.txt").Open()))
            w.Write("hello");
        var e = Assert.Throws<InvalidDataException>(() => ImageJRoi.Read(path));
        Assert.Contains("readme.txt", e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void Read_LineRoi_IsRejectedAsEnclosingNoArea()
    {
        var bytes = Header(type: 3, top: 0, left: 0, bottom: 5, right: 5);
        var e = Assert.Throws<InvalidDataException>(() => ImageJRoi.Decode(bytes, "l", "x.roi"));
        Assert.Contains("line", e.Message);
    }

    [Fact]
    public void OutlineJson_RoundTrips_AndRejectsMissingPolygon()
    {
        string path = Path.Combine(_dir, "outlines.json");
        var o = new Outline("p7", [new Point2d(1.5, 2), new Point2d(10, 2.25), new Point2d(6, 9)], 2);
        OutlineJson.Write(path, [o]);
        var back = Assert.Single(OutlineJson.Read(path));
        Assert.Equal("p7", back.Name);
        Assert.Equal(2, back.Frame);
        Assert.Equal(o.AreaPx, back.AreaPx, 1e-9);

        File.WriteAllText(path, """{"particles": [{"name": "p1"}]}""");
        var e = Assert.Throws<InvalidDataException>(() => OutlineJson.Read(path));
        Assert.Contains("polygon_px", e.Message);
        Assert.StartsWith(path, e.Message);
    }

    /// <summary>JSON of the wrong shape or value types is a one-line InvalidDataException naming the file, not a JSON API error.</summary>
    [Theory]
    [InlineData("""[{"name": "p1", "polygon_px": [[0, 0], [9, 0], [0, 9]]}]""", "\"particles\" array")]
    [InlineData("""{"particles": [{"name": 3, "polygon_px": [[0, 0], [9, 0], [0, 9]]}]}""", "particles[0]")]
    [InlineData("""{"particles": [{"name": "p1", "polygon_px": [["a", 0], [9, 0], [0, 9]]}]}""", "particles[0]")]
    [InlineData("""{"particles": [{"name": "p1", "polygon_px": [[0, 0], [9, 0], [0, 9]], "frame": "two"}]}""", "particles[0]")]
    public void OutlineJson_WrongShapeOrTypes_NamesTheFileAndEntry(string json, string expected)
    {
        string path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<InvalidDataException>(() => OutlineJson.Read(path));
        Assert.StartsWith(path + ": not an outline JSON", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void OutlineFile_DispatchesOnContent()
    {
        var o = new Outline("a", [new Point2d(0, 0), new Point2d(10, 0), new Point2d(0, 10)]);
        string json = Path.Combine(_dir, "outlines.txt"), zip = Path.Combine(_dir, "RoiSet.zip");
        OutlineJson.Write(json, [o]);
        ImageJRoi.WriteRoiSet(zip, [o]);
        Assert.Equal(50, Assert.Single(OutlineFile.Read(json)).AreaPx, 1e-9);
        Assert.Equal(50, Assert.Single(OutlineFile.Read(zip)).AreaPx, 1e-4);
        Assert.Throws<FileNotFoundException>(() => OutlineFile.Read(Path.Combine(_dir, "missing.zip")));
    }
}
