namespace TemAreaTracker.Segmentation;

/// <summary>
/// How one particle's edge looks in the image: a sphere rim of a given absorption, with a defocus fringe when out of
/// focus, seen through a Gaussian PSF, dark on a brighter background (bright field) or the reverse (inverted contrast).
/// </summary>
/// <param name="BlurSigmaPx">PSF σ in px.</param>
/// <param name="CentreOpticalThickness">Optical thickness through the particle centre (2R/λ); large = hard edge.</param>
/// <param name="RimRadiusPx">Curvature radius of the rim in px (the particle's equivalent radius).</param>
/// <param name="DarkParticle">True when the particle is darker than its surroundings.</param>
public sealed record EdgeModel(double BlurSigmaPx, double CentreOpticalThickness, double RimRadiusPx, bool DarkParticle)
{
    private RimProfile? _profile;

    // `with` copies fields; the tabulated profile belongs to the old parameters, so it is not copied.
    private EdgeModel(EdgeModel original)
    {
        BlurSigmaPx = original.BlurSigmaPx;
        CentreOpticalThickness = original.CentreOpticalThickness;
        RimRadiusPx = original.RimRadiusPx;
        DarkParticle = original.DarkParticle;
        FringeStrength = original.FringeStrength;
        FringeWidthPx = original.FringeWidthPx;
    }

    /// <summary>Defocus (Fresnel) fringe strength c of <see cref="RimProfile"/> (0 = in focus, no fringe; &gt; 0 underfocus).</summary>
    public double FringeStrength { get; init; }

    /// <summary>Defocus fringe width w in px (√(λ|Δf|)); used when <see cref="FringeStrength"/> ≠ 0.</summary>
    public double FringeWidthPx { get; init; }

    /// <summary>Deepest point inside the rim that profiles reach, px.</summary>
    internal const double MaxInsidePx = 40;

    /// <summary>Tabulated rim profile of this model (built on first use).</summary>
    internal RimProfile Profile =>
        _profile ??= new RimProfile(CentreOpticalThickness, Math.Max(RimRadiusPx, 3), BlurSigmaPx, MaxInsidePx, FringeStrength, FringeWidthPx);

    /// <summary>Signal whose rim deficit is positive inside the particle: −I for dark particles, I for bright ones.</summary>
    internal double Signal(double intensity) => DarkParticle ? -intensity : intensity;
}
