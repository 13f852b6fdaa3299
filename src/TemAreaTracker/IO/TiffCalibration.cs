using BitMiracle.LibTiff.Classic;

namespace TemAreaTracker.IO;

/// <summary>
/// What a TIFF's tags say about pixel size, frame interval and value map: the ImageJ description block, X/YResolution
/// with its unit, and the Thermo Fisher/FEI INI block.
/// </summary>
internal static class TiffCalibration
{
    /// <summary>The "key=value" lines of an ImageJ ImageDescription ("ImageJ=…" first); empty for any other description.</summary>
    public static Dictionary<string, string> ParseImageJ(string? desc)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (desc is null || !desc.StartsWith("ImageJ=", StringComparison.Ordinal)) return d;
        foreach (var line in desc.Split('\n'))
        {
            int eq = line.IndexOf('=');
            if (eq > 0) d[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return d;
    }

    /// <summary>Pixel size and frame interval (with their sources) and the ImageJ value map of the IFD <paramref name="tif"/> is on.</summary>
    public static (Calibration, IntensityCalibration?) Read(Tiff tif, Dictionary<string, string> ij)
    {
        double? xres = tif.GetField(TiffTag.XRESOLUTION)?[0].ToDouble();
        double? yres = tif.GetField(TiffTag.YRESOLUTION)?[0].ToDouble();
        int resUnit = tif.GetField(TiffTag.RESOLUTIONUNIT)?[0].ToInt() ?? 2;
        double? nmPerUnit = null;
        string source = "none";
        if (ij.TryGetValue("unit", out var unit))
        {
            nmPerUnit = LengthUnits.NmPerUnit(unit);
            source = "imagej-tiff";
        }
        else if (resUnit == 3)
        {
            nmPerUnit = 1e7;
            source = "tiff-resolution";
        }
        double? pw = nmPerUnit is double u && xres is double xr && xr > 0 && double.IsFinite(xr) ? u / xr : null;
        double? ph = nmPerUnit is double u2 && yres is double yr && yr > 0 && double.IsFinite(yr) ? u2 / yr : pw;
        if (source == "tiff-resolution" && pw is > 1e4) pw = ph = null; // a print resolution, not a microscope pixel
        var cal = pw is double w && w > 0 && ph is double h && h > 0
            ? new Calibration { PixelWidthNm = w, PixelHeightNm = h, PixelSizeSource = source }
            : Calibration.None;
        if (cal.PixelWidthNm is null && FeiMetadata(tif) is { } fei)
        {
            // Thermo Fisher/FEI microscopes write an INI block in private tag 34682 (or 34680): [Scan] PixelWidth in m.
            if (LengthUnits.ParseDouble(fei.GetValueOrDefault("Scan.PixelWidth")) is double fw && fw > 0 && fw < 1)
            {
                double fh = LengthUnits.ParseDouble(fei.GetValueOrDefault("Scan.PixelHeight")) is double v && v > 0 && v < 1 ? v : fw;
                cal = new Calibration { PixelWidthNm = fw * 1e9, PixelHeightNm = fh * 1e9, PixelSizeSource = "fei-tiff" };
            }
            if (LengthUnits.ParseDouble(fei.GetValueOrDefault("Scan.FrameTime")) is double ft && ft > 0)
                cal = cal with { FrameIntervalS = ft, FrameIntervalSource = "fei-tiff" };
        }

        double? secPerT = LengthUnits.SecondsPerUnit(ij.GetValueOrDefault("tunit") ?? "s");
        if (ij.TryGetValue("finterval", out var fi) && LengthUnits.ParseDouble(fi) is double interval && interval > 0 && secPerT is double spt)
            cal = cal with { FrameIntervalS = interval * spt, FrameIntervalSource = "imagej-finterval" };
        else if (ij.TryGetValue("fps", out var fps) && LengthUnits.ParseDouble(fps) is double f && f > 0)
            cal = cal with { FrameIntervalS = 1 / f, FrameIntervalSource = "imagej-fps" };

        IntensityCalibration? intensity = null;
        double c0 = LengthUnits.ParseDouble(ij.GetValueOrDefault("c0")) ?? 0, c1 = LengthUnits.ParseDouble(ij.GetValueOrDefault("c1")) ?? 1;
        if (ij.ContainsKey("c0") || ij.ContainsKey("c1"))
            intensity = new IntensityCalibration(c0, c1, ij.GetValueOrDefault("vunit"));
        return (cal, intensity);
    }

    /// <summary>The FEI/Thermo INI block ("[Section]" then "Key=Value" lines) as "Section.Key" → value, or null.</summary>
    public static Dictionary<string, string>? FeiMetadata(Tiff tif)
    {
        foreach (int tag in new[] { 34682, 34680 })
        {
            var v = tif.GetField((TiffTag)tag);
            if (v is null || v.Length == 0 || v[^1].Value is not byte[] bytes || bytes.Length > 1 << 20) continue;
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            string section = "";
            foreach (var raw in System.Text.Encoding.Latin1.GetString(bytes).Split('\n'))
            {
                string line = raw.Trim().Trim('\0');
                if (line.StartsWith('[') && line.EndsWith(']')) section = line[1..^1];
                else if (line.IndexOf('=') is int eq && eq > 0) d[$"{section}.{line[..eq].Trim()}"] = line[(eq + 1)..].Trim();
            }
            if (d.Count > 0) return d;
        }
        return null;
    }
}
