using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Rendering;
using TemAreaTracker.IO;
using TemAreaTracker.Measurement;
using TemAreaTracker.Pipeline;

namespace TemAreaTracker.Cli.Commands;

/// <summary>
/// <c>temtrack track MOVIE --rois ROIS [--pixel-size-nm X] [--frame-interval-s S] [--scale-bar-nm N] [--auto] [--force] --out DIR</c>:
/// follows outlined particles through a movie and writes areas.csv, areas.png/.svg, overlay.avi, contact-sheet.png,
/// outlines.zip and run.json into DIR.
/// </summary>
/// <remarks>
/// Exit codes: 0 when DIR is complete, also when the movie was truncated (the frames that could be read are tracked and a
/// warning on stderr says where reading stopped: the curves up to that point are real data worth keeping);
/// 2 for bad input or a failed write (one line on stderr naming the file and the problem; DIR is not created or changed);
/// 130 (143) after SIGINT (SIGTERM): "interrupted at frame 37 of 120; nothing written".
/// Warnings go to stderr, progress and the summary table to stdout.
/// </remarks>
internal sealed class TrackCommand : Command<TrackCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MOVIE>")]
        [Description(MovieFormats.Description)]
        public string Movie { get; init; } = "";

        [CommandOption("--dataset <NAME>")]
        [Description("EMD file with several datasets: the one to track (temtrack info lists them; default: the first).")]
        public string? Dataset { get; init; }

        [CommandOption("--rois <ROIS>")]
        [Description("Outlines drawn on the first frame: ImageJ .roi, RoiSet.zip, or JSON of named polygons in px.")]
        public string? Rois { get; init; }

        [CommandOption("--pixel-size-nm <NM>")]
        [Description("Pixel edge in nm, used when the file's metadata has none.")]
        public double? PixelSizeNm { get; init; }

        [CommandOption("--frame-interval-s <SECONDS>")]
        [Description("Time between frames in s, used when the file's metadata has none (beats the container frame rate).")]
        public double? SecondsPerFrame { get; init; }

        [CommandOption("--scale-bar-nm <NM>")]
        [Description("Length in nm of the burnt-in scale bar; its length in px gives the pixel size when nothing else does.")]
        public double? ScaleBarNm { get; init; }

        [CommandOption("--auto")]
        [Description("No ROIs: detect every particle in the first frame and track them all (p1, p2, ...).")]
        public bool Auto { get; init; }

        [CommandOption("--force")]
        [Description("Replace an existing output folder that temtrack wrote (holding nothing else), once the new one is complete.")]
        public bool Force { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder (must not exist unless --force).")]
        public string? Out { get; init; }

        public CalibrationRequest Calibration => new(PixelSizeNm, SecondsPerFrame, ScaleBarNm);

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Movie)) return ValidationResult.Error("MOVIE is required: a movie file or a folder of frames");
            if (Dataset is not null && string.IsNullOrWhiteSpace(Dataset)) return ValidationResult.Error("--dataset needs a NAME (temtrack info MOVIE lists them)");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out DIR is required: the folder to write areas.csv, plots and overlays into");
            if (Rois is null && !Auto) return ValidationResult.Error("give the outlines with --rois RoiSet.zip (or .roi/.json), or pass --auto to detect the particles");
            if (Calibration.Problem() is string problem) return ValidationResult.Error(problem);
            return ValidationResult.Success();
        }
    }

    /// <summary>Test seams (per async flow, so parallel tests do not see each other's): how movies and ROIs are opened, and stderr.</summary>
    internal static readonly AsyncLocal<Func<string, Movie>?> OpenMovieOverride = new();
    internal static readonly AsyncLocal<Func<string, IReadOnlyList<Outline>>?> ReadRoisOverride = new();
    internal static readonly AsyncLocal<TextWriter?> StdErrOverride = new();

    private readonly IAnsiConsole _console;

    public TrackCommand(IAnsiConsole console) => _console = console;

    private static TextWriter StdErr => StdErrOverride.Value ?? Console.Error;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string movieArg = settings.Movie;
        if (!File.Exists(movieArg) && !Directory.Exists(movieArg))
            throw new UserInputException($"{movieArg}: no such movie file or folder");
        // Refused before the ROIs are read (the pipeline checks again before it starts).
        TrackPipeline.OutputFolderFor(settings.Out!, settings.Force, movieArg, settings.Rois).EnsureFree();

        var early = new List<string>();
        IReadOnlyList<Outline>? outlines = null;
        if (settings.Rois is string rois)
        {
            if (settings.Auto) early.Add("--auto ignored: outlines given with --rois");
            outlines = ReadRois(rois);
        }

        using var movie = OpenMovie(movieArg, settings.Dataset);
        var request = new TrackRequest
        {
            Movie = movie,
            Outlines = outlines,
            OutlineSource = settings.Rois ?? "auto",
            Calibration = settings.Calibration,
            OutputDirectory = settings.Out!,
            Overwrite = settings.Force,
            OnWarning = w => StdErr.WriteLine($"temtrack: warning: {w}"),
            Parameters = new Dictionary<string, string?>
            {
                ["movie"] = movieArg,
                ["rois"] = settings.Rois,
                ["dataset"] = settings.Dataset,
                ["out"] = settings.Out,
                ["command_line"] = string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            },
        };

        foreach (var w in early) StdErr.WriteLine($"temtrack: warning: {w}");
        var result = RunWithProgress(request, movie, cancellationToken);
        if (!result.Calibration.IsSpatiallyCalibrated)
            StdErr.WriteLine("temtrack: WARNING: NO PIXEL SIZE — every area is in px^2, not nm^2; pass --pixel-size-nm or --scale-bar-nm to calibrate");
        WriteSummary(result);
        return 0;
    }

    private static IReadOnlyList<Outline> ReadRois(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"{path}: no such ROI file");
        try
        {
            return ReadRoisOverride.Value is { } read ? read(path) : OutlineFile.Read(path);
        }
        catch (Exception e) when (e is not (UserInputException or NotImplementedException or OutOfMemoryException))
        {
            // Keep the reader's own message when it names the file; otherwise say which file and what we expected.
            string msg = e.Message.Contains(path) ? e.Message
                : $"{path}: not an ImageJ ROI (.roi), RoiSet.zip or JSON outline file: {e.Message}";
            throw new InvalidDataException(msg, e);
        }
    }

    private static Movie OpenMovie(string path, string? dataset) =>
        OpenMovieOverride.Value is { } open ? open(path) : MovieReader.Open(path, dataset);

    private TrackResult RunWithProgress(TrackRequest request, Movie movie, CancellationToken ct)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(movie.SourcePath));
        // A live bar only on a terminal: the process stdout must not be redirected (a console writing elsewhere,
        // e.g. a test console, is trusted on its own capabilities); plain lines otherwise.
        var caps = _console.Profile.Capabilities;
        var output = _console.Profile.Out;
        bool terminal = caps.Interactive && caps.Ansi && (output.IsTerminal || !ReferenceEquals(output.Writer, Console.Out));
        if (terminal)
        {
            return _console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new FramesColumn(),
                    new FramesPerSecondColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"tracking {Markup.Escape(name)}", maxValue: movie.FrameCount ?? 1);
                    task.IsIndeterminate = movie.FrameCount is null;
                    var r = TrackPipeline.Run(request with { Progress = new Inline(p => task.Value = p.FramesDone) }, ct);
                    task.IsIndeterminate = false;
                    task.MaxValue = r.FramesRead;
                    task.Value = r.FramesRead;
                    return r;
                });
        }
        // Redirected output: a plain line every 10 % (every 100 frames when the length is unknown).
        int lastDecile = 0;
        var run = TrackPipeline.Run(request with
        {
            Progress = new Inline(p =>
            {
                if (p.FrameCount is int n && n > 0)
                {
                    int decile = 10 * p.FramesDone / n;
                    if (decile <= lastDecile) return;
                    lastDecile = decile;
                    _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"track: {p.FramesDone}/{n} frames ({100 * p.FramesDone / n}%), {p.FramesPerS:0} frames/s"));
                }
                else if (p.FramesDone % 100 == 0)
                    _console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"track: {p.FramesDone} frames, {p.FramesPerS:0} frames/s"));
            }),
        }, ct);
        return run;
    }

    private void WriteSummary(TrackResult r)
    {
        string unit = r.Calibration.IsSpatiallyCalibrated ? "nm²" : "px²";
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{r.FramesRead} frames tracked")
            .AddColumn("particle")
            .AddColumn("kind")
            .AddColumn(new TableColumn($"initial area ({unit})").RightAligned())
            .AddColumn(new TableColumn($"final area ({unit})").RightAligned())
            .AddColumn(new TableColumn("growth").RightAligned())
            .AddColumn(new TableColumn("quality (ok frames)").RightAligned());
        var kinds = new Dictionary<string, ParticleKind>();
        foreach (var row in r.Rows) kinds.TryAdd(row.Particle, row.Kind);
        foreach (var p in r.Particles)
            table.AddRow(
                Markup.Escape(p.Particle),
                kinds.GetValueOrDefault(p.Particle).Name(),
                Num(p.InitialArea, "N0"),
                Num(p.FinalArea, "N0"),
                double.IsFinite(p.GrowthPercent) ? p.GrowthPercent.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + " %" : "–",
                (100 * p.OkFraction).ToString("0", CultureInfo.InvariantCulture) + " %");
        _console.Write(table);
        var c = r.Calibration.Calibration;
        string px = c.PixelWidthNm is double w
            ? string.Create(CultureInfo.InvariantCulture, $"pixel {w:G4}{(c.PixelHeightNm is double h && h != w ? $" x {h:G4}" : "")} nm ({c.PixelSizeSource})")
            : "no pixel size (areas in px²)";
        string dt = c.FrameIntervalS is double s
            ? string.Create(CultureInfo.InvariantCulture, $"frame interval {s:G4} s ({c.FrameIntervalSource})")
            : "no frame interval (time = frame index)";
        _console.WriteLine($"calibration: {px}, {dt}");
        _console.WriteLine($"outputs: {r.OutputDirectory}");
    }

    private static string Num(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private sealed class Inline(Action<TrackProgress> report) : IProgress<TrackProgress>
    {
        public void Report(TrackProgress value) => report(value);
    }

    /// <summary>"123/456 frames" (or "123 frames" while the length is unknown).</summary>
    private sealed class FramesColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.IsIndeterminate ? $"{task.Value:0} frames" : $"{task.Value:0}/{task.MaxValue:0} frames");
    }

    private sealed class FramesPerSecondColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is double s ? $"{s:0} frames/s" : "– frames/s", new Style(Color.Aqua));
    }
}
