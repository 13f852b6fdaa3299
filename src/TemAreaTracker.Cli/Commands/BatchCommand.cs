using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Rendering;
using TemAreaTracker.Pipeline.Batch;

namespace TemAreaTracker.Cli.Commands;

/// <summary>
/// <c>temtrack batch INPUT --out DIR [--manifest FILE] [--jobs N] [--shard K/N] [--auto] [--force] [--compare A/B]</c>:
/// tracks and fits every movie in a folder, resumably and in parallel, into DIR/&lt;movie-id&gt;/ with movies.csv,
/// summary.csv, compare/ and report.html.
/// </summary>
/// <remarks>
/// Exit codes: 0 when every movie is done or skipped by design (no outlines, ambiguous pairing), 3 when any movie failed
/// (the others complete; movies.csv has each error), 2 for bad input (INPUT or the manifest missing, a bad manifest
/// header, an invalid option, an unusable DIR), 130 when interrupted.
/// </remarks>
internal sealed class BatchCommand : Command<BatchCommand.Settings>
{
    /// <summary>Exit code when at least one movie failed.</summary>
    public const int SomeFailed = 3;

    /// <summary>Exit code when interrupted by SIGINT or SIGTERM (128 + 2, as shells report Ctrl-C).</summary>
    public const int Interrupted = 130;

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<INPUT>")]
        [Description("Folder of movies, searched at any depth: movie files of any format `temtrack info` reads, folders of frames, Gatan in-situ Hour_xx/Minute_xx/Second_xx trees. " +
                     "Outlines: <movie stem>.zip/.roi/.json beside each movie, or one RoiSet.zip in its folder. Condition = the movie's folder name.")]
        public string Input { get; init; } = "";

        [CommandOption("--out <DIR>")]
        [Description("Batch folder: DIR/<movie-id>/track, fit, status.json; movies.csv, summary.csv, compare/, report.html. Running the same command again resumes it.")]
        public string? Out { get; init; }

        [CommandOption("--manifest <FILE>")]
        [Description("CSV listing exactly the movies to run: movie,rois,pixel_size_nm,frame_interval_s,condition[[,model,contact_loss_s]]; paths relative to the manifest; empty cells = from the file or the default.")]
        public string? Manifest { get; init; }

        [CommandOption("--jobs <N>")]
        [Description("Movies tracked at once in this process (memory grows with N movies, not with the folder). Default: the cores divided by the 2 threads one track keeps busy, at least 1.")]
        public int? Jobs { get; init; }

        [CommandOption("--shard <K/N>")]
        [Description("Process only the K-th of N slices of the sorted movie list (e.g. a SLURM array: --shard $SLURM_ARRAY_TASK_ID/N) and write no summary; merge with `temtrack report DIR`.")]
        public string? Shard { get; init; }

        [CommandOption("--auto")]
        [Description("Movies without outlines: detect the particles in the first frame instead of skipping the movie.")]
        public bool Auto { get; init; }

        [CommandOption("--force")]
        [Description("Redo every movie, also those already done with unchanged inputs.")]
        public bool Force { get; init; }

        [CommandOption("--compare <A/B>")]
        [Description("Compare the D of conditions A and B into DIR/compare/A_vs_B (ratio D_A/D_B); repeatable. Default: every pair of the manifest's conditions.")]
        public string[] Compare { get; init; } = [];

        [CommandOption("--bootstrap <N>")]
        [Description("Bootstrap resamples per fit, as `temtrack fit --bootstrap` (0 skips the bootstrap interval).")]
        [DefaultValue(1000)]
        public int Bootstrap { get; init; } = 1000;

