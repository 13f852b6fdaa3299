using Spectre.Console;
using Spectre.Console.Cli;

namespace TemAreaTracker.Cli;

/// <summary>Runs the app and turns any failure into one line on stderr and a non-zero exit code.</summary>
public static class CliRunner
{
    /// <summary>Exit code for bad input (unreadable file, invalid option) .</summary>
    public const int BadInput = 2;

    /// <summary>The tool's version: release, then "+" and the commit it was built from (as run.json's tool.version).</summary>
    public static string Version { get; } =
        typeof(Movie).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
        ?? typeof(Movie).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static int Run(ICommandApp app, string[] args)
    {
        try
        {
            return app.Run(args);
        }
        catch (CommandAppException e)
        {
            Console.Error.WriteLine($"temtrack: {e.Message}");
            return BadInput;
        }
        catch (UserInputException e)
        {
            Console.Error.WriteLine($"temtrack: {e.Message}");
            return BadInput;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"temtrack: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException)
        {
            Console.Error.WriteLine($"temtrack: {e.Message}");
            return BadInput;
        }
    }
}

/// <summary>A problem with what the user gave us; its message is the one line they see.</summary>
public sealed class UserInputException(string message) : Exception(message);
