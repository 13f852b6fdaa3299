using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using TemAreaTracker.Fitting;
using TemAreaTracker.Pipeline;

namespace TemAreaTracker.Cli.Commands;

/// <summary>
/// What <c>temtrack fit</c> prints: one row per fit with its rate and 95 % interval (or why the rate is not meaningful
/// for that outline), the diffusion length L and where it came from, the onset, and with <c>--model all</c> each model's
/// ΔAICc with the best marked ★; then the reasons, warnings and verdicts in full.
/// </summary>
/// <remarks>
/// No value is ever split across lines: when the table is wider than the console (a terminal of 80 columns), each fit
/// is printed as a short block of lines instead. Piped output is not wrapped at all (Program.cs widens the console).
/// </remarks>
internal static class FitConsoleReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(IAnsiConsole console, FitResult result)
    {
        bool ranked = result.Rankings.Count > 0;
        var best = result.Rankings.ToDictionary(r => r.Particle, r => r);
        var table = new Table().AddColumns("particle", "model");
        table.AddColumn(new TableColumn("D cm²/s [[95% CI]]").NoWrap());
        table.AddColumn(new TableColumn("L nm").RightAligned());
        table.AddColumn("L from");
        table.AddColumn(new TableColumn("t0 s").RightAligned());
        if (ranked) table.AddColumn(new TableColumn("ΔAICc").RightAligned());
        table.AddColumn(new TableColumn("warnings").RightAligned());
        var blocks = new List<string[]>();
        foreach (var f in result.Fits)
        {
            string rank = "";
            if (ranked && best.TryGetValue(f.Particle, out var r))
            {
                var m = r.Ranking.FirstOrDefault(x => x.Model == f.Model);
                rank = m is null ? "" : m.Model == r.Best ? "★ best" : "+" + m.DeltaAicc.ToString("F1", Inv);
            }
            var cells = new List<string> { f.Particle, f.Model.Name(), Rate(f), Length(f), f.DiffusionLengthSource.Name(), f.OnsetS.ToString("G4", Inv) };
            if (ranked) cells.Add(rank);
            cells.Add(f.Warnings.Count.ToString(Inv));
            table.AddRow(cells.Select(x => (IRenderable)new Text(x)).ToArray());
            blocks.Add(
            [
                $"{f.Particle}  {f.Model.Name()}{(rank.Length > 0 ? $"  ({(rank.StartsWith('★') ? rank : "ΔAICc " + rank)})" : "")}",
                $"    {RateLine(f)}",
                $"    {(f.Model.HasDiffusivity() ? "L" : "R0")} = {Length(f)} nm ({f.DiffusionLengthSource.Name()}), t0 = {f.OnsetS.ToString("G4", Inv)} s, {f.Warnings.Count} warning{(f.Warnings.Count == 1 ? "" : "s")}",
            ]);
        }
        var measure = ((IRenderable)table).Measure(new RenderOptions(console.Profile.Capabilities, new Size(int.MaxValue / 2, console.Profile.Height)), int.MaxValue / 2);
        if (measure.Max <= console.Profile.Width) console.Write(table);
        else foreach (var line in blocks.SelectMany(b => b)) console.WriteLine(line);

        var sources = result.Fits.Select(f => f.DiffusionLengthSource).Distinct().ToList();
        if (sources.Contains(DiffusionLengthSource.EquivalentRadius))
            console.WriteLine("L: diffusion length behind each D (D scales with L^2); radius sqrt(A0/pi) = the outline's own equivalent radius before lithiation. Particles that lithiate through their neighbours need the path from the electrolyte contact: pass --diffusion-length-nm.");
        else if (sources.Contains(DiffusionLengthSource.Given))
            console.WriteLine("L: diffusion length behind each D (D scales with L^2), given with --diffusion-length-nm.");

        // Every reason in full, once per particle and wording (with --model all several models share one).
        var reasons = result.Fits.Where(f => !f.RateMeaningful)
            .SelectMany(f => f.NotMeaningful.Select(why => (f.Particle, f.Model, f.RateSymbol, why.Detail)))
            .GroupBy(x => (x.Particle, x.RateSymbol, x.Detail));
        foreach (var g in reasons)
            Line(console, "red", g.Key.Particle, $"{g.Key.RateSymbol} not meaningful for this outline ({string.Join(", ", g.Select(x => x.Model.Name()))}): {g.Key.Detail}");
        foreach (var f in result.Shown)
            foreach (var w in f.Warnings) Line(console, "yellow", f.Particle, w);
        if (ranked && result.Fits.Except(result.Shown).Any(f => f.Warnings.Count > 0))
            console.WriteLine("warnings of the models not ranked best are listed in fit.json (fits[].warnings)");
        foreach (var r in result.Rankings) Line(console, "bold", r.Particle, r.Verdict);
        if (result.Conservation is { } conservation) console.MarkupLine(Markup.Escape(conservation.Verdict));
        if (result.SkippedRows > 0) console.MarkupLine($"skipped {result.SkippedRows} row(s) with no usable area (NaN, lost or out of view)");
        console.MarkupLine($"wrote {Markup.Escape(result.OutputDirectory)}");
    }

    private static void Line(IAnsiConsole console, string style, string particle, string text) =>
        console.MarkupLine($"[{style}]{Markup.Escape(particle)}:[/] {Markup.Escape(text)}");

    /// <summary>The rate cell: D (or "D* …", "v … nm/s") with its 95 % interval, or why it is not meaningful.</summary>
    internal static string Rate(DiffusionFit f)
    {
        if (!f.RateMeaningful) return ShortReasons(f);
        if (!f.Model.HasDiffusivity())
            return $"v {IntervalText.Format(f.FrontVelocityNmPerS ?? double.NaN, f.FrontVelocityCi95NmPerS ?? new Interval(double.NaN, double.NaN), NumberStyle.General)} nm/s";
        string text = IntervalText.Format(f.DiffusivityCm2PerS, f.Ci95Cm2PerS);
        return f.RateSymbol == "D" ? text : $"{f.RateSymbol} {text}";
    }

    /// <summary>The rate as a line of the narrow layout: "D = 1.26e-12 [1.22e-12, 1.30e-12] cm²/s".</summary>
    private static string RateLine(DiffusionFit f)
    {
        if (!f.RateMeaningful) return $"{f.RateSymbol} {ShortReasons(f)}";
        if (!f.Model.HasDiffusivity())
            return $"v = {IntervalText.Format(f.FrontVelocityNmPerS ?? double.NaN, f.FrontVelocityCi95NmPerS ?? new Interval(double.NaN, double.NaN), NumberStyle.General)} nm/s";
        return $"{f.RateSymbol} = {IntervalText.Format(f.DiffusivityCm2PerS, f.Ci95Cm2PerS)} cm²/s";
    }

    /// <summary>"not meaningful: cluster outline (+2 more below)": the first reason; all are printed in full under the table.</summary>
    private static string ShortReasons(DiffusionFit f) =>
        $"not meaningful: {f.NotMeaningful[0].Short}{(f.NotMeaningful.Count > 1 ? $" (+{f.NotMeaningful.Count - 1} more below)" : " (below)")}";

    private static string Length(DiffusionFit f) => f.DiffusionLengthNm.ToString("G3", Inv);
}
