using Spectre.Console.Cli;

namespace TemAreaTracker.Cli.Commands;

/// <summary>Placeholder until its issue lands.</summary>
internal sealed class TrackCommand : Command<TrackCommand.Settings>
{
    public sealed class Settings : CommandSettings { }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
        => throw new UserInputException("track is not implemented yet");
}
