using System.Globalization;

namespace TemAreaTracker.Fitting;

/// <summary>How <see cref="IntervalText"/> writes numbers.</summary>
public enum NumberStyle
{
    /// <summary>Mantissa and exponent, as D in cm²/s: <c>1.26e-12</c>.</summary>
    Scientific,
    /// <summary>Fixed point for magnitudes 1e-3 to 1e6, scientific beyond, as v in nm/s: <c>13.3</c>.</summary>
    General,
}

/// <summary>
/// An estimate with its interval in text, with enough significant digits that the estimate and both ends print
/// differently: <c>1.294e-12 [1.285e-12, 1.303e-12]</c>, never <c>1.29e-12 [1.3e-12, 1.3e-12]</c>.
/// </summary>
/// <remarks>
/// Starts at <see cref="MinDigits"/> significant digits and adds one until the three differ, up to
/// <see cref="MaxDigits"/>. The estimate is rounded to nearest; the low end is rounded down and the high end up, so the
/// printed interval always contains the computed one (rounding widens it, never narrows it). An open end (±∞, or a
/// lower end ≤ 0 for a positive quantity) prints as <c>open</c>.
/// </remarks>
public static class IntervalText
{
    /// <summary>Significant digits tried first.</summary>
    public const int MinDigits = 3;

    /// <summary>Most significant digits ever printed.</summary>
    public const int MaxDigits = 5;

    /// <summary>Estimate, low and high end as printed (each with the same number of significant digits).</summary>
    public static (string Estimate, string Lo, string Hi) Parts(double estimate, Interval ci, NumberStyle style = NumberStyle.Scientific)
    {
        (string, string, string) at = default;
        for (int digits = MinDigits; digits <= MaxDigits; digits++)
        {
            at = (Number(estimate, digits, style, 0), End(ci.Lo, estimate, digits, style, -1), End(ci.Hi, estimate, digits, style, +1));
            if (at.Item1 != at.Item2 && at.Item1 != at.Item3) break;
        }
        return at;
    }

    /// <summary><c>estimate [lo, hi]</c> (see <see cref="Parts"/>).</summary>
    public static string Format(double estimate, Interval ci, NumberStyle style = NumberStyle.Scientific)
    {
        var (e, lo, hi) = Parts(estimate, ci, style);
        return $"{e} [{lo}, {hi}]";
    }

    /// <summary>
    /// <paramref name="x"/> with <paramref name="digits"/> significant digits, rounded to nearest
    /// (<paramref name="direction"/> 0), down (−1) or up (+1).
    /// </summary>
    public static string Number(double x, int digits, NumberStyle style = NumberStyle.Scientific, int direction = 0)
    {
        if (double.IsNaN(x)) return "NaN";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        if (x == 0) return "0";
        int e = (int)Math.Floor(Math.Log10(Math.Abs(x)));
        // Integer mantissa of `digits` digits: q = x / 10^(e − digits + 1), rounded as asked.
        double q = Scale(x, digits - 1 - e);
        double r = direction < 0 ? Math.Floor(q + 1e-9 * Math.Abs(q)) : direction > 0 ? Math.Ceiling(q - 1e-9 * Math.Abs(q)) : Math.Round(q, MidpointRounding.AwayFromZero);
        if (Math.Abs(r) >= Math.Pow(10, digits)) { r /= 10; e++; }
        else if (Math.Abs(r) < Math.Pow(10, digits - 1) && r != 0) { r *= 10; e--; }
        var inv = CultureInfo.InvariantCulture;
        if (style == NumberStyle.General && e >= -3 && e < 6)
        {
            int decimals = Math.Max(0, digits - 1 - e);
            double v = Scale(r, -(digits - 1 - e));
            return v.ToString("F" + decimals, inv);
        }
        double mantissa = r / Math.Pow(10, digits - 1);
        return mantissa.ToString("F" + (digits - 1), inv) + "e" + e.ToString(inv);
    }

    private static string End(double bound, double estimate, int digits, NumberStyle style, int direction)
    {
        bool open = double.IsNaN(bound) || double.IsInfinity(bound) || (direction < 0 && estimate > 0 && bound <= 0);
        return open ? "open" : Number(bound, digits, style, direction);
    }

    // x · 10^p without the drift of repeated multiplication.
    private static double Scale(double x, int p) => p >= 0 ? x * Math.Pow(10, p) : x / Math.Pow(10, -p);
}
