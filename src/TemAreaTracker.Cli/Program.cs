using Spectre.Console.Cli;
using TemAreaTracker.Cli;
using TemAreaTracker.Cli.Commands;

// Before any OpenCV call: IPP is switched off on non-Intel CPUs, where its vendor check costs more than it saves.
TemAreaTracker.OpenCvRuntime.Configure();

// Piped output is not wrapped at 80 columns: tables keep their width and no value is split across lines.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 4096;
var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("temtrack");
    // The same version string run.json records (tool.version): release and commit.
    config.SetApplicationVersion(CliRunner.Version);
    config.PropagateExceptions();
    Commands.Register(config);
});
// Ctrl-C and SIGTERM stop the run cleanly: no partial output, one line, exit 130 (143).
using var interrupts = InterruptSignals.Listen();
return CliRunner.Run(app, args, interrupts);
