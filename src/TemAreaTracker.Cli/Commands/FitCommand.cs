using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using TemAreaTracker.Fitting;
using TemAreaTracker.Pipeline;

namespace TemAreaTracker.Cli.Commands;

/// <summary>
/// <c>temtrack fit AREAS.csv --out DIR</c>: lithium diffusivity with 95 % intervals from tracked area curves. Parses the
/// options, runs <see cref="FitPipeline"/> and prints the table, warnings and verdicts.
/// </summary>
internal sealed class FitCommand(IAnsiConsole console) : Command<FitCommand.Settings>
{
    private readonly IAnsiConsole _console = console;

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<AREAS_CSV>")]
        [Description("areas.csv from `temtrack track` (columns particle,frame,time_s,area_px,area_nm2; optional area_sigma_nm2, quality).")]
        public string AreasCsv { get; init; } = "";

        [CommandOption("--out <DIR>")]
        [Description("Output folder for fit.json, fit.csv, fit.png, fit.svg (must not exist unless --force).")]
        public string? OutDir { get; init; }

        [CommandOption("--particle <ID>")]
        [Description("Fit only this particle (default: every particle in the file).")]
        public string? Particle { get; init; }

        [CommandOption("--model <NAME>")]
        [Description("sphere-diffusion (default), cylinder, plane, interface, shell-diffusion, mixed, redistribution, or all (every uptake model, ranked by AICc/BIC).")]
        [DefaultValue("sphere-diffusion")]
        public string Model { get; init; } = "sphere-diffusion";

        [CommandOption("--diffusion-length-nm <NM>")]
        [Description("Diffusion length L in nm (path from the electrolyte contact); default: each particle's initial equivalent radius sqrt(A0/pi).")]
        public double? DiffusionLengthNm { get; init; }

        [CommandOption("--expansion-ratio <BETA>")]
        [Description("beta = V_full/V0: 3.75 for Li15Si4 from c-Si, ~4.1 for Li22Si5, ~2.8 for first lithiation of a-Si to Li2.5Si.")]
        [DefaultValue(3.75)]
        public double ExpansionRatio { get; init; } = 3.75;

        [CommandOption("--contact-loss-s <SECONDS>")]
        [Description("Time contact with the electrolyte was lost: uptake models fit up to it, redistribution after it (default for redistribution: the start of sustained contraction).")]
        public double? ContactLossS { get; init; }

        [CommandOption("--onset-s <SECONDS>")]
        [Description("Known onset t0 (e.g. the bias switch time): fixes t0 and removes the D-t0 trade-off.")]
        public double? OnsetS { get; init; }

        [CommandOption("--conservation")]
        [Description("Report how far the sum over particles of A^(3/2) drifts after contact loss (lithium conservation across the cluster).")]
        public bool Conservation { get; init; }

        [CommandOption("--bootstrap <N>")]
        [Description("Moving-block bootstrap resamples per fit (0 skips the bootstrap interval).")]
        [DefaultValue(1000)]
        public int Bootstrap { get; init; } = 1000;

        [CommandOption("--seed <N>")]
        [Description("Bootstrap seed (same seed, same intervals).")]
        [DefaultValue(20240613)]
        public int Seed { get; init; } = 20240613;

        [CommandOption("--force")]
        [Description("Replace an existing output folder that temtrack wrote (holding nothing else), once the new one is complete.")]
        public bool Force { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(OutDir)) return ValidationResult.Error("--out <DIR> is required (where fit.json goes)");
            if (!Model.Equals("all", StringComparison.OrdinalIgnoreCase) && !KineticModels.TryParse(Model, out _))
                return ValidationResult.Error($"--model '{Model}' is unknown; use one of {string.Join(", ", KineticModels.Names)} or all");
            if (DiffusionLengthNm is double l && !(l > 0)) return ValidationResult.Error($"--diffusion-length-nm must be > 0 (got {l})");
            if (!(ExpansionRatio > 1)) return ValidationResult.Error($"--expansion-ratio must be > 1 (got {ExpansionRatio}); Li15Si4 is 3.75");
            if (Bootstrap < 0) return ValidationResult.Error($"--bootstrap must be >= 0 (got {Bootstrap})");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var result = FitPipeline.Run(new FitRequest
        {
            AreasCsv = s.AreasCsv,
            OutputDirectory = s.OutDir!,
            Overwrite = s.Force,
            Particle = s.Particle,
            Model = s.Model.Equals("all", StringComparison.OrdinalIgnoreCase) ? null
                : KineticModels.TryParse(s.Model, out var single) ? single : KineticModel.SphereDiffusion,
            Options = new FitOptions
            {
                ExpansionRatio = s.ExpansionRatio,
                DiffusionLengthNm = s.DiffusionLengthNm,
                OnsetS = s.OnsetS,
                ContactLossS = s.ContactLossS,
                BootstrapResamples = s.Bootstrap,
                Seed = s.Seed,
            },
            Conservation = s.Conservation,
        }, cancellationToken);

        FitConsoleReport.Write(_console, result);
        return 0;
    }
}
