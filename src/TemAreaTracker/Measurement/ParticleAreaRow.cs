using TemAreaTracker.Tracking;

namespace TemAreaTracker.Measurement;

/// <summary>
/// One particle in one frame, calibrated: a row of <c>areas.csv</c>. Missing values are NaN
/// (no pixel size: every *_nm column; out of view or lost: every measurement, never an invented area).
/// </summary>
/// <param name="Particle">Outline name.</param>
/// <param name="Frame">Zero-based frame index.</param>
/// <param name="TimeS">Time of the frame in s (the frame index when no frame interval is known).</param>
/// <param name="AreaPx">Projected area in px².</param>
/// <param name="AreaNm2">Projected area in nm².</param>
/// <param name="AreaSigmaNm2">One-sigma area uncertainty in nm².</param>
/// <param name="EquivDiameterNm">Diameter of the circle of the same area in nm.</param>
/// <param name="CentroidXPx">Area centroid x in px of the raw frame.</param>
/// <param name="CentroidYPx">Area centroid y in px of the raw frame.</param>
/// <param name="PerimeterNm">Outline perimeter in nm.</param>
/// <param name="Quality">Trust in this measurement.</param>
public sealed record ParticleAreaRow(
    string Particle, int Frame, double TimeS, double AreaPx, double AreaNm2, double AreaSigmaNm2,
    double EquivDiameterNm, double CentroidXPx, double CentroidYPx, double PerimeterNm, TrackQuality Quality)
{
    /// <summary>True when the row carries a measured area (quality ok or weak).</summary>
    public bool HasArea => Quality is TrackQuality.Ok or TrackQuality.Weak && double.IsFinite(AreaPx);

    /// <summary>Area in the run's unit: nm² when calibrated, else px².</summary>
    public double Area => double.IsFinite(AreaNm2) ? AreaNm2 : AreaPx;

    /// <summary>Calibrates one measurement.</summary>
    /// <param name="m">Tracker output for one particle in one frame.</param>
    /// <param name="timeS">Time of the frame in s.</param>
    /// <param name="calibration">Pixel size (null sizes give NaN in the nm columns).</param>
    public static ParticleAreaRow From(ParticleMeasurement m, double timeS, Calibration calibration)
    {
        bool measured = m.Quality is TrackQuality.Ok or TrackQuality.Weak && double.IsFinite(m.AreaPx);
        if (!measured)
            return new(m.Particle, m.Frame, timeS, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, m.Quality);
        double px2 = calibration.PixelAreaNm2 ?? double.NaN;
        double areaNm2 = m.AreaPx * px2;
        double perimeterNm = double.NaN;
        if (calibration.PixelWidthNm is double w && calibration.PixelHeightNm is double h)
        {
            // Non-square pixels: scale each edge by its own x and y pixel size.
            var v = m.Outline.VerticesPx;
            perimeterNm = 0;
            for (int i = 0; i < v.Count; i++)
            {
                var a = v[i];
                var b = v[(i + 1) % v.Count];
                perimeterNm += Math.Sqrt(Math.Pow((b.X - a.X) * w, 2) + Math.Pow((b.Y - a.Y) * h, 2));
            }
        }
        var c = m.CentroidPx;
        return new(m.Particle, m.Frame, timeS, m.AreaPx, areaNm2, m.AreaSigmaPx * px2,
            2 * Math.Sqrt(areaNm2 / Math.PI), c.X, c.Y, perimeterNm, m.Quality);
    }

    /// <summary>The CSV spelling of a quality flag: ok, weak, out_of_view, lost.</summary>
    public static string QualityName(TrackQuality q) => q switch
    {
        TrackQuality.Ok => "ok",
        TrackQuality.Weak => "weak",
        TrackQuality.OutOfView => "out_of_view",
        TrackQuality.Lost => "lost",
        _ => throw new ArgumentOutOfRangeException(nameof(q), q, null),
    };

    /// <summary>Parses <see cref="QualityName"/>'s spelling.</summary>
    public static TrackQuality ParseQuality(string s) => s switch
    {
        "ok" => TrackQuality.Ok,
        "weak" => TrackQuality.Weak,
        "out_of_view" => TrackQuality.OutOfView,
        "lost" => TrackQuality.Lost,
        _ => throw new FormatException($"unknown quality '{s}' (expected ok, weak, out_of_view or lost)"),
    };
}
