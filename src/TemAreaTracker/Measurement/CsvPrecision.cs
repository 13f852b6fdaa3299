using System.Globalization;

namespace TemAreaTracker.Measurement;

/// <summary>
/// The precision numbers are written to CSV with (areas.csv, fit.csv): times to 1 µs, areas and lengths to 7 significant
/// digits, far below what a tracked outline resolves (its σ_A is ~1 %), and free of binary-fraction tails such as
/// 0.23099999999999998 for frame 3 × 0.077 s.
/// </summary>
/// <remarks>
/// Each value is rounded to the nearest decimal of that precision and kept as the double nearest to that decimal, so
/// its shortest round-trip text ("R") is the decimal itself. The in-process curves (<see cref="AreaCurves.FromRows"/>)
/// round the same way, so track → fit in one process fits exactly what reading areas.csv back gives.
/// </remarks>
internal static class CsvPrecision
{
    /// <summary>Decimal places of a time in s (1 µs).</summary>
    public const int TimeDecimals = 6;

    /// <summary>Significant digits of areas, lengths, coordinates.</summary>
    public const int SignificantDigits = 7;

    /// <summary><paramref name="seconds"/> rounded to 1 µs (non-finite values unchanged).</summary>
    public static double Time(double seconds)
    {
        if (!double.IsFinite(seconds) || Math.Abs(seconds) >= 1e15) return seconds;
        return double.Parse(seconds.ToString("F" + TimeDecimals, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary><paramref name="value"/> rounded to 7 significant digits (non-finite values unchanged).</summary>
    public static double Significant(double value)
    {
        if (!double.IsFinite(value)) return value;
        return double.Parse(value.ToString("G" + SignificantDigits, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>CSV text of a time in s: rounded to 1 µs, shortest form; empty when not finite.</summary>
    public static string TimeText(double seconds) => Text(Time(seconds));

    /// <summary>CSV text of an area or length: 7 significant digits, shortest form; empty when not finite.</summary>
    public static string SignificantText(double value) => Text(Significant(value));

    // Shortest round-trip text; NaN/inf as an empty field rather than "NaN" so no tool mistakes it for a number.
    private static string Text(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}
