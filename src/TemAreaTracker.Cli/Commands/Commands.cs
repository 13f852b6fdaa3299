using Spectre.Console.Cli;

namespace TemAreaTracker.Cli.Commands;

/// <summary>Registers every verb; each lives in its own file.</summary>
internal static class Commands
{
    public static void Register(IConfigurator config)
    {
        config.AddCommand<SimulateCommand>("simulate")
            .WithDescription("Render a TEM movie of swelling Si particles with its ground truth (truth.json, RoiSet.zip).");
        config.AddCommand<TrackCommand>("track")
            .WithDescription("Track outlined particles through a movie: area-vs-time in nm², overlays, plots.");
        config.AddCommand<FitCommand>("fit")
            .WithDescription("Fit area curves to a lithium diffusivity D with 95% intervals.");
        config.AddCommand<CompareCommand>("compare")
            .WithDescription("Compare D between two conditions (e.g. chemical vs electrochemical).");
        config.AddCommand<BatchCommand>("batch")
            .WithDescription("Track and fit every movie in a folder (resumable, parallel, SLURM shards): movies.csv, summary.csv, report.html. " +
                             "Exit 0: all done or skipped; 3: some movie failed; 2: bad input; 130: interrupted.")
            .WithExample("batch", "sample-movies", "--out", "batch-out");
        config.AddCommand<ReportCommand>("report")
            .WithDescription("Rebuild summary.csv, compare/ and report.html of a batch folder (after shards or a rerun). Exit 0, 3 (a movie failed) or 2.")
            .WithExample("report", "batch-out");
        config.AddCommand<InfoCommand>("info")
            .WithDescription("Show what a movie or microscope file holds: frames, size, dtype, calibration.");
    }
}
