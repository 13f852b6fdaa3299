using TemAreaTracker.Reporting;
using TemAreaTracker.Fitting;
using TemAreaTracker.Measurement;

namespace TemAreaTracker.Pipeline;

/// <summary>Everything a fit run needs.</summary>
public sealed record FitRequest
{
    /// <summary>The areas.csv of a track run: read unless <see cref="Areas"/> is given; named in messages and in fit.json.</summary>
    public required string AreasCsv { get; init; }

    /// <summary>
    /// The curves to fit, built in process from a track run's rows (<see cref="AreaCurves.FromRows"/>: the same curves as
    /// reading its areas.csv gives); null to read <see cref="AreasCsv"/>.
    /// </summary>
    public AreaCurves? Areas { get; init; }

    /// <summary>Output folder for fit.json, fit.csv, fit.png, fit.svg; must not exist unless <see cref="Overwrite"/>.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Replace an existing output folder (only once the new one is complete).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Fit only this particle (null: every particle).</summary>
    public string? Particle { get; init; }

    /// <summary>The model to fit; null fits every uptake model and ranks them by AICc/BIC (<c>--model all</c>).</summary>
    public KineticModel? Model { get; init; } = KineticModel.SphereDiffusion;

    /// <summary>
    /// Fit options. Without <see cref="FitOptions.ContactLossS"/>, redistribution starts at the cluster's earliest sustained
    /// contraction (the same time for every particle).
    /// </summary>
    public FitOptions Options { get; init; } = new();

    /// <summary>Also check lithium conservation across the cluster after contact loss.</summary>
    public bool Conservation { get; init; }
}

/// <summary>What a finished fit run produced.</summary>
/// <param name="OutputDirectory">The output folder (complete).</param>
/// <param name="Fits">Every fit (all models of all particles with <c>--model all</c>).</param>
/// <param name="Rankings">Per-particle model ranking when every model was fitted, else empty.</param>
/// <param name="Shown">The fit of each particle shown on fit.png (the best-ranked one with <c>--model all</c>).</param>
/// <param name="Conservation">Lithium conservation check, when asked for.</param>
/// <param name="SkippedRows">Rows with no usable area (NaN, lost or out of view).</param>
public sealed record FitResult(
    string OutputDirectory, IReadOnlyList<DiffusionFit> Fits, IReadOnlyList<ModelRanking> Rankings, IReadOnlyList<DiffusionFit> Shown,
    ConservationCheck? Conservation, int SkippedRows);
