using Spectre.Console.Cli;

namespace TemAreaTracker.Cli.Commands;

/// <summary>Placeholder until its issue lands.</summary>
internal sealed class CompareCommand : Command<CompareCommand.Settings>
{
    public sealed class Settings : CommandSettings { }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
        => throw new UserInputException("compare is not implemented yet");
}
