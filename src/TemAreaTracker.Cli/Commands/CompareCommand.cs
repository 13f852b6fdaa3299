using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using TemAreaTracker.Fitting;
using TemAreaTracker.Pipeline;

namespace TemAreaTracker.Cli.Commands;

/// <summary><c>temtrack compare A B --out DIR</c>: D of two conditions and their ratio with a 95 % interval (Figure 4).</summary>
internal sealed class CompareCommand : Command<CompareCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<A>")]
        [Description("fit.json of condition A, or a folder holding fit.json files at any depth.")]
        public string A { get; init; } = "";

        [CommandArgument(1, "<B>")]
        [Description("fit.json of condition B, or a folder holding fit.json files at any depth.")]
        public string B { get; init; } = "";

        [CommandOption("--label-a <LABEL>")]
        [Description("Name of condition A.")]
        [DefaultValue("chemical")]
        public string LabelA { get; init; } = "chemical";

        [CommandOption("--label-b <LABEL>")]
        [Description("Name of condition B.")]
        [DefaultValue("electrochemical")]
        public string LabelB { get; init; } = "electrochemical";

        [CommandOption("--model <NAME>")]
        [Description("Use this model's fits (default: each particle's best-ranked fit).")]
        public string? Model { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder for compare.json, compare.png, compare.svg (must not exist unless --force).")]
        public string? OutDir { get; init; }

        [CommandOption("--force")]
        [Description("Replace an existing output folder that temtrack wrote (holding nothing else), once the new one is complete.")]
        public bool Force { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(OutDir)) return ValidationResult.Error("--out <DIR> is required (where compare.json goes)");
            if (Model is string m && !KineticModels.TryParse(m, out _))
                return ValidationResult.Error($"--model '{m}' is unknown; use one of {string.Join(", ", KineticModels.Names)}");
            if (LabelA == LabelB) return ValidationResult.Error($"--label-a and --label-b are both '{LabelA}'; give the conditions different names");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var result = ComparePipeline.Run(new CompareRequest
        {
            A = s.A,
            B = s.B,
            LabelA = s.LabelA,
            LabelB = s.LabelB,
            Model = s.Model is string m && KineticModels.TryParse(m, out var k) ? k : null,
            OutputDirectory = s.OutDir!,
            Overwrite = s.Force,
        }, cancellationToken);
        var comparison = result.Comparison;

        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumns("condition", "particles", "D (cm²/s)", "95% CI");
        foreach (var c in new[] { comparison.A, comparison.B })
            table.AddRow(new[] { c.Label, c.Particles.Count.ToString(inv), c.DCm2PerS.ToString("0.00e0", inv),
                $"[{c.Ci95Cm2PerS.Lo.ToString("0.0e0", inv)}, {c.Ci95Cm2PerS.Hi.ToString("0.0e0", inv)}]" }.Select(x => new Text(x)).ToArray());
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape($"D_{s.LabelA}/D_{s.LabelB} = {comparison.Ratio.ToString("F2", inv)} [{comparison.RatioCi95.Lo.ToString("F2", inv)}, {comparison.RatioCi95.Hi.ToString("F2", inv)}]"));
        AnsiConsole.MarkupLine($"wrote {Markup.Escape(result.OutputDirectory)}");
        return 0;
    }
}
