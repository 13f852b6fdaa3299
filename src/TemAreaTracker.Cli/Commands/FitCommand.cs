using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using TemAreaTracker.Fitting;
using TemAreaTracker.IO;
using TemAreaTracker.Plotting;
using TemAreaTracker.Reporting;

namespace TemAreaTracker.Cli.Commands;

/// <summary><c>temtrack fit AREAS.csv --out DIR</c>: lithium diffusivity with 95 % intervals from tracked area curves.</summary>
internal sealed class FitCommand : Command<FitCommand.Settings>
{
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
        [Description("Replace --out if it exists.")]
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
        string input = s.AreasCsv;
        if (!File.Exists(input)) throw new UserInputException($"{input}: file not found");
        string outDir = Path.GetFullPath(s.OutDir!);
        if ((Directory.Exists(outDir) || File.Exists(outDir)) && !s.Force)
            throw new UserInputException($"{s.OutDir}: already exists; pass --force to replace it");

        var data = AreaCsvReader.Read(input);
        var series = data.Series.ToList();
        if (s.Particle is string id)
        {
            series = series.Where(x => x.Particle == id).ToList();
            if (series.Count == 0)
                throw new UserInputException($"{input}: no particle '{id}' (particles: {string.Join(", ", data.Series.Select(x => x.Particle))})");
        }

        var options = new FitOptions
        {
            ExpansionRatio = s.ExpansionRatio,
            DiffusionLengthNm = s.DiffusionLengthNm,
            OnsetS = s.OnsetS,
            ContactLossS = s.ContactLossS,
            BootstrapResamples = s.Bootstrap,
            Seed = s.Seed,
        };
        bool all = s.Model.Equals("all", StringComparison.OrdinalIgnoreCase);
        KineticModel single = KineticModel.SphereDiffusion;
        if (!all) KineticModels.TryParse(s.Model, out single);

        // A cluster loses contact once: without --contact-loss-s, the earliest sustained contraction of any particle
        // marks it for all (particles that swell during redistribution never contract themselves).
        double? clusterContactLossS = null;
        if (!all && single == KineticModel.Redistribution && s.ContactLossS is null)
        {
            clusterContactLossS = series.Select(DiffusionFitter.DetectContactLossS).Where(t => t is not null).Min();
            if (clusterContactLossS is null)
                throw new UserInputException($"{input}: no particle shows a sustained contraction, so the contact-loss time is unknown; pass --contact-loss-s");
            options = options with { ContactLossS = clusterContactLossS };
        }

        var fits = new List<DiffusionFit>();
        var rankings = new List<ModelRanking>();
        foreach (var p in series)
        {
            try
            {
                if (all)
                {
                    var pf = DiffusionFitter.FitAll(p, options);
                    fits.AddRange(pf);
                    var ranking = ModelSelection.Rank(pf);
                    var skipped = KineticModels.Uptake.Where(m => pf.All(f => f.Model != m)).Select(m => m.Name()).ToList();
                    if (skipped.Count > 0)
                        ranking = ranking with { Verdict = $"{ranking.Verdict} (not fitted, too few points for their parameters: {string.Join(", ", skipped)})" };
                    rankings.Add(ranking);
                }
                else
                {
                    var fit = DiffusionFitter.Fit(p, single, options);
                    if (clusterContactLossS is double tc)
                        fit = fit with { Warnings = [$"contact loss at {tc.ToString("G4", CultureInfo.InvariantCulture)} s detected as the start of sustained contraction in this cluster; pass --contact-loss-s if it is known", .. fit.Warnings] };
                    fits.Add(fit);
                }
            }
            catch (ArgumentException e)
            {
                throw new UserInputException($"{input}: {e.Message}" + (s.Particle is null && series.Count > 1 ? " (use --particle to fit the others)" : ""));
            }
        }

        ConservationCheck? conservation = null;
        if (s.Conservation)
        {
            double? start = s.ContactLossS ?? series.Select(DiffusionFitter.DetectContactLossS).Where(t => t is not null).Min();
            if (start is null)
                throw new UserInputException($"{input}: --conservation needs the contact-loss time and no particle contracts; pass --contact-loss-s");
            try { conservation = LithiumConservation.Check(series, start.Value); }
            catch (ArgumentException e) { throw new UserInputException($"{input}: {e.Message}"); }
        }

        var shown = all ? rankings.Select(r => fits.First(f => f.Particle == r.Particle && f.Model == r.Best)).ToList() : fits;
        var report = new FitReport(Path.GetFullPath(input), fits, rankings, conservation, data.SkippedRows, data.SkippedByParticle);
        OutputFolder.Write(outDir, s.Force, tmp =>
        {
            FitJson.Write(report, Path.Combine(tmp, "fit.json"));
            FitJson.WriteCsv(fits, Path.Combine(tmp, "fit.csv"));
            FitPlot.Save(shown, Path.Combine(tmp, "fit.png"), Path.Combine(tmp, "fit.svg"));
        });

        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumns("particle", "model", "D cm²/s [[95% CI]]", "t0 s", "warnings");
        foreach (var f in fits)
        {
            var ci = f.Ci95Cm2PerS;
            string d = f.Model.HasDiffusivity()
                ? $"{f.DiffusivityCm2PerS.ToString("0.00e0", inv)} [{ci.Lo.ToString("0.0e0", inv)}, {ci.Hi.ToString("0.0e0", inv)}]"
                : $"v = {f.FrontVelocityNmPerS?.ToString("G3", inv)} nm/s";
            table.AddRow(new[] { f.Particle, f.Model.Name(), d, f.OnsetS.ToString("G4", inv), f.Warnings.Count.ToString(inv) }
                .Select(x => new Text(x)).ToArray());
        }
        AnsiConsole.Write(table);
        foreach (var f in shown)
            foreach (var w in f.Warnings) AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(f.Particle)}:[/] {Markup.Escape(w)}");
        foreach (var r in rankings) AnsiConsole.MarkupLine($"[bold]{Markup.Escape(r.Particle)}:[/] {Markup.Escape(r.Verdict)}");
        if (conservation is not null) AnsiConsole.MarkupLine(Markup.Escape(conservation.Verdict));
        if (data.SkippedRows > 0) AnsiConsole.MarkupLine($"skipped {data.SkippedRows} row(s) with no usable area (NaN, lost or out of view)");
        AnsiConsole.MarkupLine($"wrote {Markup.Escape(outDir)}");
        return 0;
    }
}

/// <summary>Writes an output folder atomically: everything goes to a temporary sibling, which is then renamed.</summary>
internal static class OutputFolder
{
    public static void Write(string outDir, bool force, Action<string> fill)
    {
        string parent = Path.GetDirectoryName(outDir) ?? ".";
        Directory.CreateDirectory(parent);
        string tmp = Path.Combine(parent, $".{Path.GetFileName(outDir)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        try
        {
            fill(tmp);
            if (Directory.Exists(outDir) || File.Exists(outDir))
            {
                if (!force) throw new UserInputException($"{outDir}: already exists; pass --force to replace it");
                if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true); else File.Delete(outDir);
            }
            Directory.Move(tmp, outDir);
        }
        catch
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            throw;
        }
    }
}
