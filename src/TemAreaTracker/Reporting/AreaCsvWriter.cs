using System.Globalization;
using CsvHelper;
using TemAreaTracker.Measurement;

namespace TemAreaTracker.Reporting;

/// <summary>
/// Writes <c>areas.csv</c>: long form, one row per particle per frame, sorted by particle then frame.
/// Columns (a public contract): <c>particle,frame,time_s,area_px,area_nm2,area_sigma_nm2,equiv_diameter_nm,
/// centroid_x_px,centroid_y_px,perimeter_nm,quality</c>. A missing value is an empty field (pandas and R read NaN/NA).
/// </summary>
internal static class AreaCsvWriter
{
    /// <summary>The header, in order.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "particle", "frame", "time_s", "area_px", "area_nm2", "area_sigma_nm2", "equiv_diameter_nm",
        "centroid_x_px", "centroid_y_px", "perimeter_nm", "quality",
    ];

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> (UTF-8, no BOM, invariant culture).</summary>
    public static void Write(string path, IEnumerable<ParticleAreaRow> rows)
    {
        using var w = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
        Write(w, rows);
    }

    /// <summary>Writes <paramref name="rows"/> to <paramref name="writer"/>.</summary>
    public static void Write(TextWriter writer, IEnumerable<ParticleAreaRow> rows)
    {
        var options = CsvWriterOptions.Default with { FormatProvider = CultureInfo.InvariantCulture, NewLine = "\n" };
        using var csv = CsvWriter.Create(writer, options, true);
        foreach (var c in Columns) csv.WriteField(c);
        csv.EndRecord();
        // Keep the particles in their given order, frames ascending within each.
        var order = new Dictionary<string, int>();
        foreach (var r in rows)
            order.TryAdd(r.Particle, order.Count);
        foreach (var r in rows.OrderBy(r => order[r.Particle]).ThenBy(r => r.Frame))
        {
            csv.WriteField(r.Particle);
            csv.WriteField(r.Frame.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(Num(r.TimeS));
            csv.WriteField(Num(r.AreaPx));
            csv.WriteField(Num(r.AreaNm2));
            csv.WriteField(Num(r.AreaSigmaNm2));
            csv.WriteField(Num(r.EquivDiameterNm));
            csv.WriteField(Num(r.CentroidXPx));
            csv.WriteField(Num(r.CentroidYPx));
            csv.WriteField(Num(r.PerimeterNm));
            csv.WriteField(ParticleAreaRow.QualityName(r.Quality));
            csv.EndRecord();
        }
    }

    // Shortest round-trip text; NaN/inf as an empty field rather than "NaN" so no tool mistakes it for a number.
    private static string Num(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}
