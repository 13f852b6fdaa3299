using System.Globalization;

namespace TemAreaTracker.Fitting;

/// <summary>
/// A fit's sanity checks and warnings. The checks decide whether the rate (D, D* or v) means anything for this
/// outline (<see cref="DiffusionFit.NotMeaningful"/>); the warnings say what limits a meaningful result and what would
/// fix it. Every message quotes the numbers it rests on and the threshold it applied, so that it can be checked
/// against them.
/// </summary>
/// <remarks>
/// Thresholds (constants below): the rate is withheld for a cluster outline; when its 95 % interval is open, or spans
/// more than <see cref="MaxDecadesMeaningful"/> decades, or cannot be computed; when log10 of the rate is within 1 of
/// the model's domain limit (±30); when f_max exceeds <see cref="MaxFractionMeaningful"/>; when the fitted uptake is
/// negative beyond 3 standard errors (the particle shrinks); and when neither the fitted uptake nor the area itself
/// changed significantly. Warnings that quote numbers derived from the rate (times to plateau, frames in the rise,
/// interval widths) are given only when the rate is meaningful: derived from a meaningless rate they would be
/// meaningless too.
/// </remarks>
internal static class FitWarnings
{
    /// <summary>A 95 % interval wider than this many decades withholds the rate.</summary>
    public const double MaxDecadesMeaningful = 3;
    /// <summary>A 95 % interval wider than this many decades is called poorly determined.</summary>
    public const double PoorlyDeterminedDecades = 1;
    /// <summary>f_max above this withholds the rate (the volume would exceed what β allows by a wide margin).</summary>
    public const double MaxFractionMeaningful = 1.25;
    /// <summary>f_max above this is warned about (β too small, overlap, anisotropic swelling).</summary>
    public const double MaxFractionWarn = 1.02;
    /// <summary>An amplitude is significant when it is more than this many standard errors from zero.</summary>
    public const double SignificantSe = 3;
    /// <summary>Smallest uptake (β − 1) f_max, and smallest relative area change, that counts as swelling.</summary>
    public const double MinSwelling = 0.02;
    /// <summary>|corr(log rate, t0)| above this is a trade-off worth a warning.</summary>
    public const double MaxOnsetCorrelation = 0.95;
    /// <summary>Fewer frames than this between onset and half uptake leave the rise unsampled.</summary>
    public const int MinRiseFrames = 3;
    /// <summary>The models' domain: |log10 rate| ≤ 30; within 1 of it the rate sits at a bound.</summary>
    public const double RateLog10Limit = 30;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Why the rate of <paramref name="fit"/> is not meaningful (empty when it is), and its warnings.</summary>
    public static (List<NotMeaningfulReason> Reasons, List<string> Warnings) Assess(
        DiffusionFit fit, AreaModel model, double[] p, double[] t, double inflation, double relaxationSe, FitOptions options)
    {
        var reasons = new List<NotMeaningfulReason>();
        var w = new List<string>();
        string rate = fit.RateSymbol;
        bool uptake = model is not RedistributionModel;
        bool onsetFree = uptake && options.OnsetS is null;
        var ci = model.Kind == KineticModel.Interface ? fit.FrontVelocityCi95NmPerS ?? new Interval(double.NaN, double.NaN) : fit.Ci95Cm2PerS;
        string unit = model.Kind == KineticModel.Interface ? "nm/s" : "cm²/s";
        string fix = onsetFree ? "more frames, a known onset (--onset-s), a longer movie" : uptake ? "more frames, a longer movie" : "more frames after contact loss, a longer movie, a known --contact-loss-s";
        var (growth, noise, frames) = AreaChange(fit);

        // ---- sanity checks: is the rate a measurement of this outline at all?
        if (fit.Kind == ParticleKind.Cluster)
            reasons.Add(new("cluster outline",
                $"the outline is a cluster (areas.csv kind = cluster: it encloses two or more particles, or its name starts with '{ParticleKinds.ClusterNamePrefix}'): its area is the union of several particles, so no single-particle {rate} describes it. Fix: outline each particle and fit those"));
        if (double.IsNaN(ci.Lo) && double.IsNaN(ci.Hi))
            reasons.Add(new("no interval",
                $"no 95% interval of {rate} could be computed (the parameters are not separately determined by this curve). Fix: {fix}"));
        else if (!ci.IsBounded || !(ci.Lo > 0))
        {
            bool below = !(ci.Lo > 0) || double.IsInfinity(ci.Lo), above = double.IsInfinity(ci.Hi) || double.IsNaN(ci.Hi);
            string side = below && above ? "on both sides" : below ? $"below (every {rate} under {IntervalText.Number(ci.Hi, 3, NumberStyleOf(model), +1)} {unit} is inside it)"
                : $"above (every {rate} over {IntervalText.Number(ci.Lo, 3, NumberStyleOf(model), -1)} {unit} is inside it)";
            reasons.Add(new("95% interval open", $"the 95% interval of {rate} is open {side}: this curve does not determine {rate}. Fix: {fix}"));
        }
        else if (Math.Log10(ci.Ratio) > MaxDecadesMeaningful)
            reasons.Add(new($"95% interval spans {Above(Math.Log10(ci.Ratio), MaxDecadesMeaningful, 1)} decades",
                $"the 95% interval of {rate} spans {Above(Math.Log10(ci.Ratio), MaxDecadesMeaningful, 1)} decades (more than {MaxDecadesMeaningful:0}, so no value is reported): this curve hardly constrains {rate}. Fix: {fix}"));
        if (Math.Abs(p[0]) > RateLog10Limit - 1)
            reasons.Add(new($"{rate} at the model's limit",
                $"log10 {rate} = {p[0].ToString("F1", Inv)} reached the model's limit (|log10| ≤ {RateLog10Limit:0}): the fit ran off to an extreme rate"));
        if (fit.MaxFraction > MaxFractionMeaningful)
            reasons.Add(new($"f_max = {FMax(fit.MaxFraction, MaxFractionMeaningful)} far beyond beta",
                $"the fitted final swelling f_max = {FMax(fit.MaxFraction, MaxFractionMeaningful)} (V/V0 = {G3(1 + (fit.ExpansionRatio - 1) * fit.MaxFraction)}) is far beyond what beta = {fit.ExpansionRatio.ToString("G3", Inv)} allows (f_max ≤ 1; {rate} is withheld above {MaxFractionMeaningful.ToString("G3", Inv)}): the outline holds more than one particle, projections overlap, or the fit ran off along the {rate}–f_max ridge. Fix: segment touching particles separately, or --expansion-ratio"));
        if (uptake)
        {
            var g = fit.Parameters[3];
            double z = Math.Abs(g.Value) / g.StdErr;
            bool gSignificant = z > SignificantSe && Math.Abs(g.Value) >= MinSwelling;
            bool areaChanged = Math.Abs(growth) >= Math.Max(MinSwelling, SignificantSe * noise);
            string zText = double.IsFinite(z) ? $"{Above(z, SignificantSe, 1)} standard errors from zero" : "its standard error unknown";
            string gText = $"(beta-1) f_max = {G3(g.Value)} +/- {IntervalText.Number(g.StdErr, 2, NumberStyle.General)}";
            string change = ChangeText(growth, noise, frames);
            if (g.Value < 0 && z > SignificantSe)
                reasons.Add(new("the area shrinks",
                    $"the fitted uptake is negative ({gText}, {zText}): the particle shrinks, which no uptake model describes. Fix: --contact-loss-s to fit the swelling before contraction, --model redistribution for the relaxation"));
            else if (!gSignificant && !areaChanged)
                reasons.Add(new("no significant swelling",
                    $"no significant swelling: {change}, below the larger of {MinSwelling.ToString("0%", Inv)} and {SignificantSe:0} x the scatter, and the fitted uptake {gText} is {zText} (needs more than {SignificantSe:0} and at least {MinSwelling.ToString("G2", Inv)}): this particle may not have lithiated, or its outline did not follow the edge"));
            else if (!gSignificant)
                w.Add($"the final swelling is not determined: the fitted uptake {gText} is {zText} (needs more than {SignificantSe:0}), although {change}: the curve does not fix its plateau, so {rate} trades off against it. Fix: a longer movie, or a known f_max/expansion ratio");
        }
        else if (p.Length >= 3)
        {
            double amp = p[1] - p[2], z = Math.Abs(amp) / relaxationSe;
            if (!(z > SignificantSe))
                reasons.Add(new("no significant relaxation",
                    $"no significant relaxation after contact loss: the fitted uptake change u_c - u_eq = {G3(amp)} +/- {IntervalText.Number(relaxationSe, 2, NumberStyle.General)} is {(double.IsFinite(z) ? $"{Above(z, SignificantSe, 1)} standard errors from zero" : "of unknown standard error")} (needs more than {SignificantSe:0}); {ChangeText(growth, noise, frames)}"));
        }

        bool meaningful = reasons.Count == 0;

        // ---- warnings
        if (fit.Exit is FitExit.MaxIterations or FitExit.Failed)
            w.Add($"the fit did not converge ({fit.Exit}); treat {rate} with caution");
        if (meaningful && model is SingleRateUptakeModel sm)
        {
            double l = fit.DiffusionLengthNm;
            double lm = sm.LengthPower == 2 ? l * l : l;
            double k = Math.Pow(10, p[0]);
            double t90 = sm.TauAt90 * lm / k;
            double covered = t[^1] - fit.OnsetS;
            if (covered < t90)
                w.Add($"plateau not reached: the data end {covered.ToString("G3", Inv)} s after onset but 90% uptake needs ~{t90.ToString("G3", Inv)} s ({sm.TauAt90.ToString("G2", Inv)} L{(sm.LengthPower == 2 ? "^2" : "")}/{rate}); {rate} trades off against the final swelling. Fix: a longer movie, or a known f_max/expansion ratio");
            double tHalf = fit.OnsetS + sm.TauAtHalf * lm / k;
            int rise = t.Count(x => x > fit.OnsetS && x <= tHalf);
            if (options.OnsetS is null && rise < MinRiseFrames)
                w.Add($"the rise is barely sampled: {rise} frame{(rise == 1 ? "" : "s")} between onset ({fit.OnsetS.ToString("G4", Inv)} s) and half uptake ({tHalf.ToString("G4", Inv)} s), fewer than {MinRiseFrames}, and the rise is what fixes {rate} and t0. Fix: more frames early in the rise (higher frame rate), or pass --onset-s with the known bias switch time");
            if (fit.OnsetS < t[0])
                w.Add($"lithiation began before the first frame (t0 = {fit.OnsetS.ToString("G4", Inv)} s < {t[0].ToString("G4", Inv)} s): A0 is extrapolated. Fix: start recording before the bias is switched");
        }
        // The trade-off is a fact of the covariance, not of the rate's value: it explains an undetermined rate too.
        if (onsetFree && model is SingleRateUptakeModel && Math.Abs(fit.LogDOnsetCorrelation) > MaxOnsetCorrelation)
            w.Add($"{rate} and t0 trade off: corr(log {rate}, t0) = {Above(fit.LogDOnsetCorrelation, Math.Sign(fit.LogDOnsetCorrelation) * MaxOnsetCorrelation, 2)} (|corr| above {MaxOnsetCorrelation.ToString("G2", Inv)}): a later onset with a faster {rate} fits about as well. Fix: more frames early in the rise, or pass --onset-s with the known bias switch time");
        if (meaningful && ci.IsBounded && ci.Lo > 0 && Math.Log10(ci.Ratio) > PoorlyDeterminedDecades)
            w.Add($"{rate} is poorly determined: its 95% interval spans {Above(Math.Log10(ci.Ratio), PoorlyDeterminedDecades, 1)} decades (more than {PoorlyDeterminedDecades:0}). Fix: {fix}");
        if (meaningful && model.Kind.HasDiffusivity() && fit.ProfileCi95Cm2PerS.IsBounded && fit.JacobianCi95Cm2PerS.IsBounded)
        {
            double wp = Math.Log10(fit.ProfileCi95Cm2PerS.Ratio), wj = Math.Log10(fit.JacobianCi95Cm2PerS.Ratio);
            if (!(wj > 0.5 * wp && wj < 2 * wp))
                w.Add($"the Jacobian (linearised) interval spans {wj.ToString("G2", Inv)} decades, the profile interval {wp.ToString("G2", Inv)} (a factor of 2 or more apart): the model is strongly nonlinear in {rate} here{(onsetFree ? " (often t0 right next to a frame)" : "")}; trust the profile interval");
        }
        if (fit.MaxFraction > MaxFractionWarn && fit.MaxFraction <= MaxFractionMeaningful)
            w.Add($"the particle swelled more than beta = {fit.ExpansionRatio.ToString("G3", Inv)} allows: f_max = {FMax(fit.MaxFraction, MaxFractionWarn)} (above {MaxFractionWarn.ToString("G3", Inv)}): the expansion ratio is too small, projections overlap, or crystalline Si swelled anisotropically in this projection. Fix: --expansion-ratio, or segment touching particles separately");
        if (inflation > 1)
        {
            int n = fit.PointCount;
            w.Add($"residuals are autocorrelated (lag-1 rho = {fit.ResidualLag1Autocorrelation.ToString("F2", Inv)}, above 2/sqrt(n) = {(2 / Math.Sqrt(n)).ToString("F2", Inv)}): Jacobian and profile intervals widened by x{Math.Sqrt(inflation).ToString("F2", Inv)} to allow for it; the block bootstrap ({fit.BootstrapBlockLength}-frame blocks, {n / Math.Max(1, fit.BootstrapBlockLength)} blocks in {n} frames) tends to stay too narrow with correlated residuals. Fix: check the outline for slow edge wobble (drift, beam-induced contrast change)");
        }
        if (model.Kind is KineticModel.ShellDiffusion or KineticModel.Mixed)
            w.Add("shrinking-core shell diffusion determines only D* = D dc/c_Si, not D itself");
        if (options.BootstrapResamples > 0 && fit.BootstrapSucceeded < 0.9 * options.BootstrapResamples)
            w.Add($"only {fit.BootstrapSucceeded} of {options.BootstrapResamples} bootstrap refits converged (fewer than 90%); the bootstrap interval is unreliable");
        return (reasons, w);
    }

