namespace TemAreaTracker.Fitting;

/// <summary>One model's place in a ranking.</summary>
/// <param name="Model">Model.</param>
/// <param name="Aicc">AICc of its fit.</param>
/// <param name="Bic">BIC of its fit.</param>
/// <param name="DeltaAicc">AICc minus the best AICc (0 for the winner).</param>
/// <param name="DeltaBic">BIC minus the best BIC.</param>
public sealed record RankedModel(KineticModel Model, double Aicc, double Bic, double DeltaAicc, double DeltaBic);

/// <summary>Models fitted to one curve, ranked by AICc (BIC beside it), with a verdict in plain words.</summary>
public sealed record ModelRanking(string Particle, IReadOnlyList<RankedModel> Ranking, string Verdict)
{
    /// <summary>The model with the lowest AICc.</summary>
    public KineticModel Best => Ranking[0].Model;
}

/// <summary>
/// Ranks models fitted to the same points by AICc = n ln(χ²/n) + 2k + 2k(k+1)/(n − k − 1) and BIC = n ln(χ²/n) + k ln n.
/// </summary>
/// <remarks>
/// Residuals of tracked areas are autocorrelated, so the effective number of points is smaller than n and
/// differences below ~4–7 mean little (Burnham &amp; Anderson 2002, <i>Model Selection and Multimodel Inference</i>, §2.6);
/// the verdict says so. A curve that slows after a fast start does not prove diffusion control either: stress at a
/// reaction front slows it too.
/// </remarks>
internal static class ModelSelection
{
    /// <summary>Ranks <paramref name="fits"/> (all of one particle, same points).</summary>
    public static ModelRanking Rank(IReadOnlyList<DiffusionFit> fits)
    {
        if (fits.Count == 0) throw new ArgumentException("no fits to rank", nameof(fits));
        string particle = fits[0].Particle;
        double bestA = fits.Min(f => f.Aicc), bestB = fits.Min(f => f.Bic);
        var ranked = fits.OrderBy(f => f.Aicc)
            .Select(f => new RankedModel(f.Model, f.Aicc, f.Bic, f.Aicc - bestA, f.Bic - bestB)).ToList();
        return new ModelRanking(particle, ranked, Verdict(ranked));
    }

    private static string Verdict(List<RankedModel> r)
    {
        var best = r[0];
        if (r.Count == 1) return $"only {best.Model.Name()} was fitted";
        var next = r[1];
        double gap = next.DeltaAicc;
        bool bicAgrees = r.OrderBy(x => x.Bic).First().Model == best.Model;
        string bic = bicAgrees ? "BIC agrees" : $"but BIC prefers {r.OrderBy(x => x.Bic).First().Model.Name()}";
        string caveat = best.Model is KineticModel.SphereDiffusion or KineticModel.CylinderDiffusion or KineticModel.PlaneDiffusion or KineticModel.ShellDiffusion
            ? " A slowing curve does not prove diffusion control on its own: stress at a reaction front slows it too."
            : "";
        if (gap < 4)
            return $"{best.Model.Name()} and {next.Model.Name()} fit about equally well (ΔAICc = {gap:F1} < 4; residuals are autocorrelated, so such differences mean little); this curve cannot tell them apart.{caveat}";
        if (gap < 10)
            return $"{best.Model.Name()} fits best, moderately (ΔAICc = {gap:F1} to {next.Model.Name()}; {bic}); treat as suggestive, since autocorrelated residuals inflate such gaps.{caveat}";
        return $"{best.Model.Name()} fits clearly best (ΔAICc = {gap:F1} to {next.Model.Name()}; {bic}).{caveat}";
    }
}
