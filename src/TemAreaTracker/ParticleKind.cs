namespace TemAreaTracker;

/// <summary>What an outline holds: one particle, or a cluster of several (areas.csv column <c>kind</c>).</summary>
public enum ParticleKind
{
    /// <summary>One particle: its area curve can be read as one swelling sphere (or rod, or sheet).</summary>
    Particle,

    /// <summary>
    /// An outline around two or more particles (it encloses two or more outlines or detected particles on its first
    /// frame, or its name starts with <c>cluster</c>): its area is the union of several particles' projections, so no
    /// single-particle model's D describes it.
    /// </summary>
    Cluster,
}

/// <summary>The CSV spelling of <see cref="ParticleKind"/> and the naming rule for clusters.</summary>
public static class ParticleKinds
{
    /// <summary>Prefix of outline names taken as clusters whatever they enclose (case-insensitive).</summary>
    public const string ClusterNamePrefix = "cluster";

    /// <summary><c>particle</c> or <c>cluster</c>.</summary>
    public static string Name(this ParticleKind kind) => kind switch
    {
        ParticleKind.Particle => "particle",
        ParticleKind.Cluster => "cluster",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses <see cref="Name"/>'s spelling (case-insensitive, surrounding blanks ignored).</summary>
    public static bool TryParse(string? text, out ParticleKind kind)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "particle": kind = ParticleKind.Particle; return true;
            case "cluster": kind = ParticleKind.Cluster; return true;
            default: kind = ParticleKind.Particle; return false;
        }
    }

    /// <summary>True when the user named the outline as a cluster (<c>cluster</c>, <c>Cluster2</c>, <c>cluster-left</c>, …).</summary>
    public static bool NamedAsCluster(string outlineName) =>
        outlineName.Trim().StartsWith(ClusterNamePrefix, StringComparison.OrdinalIgnoreCase);
}
