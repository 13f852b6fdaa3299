namespace TemAreaTracker.Fitting;

/// <summary>Knobs of <see cref="DiffusionFitter"/>; the defaults are what the validation tests use (except resamples).</summary>
public sealed record FitOptions
{
    /// <summary>β = V_full/V0 (3.75 for Li15Si4 from c-Si).</summary>
    public double ExpansionRatio { get; init; } = Physics.SiliconSwelling.Li15Si4ExpansionRatio;

    /// <summary>Diffusion length L in nm; null = the particle's initial equivalent radius √(A0/π).</summary>
    public double? DiffusionLengthNm { get; init; }

    /// <summary>Onset t0 in s when known (e.g. the bias switch time): fixes t0 and removes the D–t0 trade-off.</summary>
    public double? OnsetS { get; init; }

    /// <summary>Contact-loss time t_c in s: uptake models use the points up to it, redistribution the points after it.</summary>
    public double? ContactLossS { get; init; }

    /// <summary>Moving-block bootstrap resamples for the bootstrap interval (0 skips it).</summary>
    public int BootstrapResamples { get; init; } = 1000;

    /// <summary>Compute the profile-likelihood interval on log D (the interval reports lead with).</summary>
    public bool ProfileInterval { get; init; } = true;

    /// <summary>Seed of the bootstrap (same seed, same interval).</summary>
    public int Seed { get; init; } = 20240613;

    /// <summary>Run bootstrap resamples on several threads (results do not depend on it).</summary>
    public bool Parallel { get; init; } = true;

    /// <summary>
    /// Stops the bootstrap between resamples with <see cref="OperationCanceledException"/> (the CLI cancels it on
    /// Ctrl-C); results do not depend on it.
    /// </summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>Where a fit's diffusion length L came from (a short list that grows with the ways of knowing L).</summary>
public enum DiffusionLengthSource
{
    /// <summary>The outline's own equivalent radius √(A0/π) before lithiation (the default).</summary>
    EquivalentRadius,
    /// <summary>Given by the user (<c>--diffusion-length-nm</c>, <see cref="FitOptions.DiffusionLengthNm"/>).</summary>
    Given,
}

/// <summary>Names of <see cref="DiffusionLengthSource"/> as reports print them.</summary>
public static class DiffusionLengthSources
{
    /// <summary>How reports name the source: <c>radius sqrt(A0/pi)</c>, <c>--diffusion-length-nm</c>.</summary>
    public static string Name(this DiffusionLengthSource source) => source switch
    {
        DiffusionLengthSource.EquivalentRadius => "radius sqrt(A0/pi)",
        DiffusionLengthSource.Given => "--diffusion-length-nm",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };
}

/// <summary>
/// Why a fit's rate (D, D* or v) means nothing for this outline, so reports print this instead of a number.
/// </summary>
/// <param name="Short">A few words for a table cell or a legend (e.g. "cluster outline", "95% interval open").</param>
/// <param name="Detail">The whole reason, with the numbers and thresholds it rests on and what would fix it.</param>
public sealed record NotMeaningfulReason(string Short, string Detail);

/// <summary>
/// One particle's fit: D (or the front velocity) with three 95 % intervals, the other parameters, goodness of fit
/// and the identifiability warnings. D is in the reference (unswollen) frame: lengths are those of the particle
/// before lithiation; <see cref="SwollenFrameDiffusivityCm2PerS"/> rescales by λ² at half uptake.
/// </summary>
/// <remarks>
/// The fitted numbers are always kept, but when <see cref="RateMeaningful"/> is false (a cluster outline, or a fit that
/// fails the model's own sanity checks: see <see cref="NotMeaningful"/>) the rate is no measurement of this outline,
/// and reports (console, fit.json, fit.csv, fit.png, compare) print the reason instead of the number.
/// </remarks>
public sealed record DiffusionFit
{
    internal AreaModel? ForwardModel { get; init; }
    internal double[] ParameterVector { get; init; } = [];

