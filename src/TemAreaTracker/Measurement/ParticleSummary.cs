using TemAreaTracker.Tracking;

namespace TemAreaTracker.Measurement;

/// <summary>One particle's run in a sentence: the summary table's row.</summary>
/// <param name="Particle">Outline name.</param>
/// <param name="InitialArea">First measured area (nm², or px² when uncalibrated), NaN if never measured.</param>
/// <param name="FinalArea">Last measured area, same unit.</param>
/// <param name="GrowthPercent">100 (final − initial) / initial.</param>
/// <param name="OkFraction">Fraction of frames with quality ok.</param>
/// <param name="MeasuredFrames">Frames with a measured area (ok or weak).</param>
/// <param name="Frames">Frames tracked.</param>
public sealed record ParticleSummary(string Particle, double InitialArea, double FinalArea, double GrowthPercent, double OkFraction, int MeasuredFrames, int Frames)
{
    /// <summary>Summarises each particle's rows (in first-appearance order).</summary>
    public static IReadOnlyList<ParticleSummary> Of(IEnumerable<ParticleAreaRow> rows) =>
        rows.GroupBy(r => r.Particle).Select(g =>
        {
            var all = g.OrderBy(r => r.Frame).ToList();
            var measured = all.Where(r => r.HasArea).ToList();
            double a0 = measured.Count > 0 ? measured[0].Area : double.NaN;
            double a1 = measured.Count > 0 ? measured[^1].Area : double.NaN;
            return new ParticleSummary(g.Key, a0, a1, 100 * (a1 - a0) / a0,
                all.Count(r => r.Quality == TrackQuality.Ok) / (double)Math.Max(1, all.Count), measured.Count, all.Count);
        }).ToList();
}
