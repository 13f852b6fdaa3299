using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using OpenCvSharp;

namespace TemAreaTracker.IO;

/// <summary>How a pixel is stored on disk and which single-channel Mat type it becomes.</summary>
/// <remarks>
/// Most stored types map one to one onto an OpenCV depth. OpenCV has no uint32/int64/uint64 or complex depth:
/// uint32 and 64-bit integers become CV_64F (exact up to 2^53), complex becomes its modulus, RGB(A) becomes gray.
/// <see cref="Name"/> always names the type as stored (numpy-style), so users see what the file holds.
/// </remarks>
internal sealed record PixelType(string Name, int Bytes, MatType MatType, PixelKind Kind)
{
    public static readonly PixelType UInt8 = new("uint8", 1, MatType.CV_8UC1, PixelKind.Direct);
    public static readonly PixelType Int8 = new("int8", 1, MatType.CV_8SC1, PixelKind.Direct);
    public static readonly PixelType UInt16 = new("uint16", 2, MatType.CV_16UC1, PixelKind.Direct);
    public static readonly PixelType Int16 = new("int16", 2, MatType.CV_16SC1, PixelKind.Direct);
    public static readonly PixelType Int32 = new("int32", 4, MatType.CV_32SC1, PixelKind.Direct);
    public static readonly PixelType UInt32 = new("uint32", 4, MatType.CV_64FC1, PixelKind.UInt32);
    public static readonly PixelType Int64 = new("int64", 8, MatType.CV_64FC1, PixelKind.Int64);
    public static readonly PixelType UInt64 = new("uint64", 8, MatType.CV_64FC1, PixelKind.UInt64);
    public static readonly PixelType Float32 = new("float32", 4, MatType.CV_32FC1, PixelKind.Direct);
    public static readonly PixelType Float64 = new("float64", 8, MatType.CV_64FC1, PixelKind.Direct);
    /// <summary>Two float32 (re, im); the frame holds the modulus.</summary>
    public static readonly PixelType Complex64 = new("complex64", 8, MatType.CV_32FC1, PixelKind.Complex64);
    /// <summary>Two float64 (re, im); the frame holds the modulus.</summary>
    public static readonly PixelType Complex128 = new("complex128", 16, MatType.CV_64FC1, PixelKind.Complex128);
    /// <summary>Four bytes per pixel (DM RGB: B, G, R, A); the frame holds gray.</summary>
    public static readonly PixelType Rgba8 = new("rgba8", 4, MatType.CV_8UC1, PixelKind.Rgba8);
    /// <summary>IEEE half precision (MRC mode 12); the frame holds float32.</summary>
    public static readonly PixelType Float16 = new("float16", 2, MatType.CV_32FC1, PixelKind.Float16);
    /// <summary>One byte per pixel, 0 or 1 (DM binary).</summary>
    public static readonly PixelType Bool8 = new("bool", 1, MatType.CV_8UC1, PixelKind.Direct);

    /// <summary>The stored type for an integer/float kind and a byte width (TIFF SampleFormat/BitsPerSample, MRC modes).</summary>
    public static PixelType? FromFormat(bool isFloat, bool isSigned, int bytes) => (isFloat, isSigned, bytes) switch
    {
        (true, _, 4) => Float32,
        (true, _, 8) => Float64,
        (false, false, 1) => UInt8,
        (false, true, 1) => Int8,
        (false, false, 2) => UInt16,
        (false, true, 2) => Int16,
        (false, false, 4) => UInt32,
        (false, true, 4) => Int32,
        (false, false, 8) => UInt64,
        (false, true, 8) => Int64,
        _ => null,
    };

    /// <summary>Name of the stored type of a Mat depth (for frames decoded by OpenCV).</summary>
    public static string NameOf(MatType t) => t.Depth switch
    {
        MatType.CV_8U => "uint8",
        MatType.CV_8S => "int8",
        MatType.CV_16U => "uint16",
        MatType.CV_16S => "int16",
        MatType.CV_32S => "int32",
        MatType.CV_32F => "float32",
        MatType.CV_64F => "float64",
        _ => $"cv-depth-{t.Depth}",
    };

    /// <summary>
    /// Turns <paramref name="src"/> (exactly width·height·Bytes bytes, rows top to bottom) into a new single-channel Mat.
    /// </summary>
    public Mat Decode(ReadOnlySpan<byte> src, int width, int height, bool bigEndian)
    {
        var mat = new Mat(height, width, MatType);
        try
        {
            DecodeInto(src, mat, bigEndian);
            return mat;
        }
        catch
        {
            mat.Dispose();
            throw;
        }
    }