    /// <summary>Particle name.</summary>
    public required string Particle { get; init; }
    /// <summary>Model fitted.</summary>
    public required KineticModel Model { get; init; }
    /// <summary>What the outline holds (from <see cref="AreaSeries.Kind"/> or its name): a cluster's rate is never meaningful.</summary>
    public ParticleKind Kind { get; init; } = ParticleKind.Particle;
    /// <summary>Why the rate means nothing for this outline (empty when it is meaningful).</summary>
    public IReadOnlyList<NotMeaningfulReason> NotMeaningful { get; init; } = [];
    /// <summary>False when the rate (D, D* or v) must not be reported as a measurement: see <see cref="NotMeaningful"/>.</summary>
    public bool RateMeaningful => NotMeaningful.Count == 0;
    /// <summary>The rate's symbol: D, D* (shell diffusion, mixed) or v (interface).</summary>
    public string RateSymbol => Model == KineticModel.Interface ? "v" : Model is KineticModel.ShellDiffusion or KineticModel.Mixed ? "D*" : "D";
    /// <summary>D (or D* for shell models) in nm²/s; NaN for the interface model, which has no diffusivity. Check <see cref="RateMeaningful"/> before quoting it.</summary>
    public required double DiffusivityNm2PerS { get; init; }
    /// <summary>D in cm²/s (1 nm²/s = 1e-14 cm²/s).</summary>
    public double DiffusivityCm2PerS => DiffusivityNm2PerS * 1e-14;
    /// <summary>The interval reports lead with: the profile interval when computed, else the bootstrap, else the Jacobian one (cm²/s).</summary>
    public Interval Ci95Cm2PerS => double.IsNaN(ProfileCi95Cm2PerS.Lo) ? double.IsNaN(BootstrapCi95Cm2PerS.Lo) ? JacobianCi95Cm2PerS : BootstrapCi95Cm2PerS : ProfileCi95Cm2PerS;
    /// <summary>Profile-likelihood 95 % interval of D (Δχ² = 3.84 s²), cm²/s; NaN when not computed, ±∞ when open.</summary>
    public required Interval ProfileCi95Cm2PerS { get; init; }
    /// <summary>Jacobian (Wald on log10 D) 95 % interval, covariance s² (JᵀWJ)⁻¹, cm²/s.</summary>
    public required Interval JacobianCi95Cm2PerS { get; init; }
    /// <summary>Moving-block residual bootstrap 95 % percentile interval, cm²/s; NaN when not computed.</summary>
    public required Interval BootstrapCi95Cm2PerS { get; init; }
    /// <summary>Front velocity v in nm/s (interface and mixed models), else null.</summary>
    public double? FrontVelocityNmPerS { get; init; }
    /// <summary>95 % interval of v (interface model) in nm/s, else null: the profile interval when computed, else the bootstrap, else the Jacobian one.</summary>
    public Interval? FrontVelocityCi95NmPerS { get; init; }
    /// <summary>Onset t0 in s (for redistribution: the contact-loss time).</summary>
    public required double OnsetS { get; init; }
    /// <summary>Area before lithiation A0 in nm².</summary>
    public required double A0Nm2 { get; init; }
    /// <summary>Diffusion length (sphere/cylinder radius, sheet half-thickness, R0) in nm.</summary>
    public required double DiffusionLengthNm { get; init; }
    /// <summary>Where <see cref="DiffusionLengthNm"/> came from.</summary>
    public required DiffusionLengthSource DiffusionLengthSource { get; init; }
    /// <summary>True when L was not given and is the particle's own √(A0/π).</summary>
    public bool DiffusionLengthFromArea => DiffusionLengthSource == DiffusionLengthSource.EquivalentRadius;
    /// <summary>β used.</summary>
    public required double ExpansionRatio { get; init; }
    /// <summary>Lithiated fraction reached at full uptake, f_max = g/(β − 1) (for redistribution: the level at contact loss).</summary>
    public required double MaxFraction { get; init; }
    /// <summary>Redistribution only: the equilibrium fraction f_eq, else null.</summary>
    public double? EquilibriumFraction { get; init; }
    /// <summary>Redistribution only: t_c in s, else null.</summary>
    public double? ContactLossS { get; init; }
    /// <summary>λ² = (V/V0)^{2/3} at half uptake.</summary>
    public required double Lambda2AtHalfUptake { get; init; }
    /// <summary>D λ² in cm²/s: D in the swollen (laboratory) frame at half uptake.</summary>
    public double SwollenFrameDiffusivityCm2PerS => DiffusivityCm2PerS * Lambda2AtHalfUptake;
    /// <summary>All parameters with Jacobian standard errors.</summary>
    public required IReadOnlyList<FitParameter> Parameters { get; init; }
    /// <summary>Correlation of log D and t0 from the covariance (NaN when t0 is fixed or absent).</summary>
    public required double LogDOnsetCorrelation { get; init; }
    /// <summary>Weighted residual sum of squares χ².</summary>
    public required double Chi2 { get; init; }
    /// <summary>AICc = n ln(χ²/n) + 2k + 2k(k+1)/(n − k − 1).</summary>
    public required double Aicc { get; init; }
    /// <summary>BIC = n ln(χ²/n) + k ln n.</summary>
    public required double Bic { get; init; }
    /// <summary>Root-mean-square area residual in nm².</summary>
    public required double RmsResidualNm2 { get; init; }
    /// <summary>Points fitted.</summary>
    public required int PointCount { get; init; }
    /// <summary>Free parameters k.</summary>
    public required int ParameterCount { get; init; }
    /// <summary>Lag-1 autocorrelation of the weighted residuals.</summary>
    public required double ResidualLag1Autocorrelation { get; init; }
    /// <summary>Block length (frames) of the moving-block bootstrap.</summary>
    public required int BootstrapBlockLength { get; init; }
    /// <summary>Bootstrap resamples whose refit converged.</summary>
    public required int BootstrapSucceeded { get; init; }
    /// <summary>What limits this result and what would fix it (plain words).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
    /// <summary>Levenberg–Marquardt iterations of the main fit.</summary>
    public required int Iterations { get; init; }
    /// <summary>How the main fit ended.</summary>
    public required FitExit Exit { get; init; }
    /// <summary>Times of the fitted points in s.</summary>
    public required IReadOnlyList<double> TimeS { get; init; }
    /// <summary>Measured areas of the fitted points in nm².</summary>
    public required IReadOnlyList<double> AreaNm2 { get; init; }
    /// <summary>Model areas at the fitted points in nm².</summary>
    public required IReadOnlyList<double> ModelAreaNm2 { get; init; }

    /// <summary>Model area in nm² at any times (for smooth curves in plots).</summary>
    public double[] PredictAreaNm2(IReadOnlyList<double> timeS)
    {
        var t = timeS.ToArray();
        var a = new double[t.Length];
        if (ForwardModel is null || !ForwardModel.Evaluate(ParameterVector, t, a)) Array.Fill(a, double.NaN);
        return a;
    }
}