        public BatchShard? ParsedShard => Shard is string s ? BatchShard.TryParse(s, out _) : null;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Input)) return ValidationResult.Error("INPUT is required: the folder holding the movies");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out DIR is required: the batch folder to write into");
            if (Jobs is int j && j < 1) return ValidationResult.Error($"--jobs must be >= 1 (got {j})");
            if (Shard is string s && BatchShard.TryParse(s, out var problem) is null) return ValidationResult.Error(problem!);
            foreach (var c in Compare)
                if (BatchReport.ParsePair(c) is null) return ValidationResult.Error($"--compare must name two different conditions as A/B (got '{c}')");
            if (Bootstrap < 0) return ValidationResult.Error($"--bootstrap must be >= 0 (got {Bootstrap})");
            return ValidationResult.Success();
        }
    }

    private readonly IAnsiConsole _console;

    public BatchCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(s.Input))
            throw new UserInputException(File.Exists(s.Input)
                ? $"{s.Input}: is a file; INPUT is a folder of movies (for one movie use `temtrack track`)"
                : $"{s.Input}: no such folder");
        if (s.Manifest is string m && !File.Exists(m)) throw new UserInputException($"{m}: no such manifest file");
        var options = new BatchOptions
        {
            Manifest = s.Manifest,
            Jobs = s.Jobs ?? BatchOptions.DefaultJobs,
            Shard = s.ParsedShard,
            Auto = s.Auto,
            Force = s.Force,
            Compare = s.Compare.Select(c => BatchReport.ParsePair(c)!.Value).ToList(),
            BootstrapResamples = s.Bootstrap,
        };
        // SIGINT/SIGTERM (Ctrl-C, SLURM's time limit): stop between frames, drop the movies in progress (their partial
        // folders are removed, they keep no status) and exit 130; the next run resumes. A second signal ends at once.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext c)
        {
            if (cts.IsCancellationRequested) return;
            c.Cancel = true;
            cts.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        BatchResult result;
        try
        {
            result = Run(s, options, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Console.Error.WriteLine($"temtrack: interrupted; movies finished so far are kept in {s.Out}, the ones in progress were dropped; run the same command again to resume");
            return Interrupted;
        }
        Print(result, s);
        return result.Failed > 0 ? SomeFailed : 0;
    }

    private BatchResult Run(Settings s, BatchOptions options, CancellationToken ct)
    {
        var caps = _console.Profile.Capabilities;
        var output = _console.Profile.Out;
        bool terminal = caps.Interactive && caps.Ansi && (output.IsTerminal || !ReferenceEquals(output.Writer, Console.Out));
        if (terminal)
        {
            return _console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new MoviesColumn(), new FramesPerSecondColumn(),
                    new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("batch", maxValue: 1);
                    return BatchPipeline.Run(s.Input, s.Out!, options, new Inline(p =>
                    {
                        task.MaxValue = Math.Max(1, p.MoviesTotal);
                        task.Value = p.MoviesDone;
                        task.State.Update<double>("fps", _ => p.FramesPerS);
                        string now = p.Running.Count == 0 ? "" : " · " + string.Join(", ", p.Running.Select(r =>
                            r.FrameCount is int n ? $"{r.Id} {r.Frames}/{n}" : $"{r.Id} {r.Frames}"));
                        task.Description = Markup.Escape($"batch{now}");
                        if (p.Finished is { Status: BatchStatus.Failed } f)
                            ctx.Refresh();
                    }), ct);
                });
        }
        // Redirected output: one plain line per finished movie.
        return BatchPipeline.Run(s.Input, s.Out!, options, new Inline(p =>
        {
            if (p.Finished is not { } f) return;
            string what = f.Status switch
            {
                BatchStatus.Done when f.Reused => "done (unchanged, not redone)",
                BatchStatus.Done => string.Create(CultureInfo.InvariantCulture, $"done ({f.Frames} frames, {f.ElapsedS:0.0} s)"),
                BatchStatus.Failed => $"FAILED: {f.Error}",
                _ => $"skipped: {f.Error}",
            };
            _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"batch: [{p.MoviesDone}/{p.MoviesTotal}] {f.Id}: {what} ({p.FramesPerS:0} frames/s overall)"));
        }), ct);
    }

    private void Print(BatchResult r, Settings s)
    {
        int done = r.Movies.Count(m => m.Status == BatchStatus.Done), reused = r.Movies.Count(m => m.Reused);
        int skipped = r.Movies.Count(m => m.Status == BatchStatus.Skipped);
        string shard = s.ParsedShard is BatchShard k ? $" (shard {k})" : "";
        _console.WriteLine($"{r.Movies.Count} movies{shard}: {done} done ({reused} unchanged, not redone), {r.Failed} failed, {skipped} skipped");
        foreach (var m in r.Movies.Where(m => m.Status == BatchStatus.Failed))
            Console.Error.WriteLine($"temtrack: {m.Id}: failed: {m.Error}");
        foreach (var m in r.Movies.Where(m => m.Status == BatchStatus.Skipped))
            _console.WriteLine($"skipped {m.Id}: {m.Error}");
        if (r.Report is { } report)
        {
            foreach (var n in report.Notes) Console.Error.WriteLine($"temtrack: warning: {n}");
            _console.WriteLine($"wrote {Path.Combine(r.OutputDirectory, BatchReport.SummaryCsv)} ({report.Summary.Count} particles), " +
                               $"{BatchReport.MoviesCsv}, {BatchReport.ReportHtml} ({report.ReportBytes / 1e6:0.0} MB)" +
                               (report.Comparisons.Count > 0 ? $", compare/{string.Join(", compare/", report.Comparisons)}" : ""));
        }
        else
            _console.WriteLine($"shard written into {r.OutputDirectory}; when every shard is done run: temtrack report {r.OutputDirectory}");
    }

    private sealed class Inline(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }

    private sealed class MoviesColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"{task.Value:0}/{task.MaxValue:0} movies");
    }

    private sealed class FramesPerSecondColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(string.Create(CultureInfo.InvariantCulture, $"{task.State.Get<double>("fps"):0} frames/s"), new Style(Color.Aqua));
    }
}