    /// <summary>Decodes into an existing continuous Mat of <see cref="MatType"/> and the right size.</summary>
    public void DecodeInto(ReadOnlySpan<byte> src, Mat mat, bool bigEndian)
    {
        long n = (long)mat.Width * mat.Height;
        if (src.Length != n * Bytes)
            throw new ArgumentException($"{Name}: expected {n * Bytes} bytes for {mat.Width}x{mat.Height} px, got {src.Length}");
        bool swap = bigEndian == BitConverter.IsLittleEndian && Bytes > 1;
        switch (Kind)
        {
            case PixelKind.Direct:
            {
                var dst = mat.AsSpan<byte>();
                src.CopyTo(dst);
                if (swap) SwapInPlace(dst, Bytes);
                break;
            }
            case PixelKind.UInt32:
            {
                var dst = mat.AsSpan<double>();
                for (int i = 0; i < dst.Length; i++)
                {
                    var s = src.Slice(i * 4, 4);
                    dst[i] = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
                }
                break;
            }
            case PixelKind.Int64:
            case PixelKind.UInt64:
            {
                var dst = mat.AsSpan<double>();
                for (int i = 0; i < dst.Length; i++)
                {
                    var s = src.Slice(i * 8, 8);
                    ulong u = bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);
                    dst[i] = Kind == PixelKind.Int64 ? (long)u : u;
                }
                break;
            }
            case PixelKind.Float16:
            {
                var dst = mat.AsSpan<float>();
                for (int i = 0; i < dst.Length; i++)
                {
                    var s = src.Slice(i * 2, 2);
                    dst[i] = (float)(bigEndian ? BinaryPrimitives.ReadHalfBigEndian(s) : BinaryPrimitives.ReadHalfLittleEndian(s));
                }
                break;
            }
            case PixelKind.Complex64:
            {
                var dst = mat.AsSpan<float>();
                for (int i = 0; i < dst.Length; i++)
                {
                    float re = ReadSingle(src.Slice(i * 8, 4), bigEndian), im = ReadSingle(src.Slice(i * 8 + 4, 4), bigEndian);
                    dst[i] = MathF.Sqrt(re * re + im * im);
                }
                break;
            }
            case PixelKind.Complex128:
            {
                var dst = mat.AsSpan<double>();
                for (int i = 0; i < dst.Length; i++)
                {
                    double re = ReadDouble(src.Slice(i * 16, 8), bigEndian), im = ReadDouble(src.Slice(i * 16 + 8, 8), bigEndian);
                    dst[i] = Math.Sqrt(re * re + im * im);
                }
                break;
            }
            case PixelKind.Rgba8:
            {
                var dst = mat.AsSpan<byte>();
                for (int i = 0; i < dst.Length; i++)
                {
                    byte b = src[i * 4], g = src[i * 4 + 1], r = src[i * 4 + 2];
                    dst[i] = r == g && g == b ? r : (byte)Math.Round(0.299 * r + 0.587 * g + 0.114 * b);
                }
                break;
            }
        }
    }

    /// <summary>Reads one frame of <paramref name="width"/>×<paramref name="height"/> px at <paramref name="offset"/>.</summary>
    /// <remarks>Direct types are copied straight from the mapped file into the Mat (one copy, no managed buffer).</remarks>
    public Mat Read(MappedFile file, long offset, int width, int height, bool bigEndian)
    {
        long bytes = (long)width * height * Bytes;
        var mat = new Mat(height, width, MatType);
        try
        {
            if (Kind == PixelKind.Direct)
            {
                var dst = mat.AsSpan<byte>();
                file.Read(offset, dst);
                if (bigEndian == BitConverter.IsLittleEndian && Bytes > 1) SwapInPlace(dst, Bytes);
            }
            else
            {
                byte[] buf = ArrayPool<byte>.Shared.Rent(checked((int)bytes));
                try
                {
                    var span = buf.AsSpan(0, (int)bytes);
                    file.Read(offset, span);
                    DecodeInto(span, mat, bigEndian);
                }
                finally { ArrayPool<byte>.Shared.Return(buf); }
            }
            return mat;
        }
        catch
        {
            mat.Dispose();
            throw;
        }
    }

    internal static void SwapInPlace(Span<byte> data, int elementBytes)
    {
        switch (elementBytes)
        {
            case 2: var s = MemoryMarshal.Cast<byte, ushort>(data); BinaryPrimitives.ReverseEndianness(s, s); break;
            case 4: var i = MemoryMarshal.Cast<byte, uint>(data); BinaryPrimitives.ReverseEndianness(i, i); break;
            case 8: var l = MemoryMarshal.Cast<byte, ulong>(data); BinaryPrimitives.ReverseEndianness(l, l); break;
        }
    }

    private static float ReadSingle(ReadOnlySpan<byte> s, bool be) =>
        be ? BinaryPrimitives.ReadSingleBigEndian(s) : BinaryPrimitives.ReadSingleLittleEndian(s);

    private static double ReadDouble(ReadOnlySpan<byte> s, bool be) =>
        be ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s);
}

internal enum PixelKind { Direct, Float16, UInt32, Int64, UInt64, Complex64, Complex128, Rgba8 }
