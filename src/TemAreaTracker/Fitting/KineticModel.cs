namespace TemAreaTracker.Fitting;

/// <summary>The forward models an area curve can be fitted with.</summary>
public enum KineticModel
{
    /// <summary>Crank diffusion into a sphere of radius L (the default).</summary>
    SphereDiffusion,
    /// <summary>Crank diffusion into a long cylinder of radius L.</summary>
    CylinderDiffusion,
    /// <summary>Crank diffusion into a plane sheet of half-thickness L.</summary>
    PlaneDiffusion,
    /// <summary>Shrinking core, reaction at the front controls (constant front velocity v).</summary>
    Interface,
    /// <summary>Shrinking core, diffusion through the lithiated shell controls (effective D*).</summary>
    ShellDiffusion,
    /// <summary>Shrinking core, front reaction and shell diffusion in series (v and D*).</summary>
    Mixed,
    /// <summary>Relaxation toward an equilibrium level after contact with the electrolyte is lost.</summary>
    Redistribution,
}

/// <summary>Command-line names of <see cref="KineticModel"/> and the model families.</summary>
public static class KineticModels
{
    /// <summary>The uptake models ranked by <c>--model all</c> (redistribution fits a different phase, so it is not among them).</summary>
    public static IReadOnlyList<KineticModel> Uptake { get; } =
    [
        KineticModel.SphereDiffusion, KineticModel.CylinderDiffusion, KineticModel.PlaneDiffusion,
        KineticModel.Interface, KineticModel.ShellDiffusion, KineticModel.Mixed,
    ];

    /// <summary>Name used in the CLI and in fit.json (e.g. <c>sphere-diffusion</c>).</summary>
    public static string Name(this KineticModel model) => model switch
    {
        KineticModel.SphereDiffusion => "sphere-diffusion",
        KineticModel.CylinderDiffusion => "cylinder",
        KineticModel.PlaneDiffusion => "plane",
        KineticModel.Interface => "interface",
        KineticModel.ShellDiffusion => "shell-diffusion",
        KineticModel.Mixed => "mixed",
        KineticModel.Redistribution => "redistribution",
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    /// <summary>All accepted names, canonical first.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<KineticModel>().Select(m => m.Name()).ToArray();

    /// <summary>Parses a model name (case-insensitive; <c>sphere</c>, <c>cylinder-diffusion</c>, <c>plane-diffusion</c> also accepted).</summary>
    public static bool TryParse(string name, out KineticModel model)
    {
        string n = name.Trim().ToLowerInvariant();
        foreach (var m in Enum.GetValues<KineticModel>())
            if (m.Name() == n) { model = m; return true; }
        (bool ok, model) = n switch
        {
            "sphere" => (true, KineticModel.SphereDiffusion),
            "cylinder-diffusion" => (true, KineticModel.CylinderDiffusion),
            "plane-diffusion" or "plane-sheet" => (true, KineticModel.PlaneDiffusion),
            _ => (false, default),
        };
        return ok;
    }

    /// <summary>True when the model's rate parameter is a diffusivity (all but <see cref="KineticModel.Interface"/>).</summary>
    public static bool HasDiffusivity(this KineticModel model) => model != KineticModel.Interface;
}

/// <summary>How a least-squares fit ended.</summary>
public enum FitExit
{
    /// <summary>The step or the cost change fell below tolerance.</summary>
    Converged,
    /// <summary>No step lowered the cost any further (a minimum to within rounding).</summary>
    NoFurtherImprovement,
    /// <summary>The iteration limit was reached before convergence.</summary>
    MaxIterations,
    /// <summary>The model could not be evaluated at the starting point.</summary>
    Failed,
}

/// <summary>A closed interval [Lo, Hi]; a bound is ±∞ when the data do not close it.</summary>
public readonly record struct Interval(double Lo, double Hi)
{
    /// <summary>True when <paramref name="x"/> lies in [Lo, Hi].</summary>
    public bool Contains(double x) => x >= Lo && x <= Hi;

    /// <summary>Both bounds finite.</summary>
    public bool IsBounded => double.IsFinite(Lo) && double.IsFinite(Hi);

    /// <summary>Applies <paramref name="f"/> to both bounds (e.g. a unit change).</summary>
    public Interval Map(Func<double, double> f) => new(f(Lo), f(Hi));

    /// <summary>Hi/Lo, the decades spanned as a factor (∞ when open).</summary>
    public double Ratio => Hi / Lo;
}

/// <summary>A fitted parameter with its one-sigma standard error from the Jacobian covariance (NaN when fixed).</summary>
public sealed record FitParameter(string Name, double Value, double StdErr, bool Fixed);
