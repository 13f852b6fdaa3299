namespace TemAreaTracker.Segmentation;

/// <summary>
/// How one particle's edge looks: its shape (sphere rim or step), the PSF blur σ in px, and whether the particle
/// is darker than its surroundings (bright field)
/// or brighter (inverted contrast, dark field).
/// </summary>
public sealed record EdgeModel(EdgeShape Shape, double BlurSigmaPx, bool DarkParticle)
{
    /// <summary>Starting guess before the first frame tells: a blurred sphere rim, σ = 1.2 px.</summary>
    public static EdgeModel Default(bool darkParticle) => new(EdgeShape.SphereRim, 1.2, darkParticle);

    private static readonly EdgeTemplate[] RimTemplates = [EdgeTemplate.Sqrt, EdgeTemplate.Ramp, EdgeTemplate.Pow32];
    private static readonly EdgeTemplate[] StepTemplates = [EdgeTemplate.Step01, EdgeTemplate.Ramp, EdgeTemplate.Square];

    /// <summary>The leading template (whose amplitude must be positive), then the correction terms.</summary>
    internal EdgeTemplate[] Templates => Shape == EdgeShape.SphereRim ? RimTemplates : StepTemplates;

    /// <summary>Signal that rises into the particle: −I for dark particles, I for bright ones.</summary>
    internal double Signal(double intensity) => DarkParticle ? -intensity : intensity;
}
