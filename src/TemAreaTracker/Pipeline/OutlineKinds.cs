using OpenCvSharp;

namespace TemAreaTracker.Pipeline;

/// <summary>One outline's kind and why (for areas.csv's <c>kind</c> column and the run's messages).</summary>
/// <param name="Kind">Particle or cluster.</param>
/// <param name="Why">For a cluster, what made it one (e.g. "encloses outlines p1, p2"); null for a particle.</param>
internal sealed record OutlineKind(ParticleKind Kind, string? Why);

/// <summary>
/// Which outlines are clusters, decided once on the frame they are drawn on: an outline is a <see cref="ParticleKind.Cluster"/>
/// when its name starts with <c>cluster</c>, when the centroids of two or more smaller outlines of the same frame lie
/// inside it (the tracker's cluster members are such outlines), or when the centroids of two or more particles the
/// detector finds on frame 0 lie inside it.
/// </summary>
internal static class OutlineKinds
{
    /// <summary>Enclosed outlines or detected particles that make an outline a cluster.</summary>
    public const int MinParticlesInCluster = 2;

    /// <summary>Kinds of <paramref name="outlines"/>, in order.</summary>
    /// <param name="outlines">The outlines tracked.</param>
    /// <param name="detectedOnFrame0">Particles found by the detector on frame 0 (empty when not run); compared only with outlines of frame 0.</param>
    public static IReadOnlyList<OutlineKind> Classify(IReadOnlyList<Outline> outlines, IReadOnlyList<Outline> detectedOnFrame0)
    {
        var kinds = new OutlineKind[outlines.Count];
        for (int i = 0; i < outlines.Count; i++)
        {
            var me = outlines[i];
            int frame = me.Frame ?? 0;
            var why = new List<string>();
            if (ParticleKinds.NamedAsCluster(me.Name)) why.Add($"named '{me.Name}'");
            var enclosed = outlines.Where((o, j) => j != i && (o.Frame ?? 0) == frame && o.AreaPx < me.AreaPx && Inside(me.VerticesPx, o.Centroid))
                .Select(o => o.Name).ToList();
            if (enclosed.Count >= MinParticlesInCluster) why.Add($"encloses outlines {string.Join(", ", enclosed)}");
            if (frame == 0)
            {
                int found = detectedOnFrame0.Count(d => d.AreaPx < me.AreaPx && Inside(me.VerticesPx, d.Centroid));
                if (found >= MinParticlesInCluster) why.Add($"encloses {found} particles found by the particle detector on frame 0");
            }
            kinds[i] = why.Count > 0 ? new OutlineKind(ParticleKind.Cluster, string.Join("; ", why)) : new OutlineKind(ParticleKind.Particle, null);
        }
        return kinds;
    }

    /// <summary>Even-odd rule: true when <paramref name="p"/> lies inside the closed polygon <paramref name="poly"/>.</summary>
    internal static bool Inside(IReadOnlyList<Point2d> poly, Point2d p)
    {
        bool inside = false;
        for (int i = 0, j = poly.Count - 1; i < poly.Count; j = i++)
        {
            var a = poly[i];
            var b = poly[j];
            if ((a.Y > p.Y) != (b.Y > p.Y) && p.X < (b.X - a.X) * (p.Y - a.Y) / (b.Y - a.Y) + a.X) inside = !inside;
        }
        return inside;
    }
}
