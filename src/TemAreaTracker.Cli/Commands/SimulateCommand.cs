using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using TemAreaTracker.IO;
using TemAreaTracker.Pipeline;
using TemAreaTracker.Simulation;

namespace TemAreaTracker.Cli.Commands;

/// <summary>
/// <c>temtrack simulate</c>: renders a TEM movie of lithiating Si particles and writes movie, RoiSet.zip (hand-drawn
/// outlines of frame 0) and truth.json into --out, via a temporary folder renamed on success.
/// </summary>
internal sealed class SimulateCommand : Command<SimulateCommand.Settings>
{
    private readonly IAnsiConsole _console;

    public SimulateCommand() : this(AnsiConsole.Console) { }

    internal SimulateCommand(IAnsiConsole console) => _console = console;

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--scenario <NAME>")]
        [Description("electrochemical-cluster (Fig. 2), redistribution (Fig. 3), chemical / electrochemical (Fig. 4 pair), isolated")]
        [DefaultValue("electrochemical-cluster")]
        public string Scenario { get; init; } = "electrochemical-cluster";

        [CommandOption("--seed <N>")]
        [Description("Seed of the layout, texture, drift and noise: same seed, same bytes")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        [CommandOption("--frames <N>")]
        [Description("Number of frames (default: the scenario's; the frame interval adapts so the kinetics spans the movie)")]
        public int? Frames { get; init; }

        [CommandOption("--size <WxH>")]
        [Description("Frame size in px, e.g. 320x256 (default: the scenario's)")]
        public string? Size { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("tif (ImageJ TIFF stack), avi (MJPG), ffv1 (lossless AVI) or png (folder of PNGs)")]
        [DefaultValue("tif")]
        public string Format { get; init; } = "tif";

        [CommandOption("--bit-depth <BITS>")]
        [Description("8 or 16 (16 needs tif or png)")]
        [DefaultValue(8)]
        public int BitDepth { get; init; } = 8;

        [CommandOption("--dose <ELECTRONS>")]
        [Description("Electrons per pixel per frame in the background (Poisson noise); 0 = noise-free")]
        public double? Dose { get; init; }

        [CommandOption("--drift <PX>")]
        [Description("Random-walk stage drift: σ of each frame's step in px")]
        public double? Drift { get; init; }

        [CommandOption("--drift-velocity <VX,VY>")]
        [Description("Steady stage drift in px per frame, e.g. 0.5,-0.2 (large values carry particles out of view)")]
        public string? DriftVelocity { get; init; }

        [CommandOption("--blur <PX>")]
        [Description("Gaussian PSF σ in px")]
        public double? Blur { get; init; }

        [CommandOption("--inverted")]
        [Description("Invert the contrast (bright particles on a dark background)")]
        public bool Inverted { get; init; }

        [CommandOption("--scale-bar")]
        [Description("Burn a labelled scale bar into the bottom-right corner")]
        public bool ScaleBar { get; init; }

        [CommandOption("--timestamp")]
        [Description("Burn the time stamp into the top-left corner")]
        public bool TimeStamp { get; init; }

        [CommandOption("--force")]
        [Description("Replace an existing output folder that temtrack wrote (holding nothing else), once the new one is complete.")]
        public bool Force { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder (created; refused if it exists, unless --force)")]
        public string? Out { get; init; }

        internal (int W, int H)? ParsedSize =>
            Size is null ? null
            : Size.Split('x', 'X') is [var w, var h] && int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out int wi)
              && int.TryParse(h, NumberStyles.None, CultureInfo.InvariantCulture, out int hi) ? (wi, hi) : (-1, -1);

        internal (double X, double Y)? ParsedDriftVelocity =>
            DriftVelocity is null ? null
            : DriftVelocity.Split(',') is [var x, var y]
              && double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out double vx)
              && double.TryParse(y, NumberStyles.Float, CultureInfo.InvariantCulture, out double vy)
              && double.IsFinite(vx) && double.IsFinite(vy) ? (vx, vy) : (double.NaN, double.NaN);

