namespace TemAreaTracker;

/// <summary>
/// One particle's projected area against time: the curve of the paper's Figure 2f, and the input of fitting.
/// </summary>
/// <remarks>Pure data: no OpenCV, no I/O. Times strictly increase. Areas are in nm² (or px² when uncalibrated).</remarks>
public sealed record AreaSeries
{
    public AreaSeries(string particle, IReadOnlyList<double> timeS, IReadOnlyList<double> areaNm2, IReadOnlyList<double>? areaSigmaNm2 = null)
    {
        if (timeS.Count != areaNm2.Count)
            throw new ArgumentException($"particle {particle}: {timeS.Count} times but {areaNm2.Count} areas");
        if (areaSigmaNm2 is not null && areaSigmaNm2.Count != areaNm2.Count)
            throw new ArgumentException($"particle {particle}: {areaSigmaNm2.Count} uncertainties but {areaNm2.Count} areas");
        Particle = particle;
        TimeS = timeS;
        AreaNm2 = areaNm2;
        AreaSigmaNm2 = areaSigmaNm2;
    }

    /// <summary>Particle (or cluster) name.</summary>
    public string Particle { get; init; }

    /// <summary>Time of each point in s.</summary>
    public IReadOnlyList<double> TimeS { get; init; }

    /// <summary>Projected area of each point in nm².</summary>
    public IReadOnlyList<double> AreaNm2 { get; init; }

    /// <summary>One-sigma area uncertainty per point in nm² from tracking, when known (used as fit weights).</summary>
    public IReadOnlyList<double>? AreaSigmaNm2 { get; init; }

    /// <summary>
    /// What the outline holds (areas.csv <c>kind</c>; default <see cref="ParticleKind.Particle"/>). A
    /// <see cref="ParticleKind.Cluster"/>'s area is the union of several particles: fitting reports no D for it.
    /// </summary>
    public ParticleKind Kind { get; init; } = ParticleKind.Particle;

    /// <summary>Number of points.</summary>
    public int Count => TimeS.Count;
}
