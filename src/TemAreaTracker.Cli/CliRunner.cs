using Spectre.Console;
using Spectre.Console.Cli;

namespace TemAreaTracker.Cli;

/// <summary>Runs the app and turns any failure into one line on stderr and a non-zero exit code.</summary>
public static class CliRunner
{
    /// <summary>Exit code for bad input (unreadable file, invalid option) .</summary>
    public const int BadInput = 2;

    /// <summary>The tool's version: release, then "+" and the commit it was built from (as run.json's tool.version).</summary>
    public static string Version => ToolVersion.Current;

    public static int Run(ICommandApp app, string[] args)
    {
        try
        {
            return app.Run(args);
        }
        catch (CommandAppException e)
        {
            Console.Error.WriteLine($"temtrack: {ExtraArgumentHint(args) ?? e.Message}");
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

    /// <summary>
    /// A shell glob over several movies (or csv files) reaches a verb that takes one; Spectre's "Could not match ... with
    /// an argument" does not say what to do, so say it: one input per run, or <c>batch</c> for a folder of them.
    /// </summary>
    private static readonly HashSet<string> Flags = ["--auto", "--force", "--conservation", "--inverted", "--json", "--read-all", "--scale-bar", "--timestamp", "-h", "--help"];

    internal static string? ExtraArgumentHint(string[] args)
    {
        if (args.Length == 0) return null;
        string verb = args[0];
        int? takes = verb switch { "track" or "info" or "fit" => 1, "compare" => 2, _ => null };
        if (takes is not int n) return null;
        // Positional arguments: the tokens after the verb that are neither options nor an option's value.
        var inputs = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i].StartsWith('-'))
            {
                bool flag = args[i].Contains('=') || Flags.Contains(args[i]);
                if (!flag) i++; // skip its value
                continue;
            }
            inputs.Add(args[i]);
        }
        if (inputs.Count <= n) return null;
        string shown = string.Join(", ", inputs.Take(3)) + (inputs.Count > 3 ? $", … ({inputs.Count} in all)" : "");
        return verb switch
        {
            "compare" => $"compare takes two fit folders (or fit.json files), got {inputs.Count}: {shown}; pass --label-a/--label-b for the two conditions",
            "fit" => $"fit takes one areas.csv, got {inputs.Count}: {shown}; fit each, or run `temtrack batch FOLDER --out DIR` over the movies",
            _ => $"{verb} takes one movie, got {inputs.Count}: {shown}; for several movies run `temtrack batch FOLDER --out DIR`",
        };
    }
}

/// <summary>A problem with what the user gave us; its message is the one line they see.</summary>
public sealed class UserInputException(string message) : Exception(message);
