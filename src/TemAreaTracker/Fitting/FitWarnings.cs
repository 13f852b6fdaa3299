namespace TemAreaTracker.Fitting;

/// <summary>The warnings of a fit: convergence, identifiability, interval agreement, swelling, residual correlation.</summary>
internal static class FitWarnings
{
    /// <summary>What a reader of <paramref name="fit"/> must know before trusting it, each with its fix.</summary>
    public static List<string> For(DiffusionFit fit, AreaModel model, double[] p, double[] t, double inflation, FitOptions options)
    {
        var w = new List<string>();
        string rateName = model.Kind == KineticModel.Interface ? "v" : model.Kind is KineticModel.ShellDiffusion or KineticModel.Mixed ? "D*" : "D";
        if (fit.Exit is FitExit.MaxIterations or FitExit.Failed)
            w.Add($"the fit did not converge ({fit.Exit}); treat {rateName} with caution");
        if (model is SingleRateUptakeModel sm)
        {
            double l = fit.DiffusionLengthNm;
            double lm = sm.LengthPower == 2 ? l * l : l;
            double rate = Math.Pow(10, p[0]);
            double t90 = sm.TauAt90 * lm / rate;
            if (t[^1] - fit.OnsetS < t90)
                w.Add($"plateau not reached: the data end {t[^1] - fit.OnsetS:G3} s after onset but 90% uptake needs ~{t90:G3} s ({sm.TauAt90:G2} L^2/{rateName}); {rateName} trades off against the final swelling. Fix: a longer movie, or a known f_max/expansion ratio");
            double tHalf = fit.OnsetS + sm.TauAtHalf * lm / rate;
            int rise = t.Count(x => x > fit.OnsetS && x <= tHalf);
            bool correlated = Math.Abs(fit.LogDOnsetCorrelation) > 0.95;
            if (options.OnsetS is null && (rise < 3 || correlated))
                w.Add($"{rateName} and t0 trade off: {rise} frames between onset and half uptake, corr(log {rateName}, t0) = {fit.LogDOnsetCorrelation:F2}. Fix: more frames early in the rise (higher frame rate), or pass --onset-s with the known bias switch time");
            if (fit.OnsetS < t[0])
                w.Add($"lithiation began before the first frame (t0 = {fit.OnsetS:G4} s < {t[0]:G4} s): A0 is extrapolated. Fix: start recording before the bias is switched");
        }
        var ci = model.Kind == KineticModel.Interface ? fit.FrontVelocityCi95NmPerS ?? default : fit.Ci95Cm2PerS;
        if (!double.IsNaN(ci.Lo) && (!ci.IsBounded || ci.Lo <= 0 || ci.Ratio > 10))
            w.Add(ci.IsBounded && ci.Lo > 0
                ? $"{rateName} is poorly determined: its 95% interval spans {Math.Log10(ci.Ratio):F1} decades. Fix: more frames, a known t0, a longer movie"
                : $"{rateName} is not identifiable from this curve: the 95% interval is open. Fix: more frames, a known t0, a longer movie");
        if (model.Kind.HasDiffusivity() && fit.ProfileCi95Cm2PerS.IsBounded && fit.JacobianCi95Cm2PerS.IsBounded)
        {
            double wp = Math.Log(fit.ProfileCi95Cm2PerS.Ratio), wj = Math.Log(fit.JacobianCi95Cm2PerS.Ratio);
            if (!(wj > 0.5 * wp && wj < 2 * wp))
                w.Add($"the Jacobian (linearised) interval is {(wj < wp ? "much narrower" : "much wider")} than the profile interval: the model is strongly nonlinear in {rateName} here (often t0 right next to a frame); trust the profile interval");
        }
        if (model is not RedistributionModel)
        {
            var g = fit.Parameters[3];
            if (!(Math.Abs(g.Value) > 3 * g.StdErr) || Math.Abs(g.Value) < 0.02)
                w.Add($"no significant swelling (uptake (beta-1) f_max = {g.Value:F3} +/- {g.StdErr:F3}): this particle may not have lithiated, or its outline did not follow the edge; {rateName} means nothing here");
        }
        if (fit.MaxFraction > 1.02)
            w.Add($"the particle swelled more than beta = {fit.ExpansionRatio:G3} allows (f_max = {fit.MaxFraction:F2}): the expansion ratio is too small, projections overlap, or crystalline Si swelled anisotropically in this projection. Fix: --expansion-ratio, or segment touching particles separately");
        if (inflation > 1)
            w.Add($"residuals are autocorrelated (lag-1 rho = {fit.ResidualLag1Autocorrelation:F2}): Jacobian and profile intervals widened by x{Math.Sqrt(inflation):F2} to allow for it; the block bootstrap ({fit.BootstrapBlockLength}-frame blocks) tends to stay too narrow with so few blocks. Fix: check the outline for slow edge wobble (drift, beam-induced contrast change)");
        if (model.Kind is KineticModel.ShellDiffusion or KineticModel.Mixed)
            w.Add("shrinking-core shell diffusion determines only D* = D dc/c_Si, not D itself");
        if (options.BootstrapResamples > 0 && fit.BootstrapSucceeded < 0.9 * options.BootstrapResamples)
            w.Add($"only {fit.BootstrapSucceeded} of {options.BootstrapResamples} bootstrap refits converged; the bootstrap interval is unreliable");
        return w;
    }
}
