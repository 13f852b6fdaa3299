using BitMiracle.LibTiff.Classic;

namespace TemAreaTracker.IO;

/// <summary>Layout of one IFD (one TIFF page): size, sample type and where its strips lie.</summary>
internal sealed record TiffPage(int Width, int Height, PixelType Type, int SamplesPerPixel, int Compression, bool Tiled,
    bool Planar, int RowsPerStrip, long[] StripOffsets, long[] StripByteCounts, bool BigEndian)
{
    public long FrameBytes => (long)Width * Height * Type.Bytes;

    /// <summary>Uncompressed, untiled, one sample per pixel: the strips can be copied straight from the file.</summary>
    public bool IsRawStrips => Compression == (int)BitMiracle.LibTiff.Classic.Compression.NONE && !Tiled && SamplesPerPixel == 1
        && StripOffsets.Length > 0;

    /// <summary>The strips follow each other without gaps (then the page is one block of <see cref="FrameBytes"/>).</summary>
    public bool StripsContiguous
    {
        get
        {
            long rowBytes = (long)Width * Type.Bytes;
            for (int s = 1; s < StripOffsets.Length; s++)
                if (StripOffsets[s] != StripOffsets[0] + s * (long)RowsPerStrip * rowBytes) return false;
            return true;
        }
    }

    /// <summary>The layout of the IFD <paramref name="t"/> is on (page number <paramref name="page"/>, for messages).</summary>
    /// <exception cref="MovieFormatException">A size, bit depth or sample layout we cannot turn into one gray channel.</exception>
    public static TiffPage Read(Tiff t, string path, int page)
    {
        int w = t.GetField(TiffTag.IMAGEWIDTH)?[0].ToInt() ?? 0;
        int h = t.GetField(TiffTag.IMAGELENGTH)?[0].ToInt() ?? 0;
        int bps = t.GetField(TiffTag.BITSPERSAMPLE)?[0].ToInt() ?? 1;
        int spp = t.GetField(TiffTag.SAMPLESPERPIXEL)?[0].ToInt() ?? 1;
        int fmt = t.GetField(TiffTag.SAMPLEFORMAT)?[0].ToInt() ?? 1;
        int comp = t.GetField(TiffTag.COMPRESSION)?[0].ToInt() ?? 1;
        int planar = t.GetField(TiffTag.PLANARCONFIG)?[0].ToInt() ?? 1;
        bool tiled = t.IsTiled();
        if (w <= 0 || h <= 0 || (long)w * h > (1L << 31))
            throw new MovieFormatException(path, TiffFile.Format, $"page {page}: implausible size {w}x{h} px");
        if (bps % 8 != 0)
            throw new MovieFormatException(path, TiffFile.Format, $"page {page}: {bps}-bit samples are not supported (8, 16, 32 or 64)");
        if (spp is < 1 or > 4)
            throw new MovieFormatException(path, TiffFile.Format, $"page {page}: {spp} samples per pixel (1 gray, 3 RGB or 4 RGBA expected)");
        if (spp > 1 && bps != 8)
            throw new MovieFormatException(path, TiffFile.Format, $"page {page}: {spp}-sample pixels must be 8-bit, got {bps}-bit");
        var type = PixelType.FromFormat(fmt == 3, fmt == 2, bps / 8)
            ?? throw new MovieFormatException(path, TiffFile.Format, $"page {page}: unsupported sample format {fmt} with {bps} bits");
        int rps = t.GetField(TiffTag.ROWSPERSTRIP)?[0].ToInt() ?? h;
        if (rps <= 0 || rps > h) rps = h;
        long[] offsets = [], counts = [];
        if (!tiled)
        {
            offsets = ToLongs(t.GetField(TiffTag.STRIPOFFSETS));
            counts = ToLongs(t.GetField(TiffTag.STRIPBYTECOUNTS));
        }
        return new TiffPage(w, h, type, spp, comp, tiled, planar == 2, rps, offsets, counts, t.IsBigEndian());
    }

    private static long[] ToLongs(FieldValue[]? v)
    {
        if (v is null || v.Length == 0) return [];
        try { return v[0].TolongArray() ?? []; }
        catch (Exception e) when (e is not OutOfMemoryException) { return []; }
    }
}