        internal MovieFileFormat ParsedFormat => Format switch
        {
            "tif" or "tiff" => MovieFileFormat.Tiff,
            "avi" or "mjpg" => MovieFileFormat.AviMjpg,
            "ffv1" => MovieFileFormat.AviFfv1,
            "png" => MovieFileFormat.PngSequence,
            _ => throw new InvalidOperationException(),
        };

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out DIR is required");
            if (!Scenarios.Names.Contains(Scenario))
                return ValidationResult.Error($"--scenario '{Scenario}' is unknown; use one of: {string.Join(", ", Scenarios.Names)}");
            if (Format is not ("tif" or "tiff" or "avi" or "mjpg" or "ffv1" or "png"))
                return ValidationResult.Error($"--format '{Format}' is unknown; use tif, avi, ffv1 or png");
            if (BitDepth is not (8 or 16)) return ValidationResult.Error($"--bit-depth must be 8 or 16 (got {BitDepth})");
            if (BitDepth == 16 && Format is "avi" or "mjpg" or "ffv1")
                return ValidationResult.Error("--bit-depth 16 needs --format tif or png (AVI holds 8-bit frames)");
            if (Frames is int f && (f < 5 || f > 100_000)) return ValidationResult.Error($"--frames must be 5..100000 (got {f})");
            if (ParsedSize is (int w, int h) && (w < 64 || h < 64 || w > 8192 || h > 8192))
                return ValidationResult.Error($"--size must be WxH with 64..8192 px each, e.g. 320x256 (got '{Size}')");
            if (Dose is double d && (d < 0 || !double.IsFinite(d))) return ValidationResult.Error($"--dose must be ≥ 0 electrons/px (got {d})");
            if (Drift is double dr && (dr < 0 || dr > 50)) return ValidationResult.Error($"--drift must be 0..50 px (got {dr})");
            if (ParsedDriftVelocity is (double vx, double vy) && !(Math.Abs(vx) <= 50 && Math.Abs(vy) <= 50))
                return ValidationResult.Error($"--drift-velocity must be VX,VY in px/frame, each within ±50, e.g. 0.5,-0.2 (got '{DriftVelocity}')");
            if (Blur is double b && (b < 0 || b > 20)) return ValidationResult.Error($"--blur must be 0..20 px (got {b})");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var size = settings.ParsedSize;
        SimulationScenario scenario;
        try
        {
            scenario = Scenarios.ByName(settings.Scenario, settings.Seed, settings.Frames, size?.W, size?.H);
        }
        catch (InvalidOperationException e)
        {
            throw new UserInputException($"--scenario {settings.Scenario}: {e.Message}; try a larger --size");
        }
        scenario = scenario with
        {
            BitDepth = settings.BitDepth,
            Inverted = settings.Inverted,
            ScaleBar = settings.ScaleBar,
            TimeStamp = settings.TimeStamp,
            DoseElectronsPerPx = settings.Dose is double d ? (d == 0 ? double.PositiveInfinity : d) : scenario.DoseElectronsPerPx,
            DriftStepPx = settings.Drift ?? scenario.DriftStepPx,
            BlurSigmaPx = settings.Blur ?? scenario.BlurSigmaPx,
            DriftVelocityXPxPerFrame = settings.ParsedDriftVelocity?.X ?? scenario.DriftVelocityXPxPerFrame,
            DriftVelocityYPxPerFrame = settings.ParsedDriftVelocity?.Y ?? scenario.DriftVelocityYPxPerFrame,
        };
        // Messages name the folder by its full path, and so does the summary.
        string outDir = Path.GetFullPath(settings.Out!);
        var sw = Stopwatch.StartNew();
        var result = SimulatePipeline.Run(new SimulateRequest
        {
            Scenario = scenario,
            OutputDirectory = outDir,
            Overwrite = settings.Force,
            Format = settings.ParsedFormat,
        }, cancellationToken);

        var t = result.Truth;
        _console.MarkupLine($"[green]wrote[/] {Markup.Escape(outDir)} ({scenario.Name}, seed {scenario.Seed}): " +
                            $"{scenario.Frames} frames {scenario.Width}x{scenario.Height} px, {scenario.PixelSizeNm} nm/px, " +
                            $"{scenario.FrameIntervalS.ToString(CultureInfo.InvariantCulture)} s/frame, in {sw.Elapsed.TotalSeconds:0.0} s");
        var table = new Table().AddColumns("name", "R0 (nm)", "L (nm)", "D (cm²/s)", "t0 (s)", "A first (nm²)", "A last (nm²)");
        foreach (var p in t.Particles)
            table.AddRow(p.Name, $"{p.R0Nm:0.0}", $"{p.Kinetics.DiffusionLengthNm:0.0}", $"{p.DiffusivityCm2PerS:0.00e0}",
                $"{p.Kinetics.OnsetS:0.00}", $"{p.AreaNm2[0]:0}", $"{p.AreaNm2[^1]:0}");
        foreach (var c in t.Clusters)
            table.AddRow(c.Name, "", "", "", "", $"{c.AreaNm2[0]:0}", $"{c.AreaNm2[^1]:0}");
        _console.Write(table);
        _console.MarkupLine($"movie: {Markup.Escape(Path.Combine(outDir, Path.GetFileName(result.MoviePath)))}; outlines: RoiSet.zip ({string.Join(", ", result.Outlines.Select(o => o.Name))}); truth: truth.json");
        return 0;
    }
}
