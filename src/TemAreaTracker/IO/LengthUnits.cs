using System.Globalization;

namespace TemAreaTracker.IO;

/// <summary>Converts the length and time units microscope files write into nm and s.</summary>
internal static class LengthUnits
{
    /// <summary>
    /// nm per one <paramref name="unit"/>: "nm" → 1, "um"/"µm"/"micron" → 1000, "A"/"Å" → 0.1, "pm", "mm", "cm", "m".
    /// Null for "pixel", "", reciprocal units such as "1/nm" (a diffraction pattern has no pixel size) and anything unknown.
    /// </summary>
    public static double? NmPerUnit(string? unit)
    {
        if (unit is null) return null;
        string u = unit.Trim().Replace("\\u00B5", "µ", StringComparison.OrdinalIgnoreCase).Replace("\\u00C5", "Å", StringComparison.OrdinalIgnoreCase);
        return u switch
        {
            "nm" or "nanometer" or "nanometers" or "nanometre" => 1.0,
            "um" or "µm" or "μm" or "micron" or "microns" or "micrometer" or "micrometre" => 1000.0,
            "A" or "Å" or "Å" or "angstrom" or "Angstrom" or "Angstroms" or "ang" => 0.1,
            "pm" => 1e-3,
            "mm" => 1e6,
            "cm" => 1e7,
            "m" => 1e9,
            _ => null,
        };
    }

    /// <summary>True for reciprocal lengths ("1/nm", "nm^-1", "1/Å"): diffraction or FFT axes, not a pixel size.</summary>
    public static bool IsReciprocal(string? unit) =>
        unit is not null && (unit.Trim().StartsWith("1/", StringComparison.Ordinal) || unit.Contains("^-1", StringComparison.Ordinal) || unit.Contains("⁻¹", StringComparison.Ordinal));

    /// <summary>Seconds per one <paramref name="unit"/> ("s", "sec", "ms", "us", "min", "h"); null if unknown.</summary>
    public static double? SecondsPerUnit(string? unit) => unit?.Trim() switch
    {
        null => null,
        "s" or "sec" or "second" or "seconds" or "" => 1.0,
        "ms" or "msec" => 1e-3,
        "us" or "µs" or "usec" => 1e-6,
        "ns" => 1e-9,
        "min" or "minute" or "minutes" => 60.0,
        "h" or "hr" or "hour" or "hours" => 3600.0,
        _ => null,
    };

    internal static double? ParseDouble(string? s) =>
        s is not null && double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : null;
}
