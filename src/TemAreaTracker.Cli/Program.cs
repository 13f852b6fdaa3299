using Spectre.Console.Cli;
using TemAreaTracker.Cli;
using TemAreaTracker.Cli.Commands;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("temtrack");
    config.PropagateExceptions();
    Commands.Register(config);
});
return CliRunner.Run(app, args);