    private static string ChangeText(double growth, double noise, int frames) =>
        $"the area changed by {growth.ToString("+0.0%;-0.0%", Inv)} from the first to the last {frames} fitted frames (scatter about the fit {noise.ToString("0.0%", Inv)})";

    /// <summary>
    /// Relative area change between the medians of the first and the last k fitted points (k = max(3, n/10), at most
    /// n/2), the relative scatter of the residuals (RMS / first median), and k.
    /// </summary>
    internal static (double Growth, double Noise, int Frames) AreaChange(DiffusionFit fit)
    {
        var y = fit.AreaNm2;
        int n = y.Count;
        int k = Math.Max(1, Math.Min(Math.Max(3, n / 10), n / 2));
        double first = OrderStatistics.Median(y.Take(k).ToArray());
        double last = OrderStatistics.Median(y.Skip(n - k).ToArray());
        return (last / first - 1, fit.RmsResidualNm2 / first, k);
    }

    /// <summary>
    /// <paramref name="value"/> with <paramref name="decimals"/> decimals, or more (up to 6) when fewer would print it on
    /// the other side of, or equal to, <paramref name="threshold"/>: a message never says "3.0 decades (more than 3)".
    /// </summary>
    internal static string Above(double value, double threshold, int decimals)
    {
        if (!double.IsFinite(value)) return value.ToString(Inv);
        int side = Math.Sign(value - threshold);
        for (int d = decimals; d <= 6; d++)
        {
            string s = value.ToString("F" + d, Inv);
            if (Math.Sign(double.Parse(s, Inv) - threshold) == side) return s;
        }
        return value.ToString("R", Inv);
    }

    /// <summary>3 significant digits, fixed point from 1e-3 to 1e6 (never "5.49E+04").</summary>
    private static string G3(double x) => IntervalText.Number(x, 3, NumberStyle.General);

    private static string FMax(double f, double threshold) => f >= 100 ? G3(f) : Above(f, threshold, 2);

    private static NumberStyle NumberStyleOf(AreaModel model) => model.Kind == KineticModel.Interface ? NumberStyle.General : NumberStyle.Scientific;
}
