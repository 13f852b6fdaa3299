using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using TemAreaTracker.Pipeline.Batch;

namespace TemAreaTracker.Cli.Commands;

/// <summary>
/// <c>temtrack report DIR [--compare A/B]</c>: rebuilds movies.csv, summary.csv, compare/ and report.html of a batch folder
/// from what is in it (after the shards of a SLURM array, or after a rerun).
/// </summary>
/// <remarks>Exit codes: 0 when every movie is done or skipped, 3 when any movie failed, 2 when DIR is not a batch folder.</remarks>
internal sealed class ReportCommand : Command<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DIR>")]
        [Description("The --out folder of `temtrack batch` (all shards written into it).")]
        public string Dir { get; init; } = "";

        [CommandOption("--compare <A/B>")]
        [Description("Compare conditions A and B (ratio D_A/D_B); repeatable. Default: the pairs the batch runs were given, else every pair of the manifest's conditions.")]
        public string[] Compare { get; init; } = [];

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Dir)) return ValidationResult.Error("DIR is required: the --out folder of `temtrack batch`");
            foreach (var c in Compare)
                if (BatchReport.ParsePair(c) is null) return ValidationResult.Error($"--compare must name two different conditions as A/B (got '{c}')");
            return ValidationResult.Success();
        }
    }

    private readonly IAnsiConsole _console;

    public ReportCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(s.Dir)) throw new UserInputException($"{s.Dir}: no such folder");
        var pairs = s.Compare.Length > 0 ? s.Compare.Select(c => BatchReport.ParsePair(c)!.Value).ToList() : null;
        var r = BatchReport.Build(s.Dir, pairs);
        int done = r.Statuses.Count(x => x.Status == "done"), skipped = r.Statuses.Count(x => x.Status == "skipped");
        _console.WriteLine($"{r.Statuses.Count} movies: {done} done, {r.Failed} failed, {skipped} skipped; {r.Summary.Count} particles");
        foreach (var f in r.Statuses.Where(x => x.Status == "failed"))
            Console.Error.WriteLine($"temtrack: {f.MovieId}: failed: {f.Error}");
        foreach (var n in r.Notes) Console.Error.WriteLine($"temtrack: warning: {n}");
        _console.WriteLine($"wrote {Path.Combine(s.Dir, BatchReport.SummaryCsv)}, {BatchReport.MoviesCsv}, {BatchReport.ReportHtml} ({r.ReportBytes / 1e6:0.0} MB)" +
                           (r.Comparisons.Count > 0 ? $", compare/{string.Join(", compare/", r.Comparisons)}" : ""));
        return r.Failed > 0 ? BatchCommand.SomeFailed : 0;
    }
}
