using Spectre.Console.Cli;

namespace TemAreaTracker.Cli.Commands;

/// <summary>Placeholder until its issue lands.</summary>
internal sealed class InfoCommand : Command<InfoCommand.Settings>
{
    public sealed class Settings : CommandSettings { }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
        => throw new UserInputException("info is not implemented yet");
}
