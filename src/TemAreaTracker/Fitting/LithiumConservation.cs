namespace TemAreaTracker.Fitting;

/// <summary>How well Σ A^{3/2} (∝ total volume, hence lithium) holds across a cluster during redistribution.</summary>
/// <param name="Particles">Particles summed.</param>
/// <param name="StartS">First time used (the contact-loss time or later), s.</param>
/// <param name="EndS">Last time used, s.</param>
/// <param name="Frames">Times at which every particle had an area.</param>
/// <param name="RelativeDrift">Change of Σ A^{3/2} over [StartS, EndS] from a straight-line fit, relative to its mean.</param>
/// <param name="MaxRelativeDeviation">Largest |Σ A^{3/2} − mean| / mean.</param>
/// <param name="Verdict">Plain-words reading.</param>
public sealed record ConservationCheck(
    IReadOnlyList<string> Particles, double StartS, double EndS, int Frames, double RelativeDrift, double MaxRelativeDeviation, string Verdict);

/// <summary>
/// Lithium conservation across a cluster cut off from the electrolyte: lithium only moves between particles, so the
/// total volume Σ V ∝ Σ A^{3/2} stays constant while lithium-rich particles shrink and poor ones swell. A drift
/// points at segmentation (merged or clipped outlines), a beam effect, or a particle that still touches the electrolyte.
/// </summary>
internal static class LithiumConservation
{
    /// <summary>Checks Σ A^{3/2} over the times ≥ <paramref name="startS"/> at which all particles have an area.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 particles, or fewer than 3 common times.</exception>
    public static ConservationCheck Check(IReadOnlyList<AreaSeries> particles, double startS)
    {
        if (particles.Count < 2)
            throw new ArgumentException($"the conservation check needs at least 2 particles of one cluster (got {particles.Count})");
        var maps = particles.Select(p => Enumerable.Range(0, p.Count).Where(i => p.TimeS[i] >= startS)
            .ToDictionary(i => p.TimeS[i], i => p.AreaNm2[i])).ToList();
        var times = maps[0].Keys.Where(t => maps.All(m => m.ContainsKey(t))).OrderBy(t => t).ToArray();
        if (times.Length < 3)
            throw new ArgumentException($"the conservation check needs at least 3 times after {startS} s at which every particle has an area (got {times.Length})");
        var sum = times.Select(t => maps.Sum(m => Math.Pow(m[t], 1.5))).ToArray();
        double mean = sum.Average(), tm = times.Average();
        double sxy = 0, sxx = 0;
        for (int i = 0; i < times.Length; i++) { sxy += (times[i] - tm) * (sum[i] - mean); sxx += (times[i] - tm) * (times[i] - tm); }
        double slope = sxx > 0 ? sxy / sxx : 0;
        double drift = slope * (times[^1] - times[0]) / mean;
        double maxDev = sum.Max(s => Math.Abs(s - mean)) / mean;
        string verdict = Math.Abs(drift) < 0.03
            ? $"total volume (Σ A^3/2) holds to {Math.Abs(drift):P1}: consistent with lithium moving only between these particles"
            : $"total volume (Σ A^3/2) drifts by {drift:+0.0%;-0.0%}: lithium is not conserved among these particles; check the outlines (merged or clipped), whether the cluster still touches the electrolyte, or beam effects";
        return new ConservationCheck(particles.Select(p => p.Particle).ToList(), times[0], times[^1], times.Length, drift, maxDev, verdict);
    }
}
