using BitMiracle.LibTiff.Classic;
using OpenCvSharp;

namespace TemAreaTracker.IO;

/// <summary>
/// The pixels of one TIFF page as one gray channel: uncompressed strips copied straight from the memory map, compressed or
/// tiled pages decoded by LibTiff; then the samples turned into machine order (or their Mat type) and colour into gray.
/// </summary>
/// <remarks>A cut or undecodable page is returned as (null, problem, byte offset when known), never thrown, so the movie
/// can stop early with what it read.</remarks>
internal static class TiffPixels
{
    /// <summary>Pixels of <paramref name="page"/> (the IFD <paramref name="t"/> is on), or (null, problem, byte) when the data is cut short.</summary>
    public static (Mat?, string?, long?) Read(TiffPage page, Tiff t, MappedFile file)
    {
        if (page.IsRawStrips) return ReadRawStrips(page, file);
        return ReadViaLibTiff(page, t, file);
    }

    private static (Mat?, string?, long?) ReadRawStrips(TiffPage page, MappedFile file)
    {
        long rowBytes = (long)page.Width * page.Type.Bytes;
        int strips = (page.Height + page.RowsPerStrip - 1) / page.RowsPerStrip;
        if (page.StripOffsets.Length < strips) return (null, $"{page.StripOffsets.Length} strip offsets for {strips} strips", null);
        // Check every strip lies in the file before allocating: a lying header must not cost a huge frame buffer.
        for (int s = 0; s < strips; s++)
        {
            long need = Math.Min(page.RowsPerStrip, page.Height - s * page.RowsPerStrip) * rowBytes;
            if (!file.Contains(page.StripOffsets[s], need))
                return (null, $"strip {s} of {need} bytes runs past the end of the file", Math.Clamp(page.StripOffsets[s], 0, file.Length));
        }
        var mat = new Mat(page.Height, page.Width, page.Type.MatType);
        var dst = mat.AsSpan<byte>();
        bool isDirect = page.Type.Kind == PixelKind.Direct;
        byte[]? tmp = isDirect ? null : new byte[page.FrameBytes];
        Span<byte> target = isDirect ? dst : tmp;
        for (int s = 0; s < strips; s++)
        {
            int rows = Math.Min(page.RowsPerStrip, page.Height - s * page.RowsPerStrip);
            long need = rows * rowBytes, at = page.StripOffsets[s];
            if (!file.Contains(at, need))
            {
                mat.Dispose();
                return (null, $"strip {s} of {need} bytes runs past the end of the file", Math.Clamp(at, 0, file.Length));
            }
            file.Read(at, target.Slice((int)(s * page.RowsPerStrip * rowBytes), (int)need));
        }
        ConvertSamples(page, mat, dst, tmp);
        return (mat, null, null);
    }

    /// <summary>Stored samples to the Mat's own: a byte swap in place for a foreign byte order, or a decode of
    /// <paramref name="stored"/> for types OpenCV has no depth for.</summary>
    private static void ConvertSamples(TiffPage page, Mat mat, Span<byte> dst, byte[]? stored)
    {
        if (page.Type.Kind == PixelKind.Direct)
        {
            if (page.BigEndian == BitConverter.IsLittleEndian && page.Type.Bytes > 1) PixelType.SwapInPlace(dst, page.Type.Bytes);
        }
        else
        {
            page.Type.DecodeInto(stored, mat, page.BigEndian);
        }
    }

    private static (Mat?, string?, long?) ReadViaLibTiff(TiffPage page, Tiff t, MappedFile file)
    {
        if (page.Type.Kind != PixelKind.Direct) return (null, $"compressed/tiled {page.Type.Name} pages are not supported", null);
        if (page.Planar && page.SamplesPerPixel > 1) return (null, "planar RGB pages are not supported", null);
        int spp = page.SamplesPerPixel;
        // Compressed data cannot expand beyond ~1000:1 (deflate's limit): a bigger page is a lying header.
        if (page.FrameBytes * spp > Math.Max(1L << 24, 1100L * file.Length))
            return (null, $"page of {page.Width}x{page.Height} px is implausibly large for a {file.Length}-byte file", null);
        var full = new Mat(page.Height, page.Width, MatType.MakeType(page.Type.MatType.Depth, spp));
        var dst = full.AsSpan<byte>();
        long rowBytes = (long)page.Width * page.Type.Bytes * spp;
        (string Problem, long? At)? failure;
        try
        {
            failure = page.Tiled ? DecodeTiles(page, t, dst, rowBytes) : DecodeStrips(page, t, dst, rowBytes);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            full.Dispose();
            return (null, $"cannot decode page: {e.Message}", null);
        }
        if (failure is { } f)
        {
            full.Dispose();
            return (null, f.Problem, f.At);
        }
        // LibTiff already returns decoded samples in machine byte order.
        if (spp == 1) return (full, null, null);
        var gray = GrayImage.ToGray(full);
        full.Dispose();
        return (gray, null, null);
    }

    /// <summary>Decodes every strip into <paramref name="dst"/>; the first failure as (problem, byte offset), else null.</summary>
    private static (string, long?)? DecodeStrips(TiffPage page, Tiff t, Span<byte> dst, long rowBytes)
    {
        int size = t.StripSize();
        var buf = new byte[size];
        int strips = t.NumberOfStrips();
        for (int s = 0; s < strips; s++)
        {
            int n = t.ReadEncodedStrip(s, buf, 0, -1);
            if (n < 0)
                return ($"strip {s} cannot be decoded: {TiffErrors.Last}", page.StripOffsets.Length > s ? page.StripOffsets[s] : null);
            long start = s * (long)page.RowsPerStrip * rowBytes;
            int copy = (int)Math.Min(n, dst.Length - start);
            if (copy > 0) buf.AsSpan(0, copy).CopyTo(dst.Slice((int)start));
        }
        return null;
    }

    /// <summary>Decodes every tile into its place in <paramref name="dst"/>; the first failure as (problem, null), else null.</summary>
    private static (string, long?)? DecodeTiles(TiffPage page, Tiff t, Span<byte> dst, long rowBytes)
    {
        int tw = t.GetField(TiffTag.TILEWIDTH)?[0].ToInt() ?? 0, th = t.GetField(TiffTag.TILELENGTH)?[0].ToInt() ?? 0;
        if (tw <= 0 || th <= 0) return ("tiled page without tile size", null);
        var buf = new byte[t.TileSize()];
        int px = page.Type.Bytes * page.SamplesPerPixel;
        for (int y = 0; y < page.Height; y += th)
        for (int x = 0; x < page.Width; x += tw)
        {
            int n = t.ReadTile(buf, 0, x, y, 0, 0);
            if (n < 0) return ($"tile at ({x},{y}) cannot be decoded: {TiffErrors.Last}", null);
            int cols = Math.Min(tw, page.Width - x);
            for (int r = 0; r < th && y + r < page.Height; r++)
                buf.AsSpan(r * tw * px, cols * px).CopyTo(dst.Slice((int)((y + r) * rowBytes + (long)x * px)));
        }
        return null;
    }
}
