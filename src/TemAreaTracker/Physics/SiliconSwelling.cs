namespace TemAreaTracker.Physics;

/// <summary>
/// Volume expansion of Si on lithiation and what it does to a projected area.
/// V/V0 = 1 + (β − 1) f, with f the lithiated fraction and β = V_full/V0; an isotropically swelling particle
/// then has R/R0 = (V/V0)^(1/3) and projected area A/A0 = (V/V0)^(2/3).
/// </summary>
/// <remarks>
/// So the uptake a movie shows is u = (A/A0)^(3/2) − 1 = (β − 1) f. Normalising (A − A0)/(A∞ − A0) instead
/// biases a fitted D by about +16 % on Crank curves.
/// </remarks>
internal static class SiliconSwelling
{
    /// <summary>β for crystalline Si → Li15Si4 (lattice constant 10.63 Å at 123 K).</summary>
    public const double Li15Si4ExpansionRatio = 3.75;

    /// <summary>V/V0 at lithiated fraction <paramref name="fraction"/>.</summary>
    public static double VolumeRatio(double fraction, double expansionRatio = Li15Si4ExpansionRatio) =>
        1 + (expansionRatio - 1) * fraction;

    /// <summary>A/A0 at lithiated fraction <paramref name="fraction"/>.</summary>
    public static double AreaRatio(double fraction, double expansionRatio = Li15Si4ExpansionRatio) =>
        Math.Pow(VolumeRatio(fraction, expansionRatio), 2.0 / 3.0);

    /// <summary>R/R0 (= λ, the linear stretch) at lithiated fraction <paramref name="fraction"/>.</summary>
    public static double RadiusRatio(double fraction, double expansionRatio = Li15Si4ExpansionRatio) =>
        Math.Cbrt(VolumeRatio(fraction, expansionRatio));

    /// <summary>Lithiated fraction from an area ratio A/A0: f = ((A/A0)^(3/2) − 1)/(β − 1).</summary>
    public static double FractionFromAreaRatio(double areaRatio, double expansionRatio = Li15Si4ExpansionRatio) =>
        (Math.Pow(areaRatio, 1.5) - 1) / (expansionRatio - 1);
}
