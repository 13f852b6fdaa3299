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
        config.AddCommand<InfoCommand>("info")
            .WithDescription("Show what a movie or microscope file holds: frames, size, dtype, calibration.");
    }
}
