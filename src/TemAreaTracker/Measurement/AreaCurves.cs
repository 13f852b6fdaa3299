using System.Globalization;
using TemAreaTracker.Tracking;

namespace TemAreaTracker.Measurement;

/// <summary>
/// Each particle's area curve, the input of fitting, with what was left out: built in process from a run's calibrated
/// rows (<see cref="FromRows"/>), or read back from its areas.csv (<c>IO.AreaCsvReader</c>), with the same result.
/// </summary>
/// <param name="Series">Usable points of each particle, in order of first appearance.</param>
/// <param name="SkippedRows">Rows left out because the area was missing, not positive, or the quality neither ok nor weak.</param>
/// <param name="SkippedByParticle">The same count per particle.</param>
public sealed record AreaCurves(IReadOnlyList<AreaSeries> Series, int SkippedRows, IReadOnlyDictionary<string, int> SkippedByParticle)
{
    /// <summary>
    /// The curves of <paramref name="rows"/>, point for point those that reading the areas.csv written from the same
    /// rows gives, so that track → fit in one process fits what track → areas.csv → fit does: particles in order of first
    /// appearance, frames ascending; a row is a point when its area in nm² is a finite number above zero and its quality
    /// ok or weak (NaN, lost and out_of_view rows are skipped and counted); a series carries uncertainties only when every
    /// point has a finite one above zero.
    /// </summary>
    /// <param name="rows">A run's rows (any order).</param>
    /// <param name="sourceName">Prefixes every error message (e.g. the run's areas.csv path).</param>
    /// <exception cref="InvalidDataException">
    /// No rows, an empty particle name, a time that is not finite or does not increase, or no pixel size (areas in px² only:
    /// fitting needs nm²).
    /// </exception>
    public static AreaCurves FromRows(IEnumerable<ParticleAreaRow> rows, string sourceName)
    {
        // The order areas.csv is written in: particles by first appearance, frames ascending within each.
        var first = new Dictionary<string, int>();
        var list = rows.ToList();
        foreach (var r in list) first.TryAdd(r.Particle, first.Count);
        var order = new List<string>();
        var points = new Dictionary<string, List<(int Frame, double T, double A, double S)>>();
        var skipped = new Dictionary<string, int>();
        int skippedTotal = 0, anyPxOnly = 0;
        foreach (var r in list.OrderBy(r => first[r.Particle]).ThenBy(r => r.Frame))
        {
            // As the CSV reader reads a field: names trimmed; a number that is not finite is an empty field, i.e. NaN.
            string particle = r.Particle.Trim();
            if (particle.Length == 0) throw new InvalidDataException($"{sourceName}: frame {r.Frame}: empty particle name");
            double t = r.TimeS;
            if (!double.IsFinite(t)) throw new InvalidDataException($"{sourceName}: particle {particle}, frame {r.Frame}: time_s is not a finite number");
            double a = double.IsFinite(r.AreaNm2) ? r.AreaNm2 : double.NaN;
            double s = double.IsFinite(r.AreaSigmaNm2) ? r.AreaSigmaNm2 : double.NaN;
            if (!points.ContainsKey(particle)) { order.Add(particle); points[particle] = []; skipped[particle] = 0; }
            var series = points[particle];
            if (series.Count > 0 && !(t > series[^1].T))
                throw new InvalidDataException(t == series[^1].T
                    ? $"{sourceName}: particle {particle} has duplicate time {t.ToString(CultureInfo.InvariantCulture)} s (frames {series[^1].Frame} and {r.Frame})"
                    : $"{sourceName}: particle {particle}: times must increase, but frame {r.Frame} at {t.ToString(CultureInfo.InvariantCulture)} s follows {series[^1].T.ToString(CultureInfo.InvariantCulture)} s");
            bool usable = double.IsFinite(a) && a > 0 && r.Quality is TrackQuality.Ok or TrackQuality.Weak;
            if (!usable)
            {
                if (!double.IsFinite(a) && double.IsFinite(r.AreaPx)) anyPxOnly++;
                skipped[particle]++;
                skippedTotal++;
                // Keep the time so that duplicate/decreasing times are still caught across skipped rows.
                series.Add((r.Frame, t, double.NaN, double.NaN));
                continue;
            }
            series.Add((r.Frame, t, a, s));
        }

        if (order.Count == 0) throw new InvalidDataException($"{sourceName}: no data rows");
        if (points.Values.All(l => l.All(p => double.IsNaN(p.A))) && anyPxOnly > 0)
            throw new InvalidDataException($"{sourceName}: area_nm2 is empty (uncalibrated areas in px only); re-run track with --pixel-size-nm");
        var curves = order.Select(name =>
        {
            var ok = points[name].Where(p => !double.IsNaN(p.A)).ToList();
            bool sigma = ok.Count > 0 && ok.All(p => double.IsFinite(p.S) && p.S > 0);
            return new AreaSeries(name, ok.Select(p => p.T).ToArray(), ok.Select(p => p.A).ToArray(), sigma ? ok.Select(p => p.S).ToArray() : null);
        }).ToList();
        return new AreaCurves(curves, skippedTotal, skipped);
    }
}
