using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using TemAreaTracker.Fitting;
using TemAreaTracker.Pipeline;

namespace TemAreaTracker.Cli.Commands;

/// <summary><c>temtrack compare A B --out DIR</c>: D of two conditions and their ratio with a 95 % interval (Figure 4).</summary>
internal sealed class CompareCommand(IAnsiConsole console) : Command<CompareCommand.Settings>
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
        // Estimate and interval in one cell that never wraps: no value is split across lines.
        var table = new Table().AddColumns("condition", "particles");
        table.AddColumn(new TableColumn("D cm²/s [[95% CI]]").NoWrap());
        foreach (var c in new[] { comparison.A, comparison.B })
            table.AddRow(new[] { c.Label, c.Particles.Count.ToString(inv), IntervalText.Format(c.DCm2PerS, c.Ci95Cm2PerS) }.Select(x => new Text(x)).ToArray());
        console.Write(table);
        console.MarkupLine(Markup.Escape($"D_{s.LabelA}/D_{s.LabelB} = {IntervalText.Format(comparison.Ratio, comparison.RatioCi95, NumberStyle.General)}"));
        if (result.Withheld.Count > 0)
            console.MarkupLine(Markup.Escape($"left out (D not meaningful for the outline, see its fit.json not_meaningful_reason): {string.Join(", ", result.Withheld)}"));
        console.MarkupLine($"wrote {Markup.Escape(result.OutputDirectory)}");
        return 0;
    }
}
