namespace TemAreaTracker.Physics;

/// <summary>
/// Lithiated fraction against time for one particle: Crank uptake from t0, and optionally, after contact with the
/// electrolyte is lost at t_c, relaxation toward an equilibrium level as lithium redistributes through the cluster.
/// </summary>
/// <remarks>
/// Uptake: f(t) = f_max F(D (t − t0)/L²). Redistribution: f(t) = f_eq + (f_c − f_eq)(1 − F(D (t − t_c)/L²)),
/// f_c = f(t_c). L is the diffusion length in nm (the radius, or a path through the particle network), D in nm²/s.
/// This is the forward model that both the simulator renders and the fitter inverts.
/// </remarks>
/// <param name="DiffusivityNm2PerS">D in nm²/s (1 nm²/s = 1e-14 cm²/s).</param>
/// <param name="DiffusionLengthNm">L in nm.</param>
/// <param name="OnsetS">t0, when lithium starts entering, in s.</param>
/// <param name="MaxFraction">f_max, the fraction reached at full uptake.</param>
/// <param name="ContactLossS">t_c in s, or null for uptake only.</param>
/// <param name="EquilibriumFraction">f_eq reached after redistribution.</param>
/// <param name="RedistributionDiffusivityNm2PerS">D of the redistribution phase in nm²/s; null = same as uptake.</param>
public sealed record LithiationKinetics(
    double DiffusivityNm2PerS,
    double DiffusionLengthNm,
    double OnsetS,
    double MaxFraction,
    double? ContactLossS = null,
    double EquilibriumFraction = 0,
    double? RedistributionDiffusivityNm2PerS = null)
{
    /// <summary>Lithiated fraction at time <paramref name="timeS"/>.</summary>
    public double Fraction(double timeS)
    {
        double L2 = DiffusionLengthNm * DiffusionLengthNm;
        if (ContactLossS is double tc && timeS > tc)
        {
            double fc = MaxFraction * CrankSphere.Uptake(DiffusivityNm2PerS * (tc - OnsetS) / L2);
            double d2 = RedistributionDiffusivityNm2PerS ?? DiffusivityNm2PerS;
            return EquilibriumFraction + (fc - EquilibriumFraction) * (1 - CrankSphere.Uptake(d2 * (timeS - tc) / L2));
        }
        return MaxFraction * CrankSphere.Uptake(DiffusivityNm2PerS * (timeS - OnsetS) / L2);
    }
}
