using System.Globalization;

namespace TemAreaTracker.IO;

/// <summary>Where a DM file keeps its image and what its tags say about it.</summary>
internal sealed class DmImage
{
    public required string Format { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int Frames { get; init; }
    public required PixelType Type { get; init; }
    public required long DataOffset { get; init; }
    public required bool LittleEndian { get; init; }
    public required Calibration Calibration { get; init; }
    public required Dictionary<string, string> Metadata { get; init; }
    /// <summary>Acquisition time from ImageTags.DataBar "Acquisition Time (OS)" in s since 1601, when present.</summary>
    public double? AcquisitionTimeS { get; init; }
    public long FrameBytes => (long)Width * Height * Type.Bytes;

    private static PixelType? TypeOf(int dmType) => dmType switch
    {
        1 => PixelType.Int16,
        2 => PixelType.Float32,
        3 => PixelType.Complex64,
        6 => PixelType.UInt8,
        7 => PixelType.Int32,
        8 or 23 => PixelType.Rgba8,
        9 => PixelType.Int8,
        10 => PixelType.UInt16,
        11 => PixelType.UInt32,
        12 => PixelType.Float64,
        13 => PixelType.Complex128,
        14 => PixelType.Bool8,
        _ => null,
    };

    /// <summary>Parses the tag tree of <paramref name="file"/> and finds its main image.</summary>
    /// <param name="file">The DM file.</param>
    /// <param name="formatHint">"dm3" or "dm4", for error messages before the header is read.</param>
    /// <param name="allowProfiles">Accept 1-D data (spectra, profiles) as a 1-px-high image; movies never do.</param>
    public static DmImage Locate(MappedFile file, string formatHint, bool allowProfiles = false)
    {
        string path = file.Path;
        var tags = DmTags.Parse(file, formatHint);
        string format = tags.Version == 3 ? "dm3" : "dm4";
        MovieFormatException Fail(string problem, long? at = null) => new(path, format, problem, at);

        var list = tags.Root.Group("ImageList") ?? throw Fail("no ImageList tag group: not an image file");
        DmGroup? best = null;
        DmData? bestData = null;
        // DM writes the thumbnail as ImageList[0] whenever it stores more than one image: skip it.
        foreach (var (_, node) in list.Entries.Skip(list.Entries.Count > 1 ? 1 : 0))
        {
            if (node is not DmGroup g || g.At("ImageData.Data") is not DmData d) continue;
            if (bestData is null || d.ByteLength > bestData.ByteLength)
            {
                best = g;
                bestData = d;
            }
        }
        if (best is null || bestData is null) throw Fail("ImageList holds no image data");

        var dimsGroup = best.Group("ImageData.Dimensions") ?? throw Fail("image without Dimensions", bestData.Offset);
        var dims = dimsGroup.Entries.Select(e => (e.Node as DmData)?.Value is double v ? v : -1).ToList();
        if (dims.Count == 0 || dims.Any(v => v < 1 || v > int.MaxValue || v != Math.Floor(v)))
            throw Fail($"bad Dimensions [{string.Join(", ", dims)}]", bestData.Offset);
        if (dims.Count == 1) dims.Add(1);
        if (!allowProfiles && (dims[1] == 1 || dims[0] == 1) && dims.Skip(2).All(d => d == 1))
            throw Fail($"1-D data ({Math.Max(dims[0], dims[1])} channels, e.g. a spectrum), not an image", bestData.Offset);
        int dmType = (int)(best.Number("ImageData.DataType") ?? -1);
        var type = TypeOf(dmType) ?? throw Fail($"unsupported DM image data type {dmType}", bestData.Offset);
        int w = (int)dims[0], h = (int)dims[1];
        long frames = 1;
        for (int i = 2; i < dims.Count; i++) frames *= (long)dims[i];
        long frameBytes = (long)w * h * type.Bytes;
        if (frames > int.MaxValue || frameBytes > int.MaxValue)
            throw Fail($"dimensions [{string.Join(", ", dims)}] are too large", bestData.Offset);
        if (bestData.ByteLength < frameBytes * frames)
            throw Fail($"Data holds {bestData.ByteLength} bytes, dimensions [{string.Join(", ", dims)}] of {type.Name} need {frameBytes * frames}", bestData.Offset);

        var meta = new Dictionary<string, string>
        {
            ["dm.version"] = tags.Version.ToString(CultureInfo.InvariantCulture),
            ["dm.byte_order"] = tags.LittleEndian ? "little-endian" : "big-endian",
            ["dm.dimensions"] = string.Join(" x ", dims),
            ["dm.data_type"] = $"{dmType} ({type.Name})",
        };
        var cal = Calibration.None;
        var dimCal = best.Group("ImageData.Calibrations.Dimension");
        (double? scale, string? unit) Axis(int i)
        {
            if (dimCal is null || i >= dimCal.Entries.Count || dimCal.Entries[i].Node is not DmGroup g) return (null, null);
            return (g.Number("Scale"), g.Text("Units"));
        }
        var (sx, ux) = Axis(0);
        var (sy, uy) = Axis(1);
        for (int i = 0; i < Math.Min(dims.Count, 3); i++)
        {
            var (s, u) = Axis(i);
            if (s is double sv) meta[$"dm.axis{i}"] = (sv.ToString("G8", CultureInfo.InvariantCulture) + " " + u).Trim();
        }
        string source = format + "-tags";
        if (LengthUnits.IsReciprocal(ux) || LengthUnits.IsReciprocal(uy))
        {
            meta["calibration_note"] = $"reciprocal units ({ux}): a diffraction pattern or FFT, not a real-space pixel size";
        }
        else if (sx is double x && sy is double y && LengthUnits.NmPerUnit(ux) is double kx && LengthUnits.NmPerUnit(uy ?? ux) is double ky
                 && x > 0 && y > 0 && double.IsFinite(x * kx) && double.IsFinite(y * ky))
        {
            cal = new Calibration { PixelWidthNm = x * kx, PixelHeightNm = y * ky, PixelSizeSource = source };
        }
        else if (sx is not null)
        {
            meta["calibration_note"] = $"axis unit '{ux}' is not a length: no pixel size";
        }
        if (dims.Count >= 3)
        {
            var (st, ut) = Axis(2);
            if (st is double t && t > 0 && LengthUnits.SecondsPerUnit(ut) is double k && !string.IsNullOrEmpty(ut))
                cal = cal with { FrameIntervalS = t * k, FrameIntervalSource = source };
        }

        foreach (var (key, value) in best.Group("ImageTags")?.Flatten("") ?? [])
        {
            if (meta.Count > 60) break;
            if (key.StartsWith("DataBar.", StringComparison.Ordinal) || key.StartsWith("Microscope Info.", StringComparison.Ordinal)
                || key.Contains("Exposure", StringComparison.Ordinal) || key.StartsWith("Session Info.", StringComparison.Ordinal))
                meta["dm." + key] = value.Length > 120 ? value[..120] + "…" : value;
        }
        double? osTime = best.Number("ImageTags.DataBar.Acquisition Time (OS)");
        return new DmImage
        {
            Format = format,
            Width = w,
            Height = h,
            Frames = (int)frames,
            Type = type,
            DataOffset = bestData.Offset,
            LittleEndian = tags.LittleEndian,
            Calibration = cal,
            Metadata = meta,
            // Windows FILETIME: 100 ns ticks since 1601.
            AcquisitionTimeS = osTime is double os && os > 0 ? os * 1e-7 : null,
        };
    }
}
