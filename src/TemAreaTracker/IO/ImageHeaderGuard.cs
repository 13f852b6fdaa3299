using System.Buffers.Binary;

namespace TemAreaTracker.IO;

/// <summary>
/// Checks a PNG's chunk structure and a JPEG's declared size before handing the file to OpenCV, whose decoders can spend
/// a very long time on a chunk length that points far past the end of the file, or allocate gigabytes for a lying size.
/// </summary>
internal static class ImageHeaderGuard
{
    /// <summary>No real image compresses better than this (deflate's limit is ~1032:1); beyond it the header lies.</summary>
    private const long MaxPixelsPerByte = 1100;

    /// <summary>Null when the file looks sane, else the problem and its byte offset.</summary>
    public static (string Problem, long Offset)? Check(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        long len = fs.Length;
        Span<byte> head = stackalloc byte[8];
        if (fs.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8) return ("file too short for an image", 0);
        if (head[0] == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G') return CheckPng(fs, len);
        if (head[0] == 0xFF && head[1] == 0xD8) return CheckJpeg(fs, len);
        return null;
    }

    private static (string, long)? CheckPng(FileStream fs, long len)
    {
        long pos = 8;
        Span<byte> h = stackalloc byte[8];
        Span<byte> ihdr = stackalloc byte[8];
        var buffer = new byte[64 * 1024];
        Span<byte> stored = stackalloc byte[4];
        for (int chunks = 0; chunks < 1_000_000; chunks++)
        {
            fs.Position = pos;
            if (fs.ReadAtLeast(h, 8, throwOnEndOfStream: false) < 8) return ("PNG ends inside a chunk header", pos);
            uint n = BinaryPrimitives.ReadUInt32BigEndian(h);
            if (n > len - pos - 12) return ($"PNG chunk of {n} bytes runs past the end of the file ({len} bytes)", pos);
            if (h[4] == 'I' && h[5] == 'H' && h[6] == 'D' && h[7] == 'R')
            {
                if (fs.ReadAtLeast(ihdr, 8, throwOnEndOfStream: false) < 8) return ("PNG IHDR cut short", pos + 8);
                long w = BinaryPrimitives.ReadUInt32BigEndian(ihdr), hh = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
                if (w == 0 || hh == 0 || w * hh > MaxPixelsPerByte * len) return ($"PNG declares {w}x{hh} px, impossible in {len} bytes", pos + 8);
            }
            // Check the chunk's CRC (over type and data) so a corrupt file fails here with its offset, instead of
            // libpng printing to stderr and OpenCV returning an empty image.
            fs.Position = pos + 4;
            uint crc = 0xFFFFFFFF;
            long left = 4 + n;
            while (left > 0)
            {
                int got = fs.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (got <= 0) return ("PNG ends inside a chunk", fs.Position);
                crc = Crc32(crc, buffer.AsSpan(0, got));
                left -= got;
            }
            if (fs.ReadAtLeast(stored, 4, throwOnEndOfStream: false) < 4) return ("PNG ends inside a chunk CRC", fs.Position);
            if ((crc ^ 0xFFFFFFFF) != BinaryPrimitives.ReadUInt32BigEndian(stored))
                return ($"PNG chunk {(char)h[4]}{(char)h[5]}{(char)h[6]}{(char)h[7]} fails its CRC (corrupt file)", pos);
            if (h[4] == 'I' && h[5] == 'E' && h[6] == 'N' && h[7] == 'D') return null;
            pos += 12 + n;
        }
        return ("PNG has too many chunks", pos);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>CRC-32 as PNG defines it (ISO 3309, polynomial 0xEDB88320), running form without the final xor.</summary>
    private static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static (string, long)? CheckJpeg(FileStream fs, long len)
    {
        // Walk markers to the first start-of-frame (SOF0..SOF15 except DHT/JPG/DAC) and check its size.
        long pos = 2;
        Span<byte> m = stackalloc byte[9];
        for (int k = 0; k < 10_000 && pos + 4 <= len; k++)
        {
            fs.Position = pos;
            if (fs.ReadAtLeast(m[..4], 4, throwOnEndOfStream: false) < 4) return null;
            if (m[0] != 0xFF) return null; // not at a marker: let the decoder judge
            byte marker = m[1];
            int segLen = BinaryPrimitives.ReadUInt16BigEndian(m[2..]);
            if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC))
            {
                if (fs.ReadAtLeast(m[4..9], 5, throwOnEndOfStream: false) < 5) return ("JPEG frame header cut short", pos);
                long hh = BinaryPrimitives.ReadUInt16BigEndian(m[5..]), w = BinaryPrimitives.ReadUInt16BigEndian(m[7..]);
                if (w == 0 || hh == 0 || w * hh > MaxPixelsPerByte * len) return ($"JPEG declares {w}x{hh} px, impossible in {len} bytes", pos);
                return null;
            }
            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { pos += 2; continue; }
            pos += 2 + segLen;
        }
        return null;
    }
}
