using System.Runtime.InteropServices;
using Spectre.Console;
using Spectre.Console.Cli;
using TemAreaTracker.Pipeline;

namespace TemAreaTracker.Cli;

/// <summary>Runs the app and turns any failure into one line on stderr and a non-zero exit code.</summary>
public static class CliRunner
{
    /// <summary>Exit code for bad input (unreadable file, invalid option) .</summary>
    public const int BadInput = 2;

    /// <summary>The tool's version: release, then "+" and the commit it was built from (as run.json's tool.version).</summary>
    public static string Version => ToolVersion.Current;

    /// <summary>Exit code after SIGINT (128 + 2, as a shell reports it); SIGTERM gives 143.</summary>
    public const int Interrupted = 130;

    /// <summary>Runs <paramref name="app"/> with no way to interrupt it (tests, library hosts).</summary>
    public static int Run(ICommandApp app, string[] args) => Run(app, args, interrupts: null);

    /// <summary>
    /// Runs <paramref name="app"/>; when <paramref name="interrupts"/> cancels the run, the command's partial output is
    /// gone and one line says where it stopped: "temtrack: interrupted at frame 37 of 120; nothing written".
    /// </summary>
    public static int Run(ICommandApp app, string[] args, InterruptSignals? interrupts)
    {
        var token = interrupts?.Token ?? CancellationToken.None;
        try
        {
            return app.Run(args, token);
        }
        catch (OperationCanceledException e) when (token.IsCancellationRequested)
        {
            Console.Error.WriteLine($"temtrack: {(e is RunInterruptedException ? e.Message : "interrupted")}; nothing written");
            return interrupts!.ExitCode;
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
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or UnauthorizedAccessException)
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

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM cancel <see cref="Token"/>, which the commands pass into their pipelines: the run stops at
/// its next check (every frame, every bootstrap resample), removes its partial output and exits with
/// <see cref="ExitCode"/>. A second signal ends the process at once; the partial folder it leaves is removed by the next
/// run writing beside it.
/// </summary>
public sealed class InterruptSignals : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signal;

    private InterruptSignals() { }

    /// <summary>Starts listening for SIGINT and SIGTERM (until disposed).</summary>
    public static InterruptSignals Listen()
    {
        var s = new InterruptSignals();
        foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15) })
            s._registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                if (Interlocked.CompareExchange(ref s._signal, number, 0) != 0) return; // the second one: default action, exit now
                ctx.Cancel = true;
                s._cts.Cancel();
            }));
        return s;
    }

    /// <summary>Cancelled by the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>
    /// 130 after SIGINT or SIGTERM: one documented code for "interrupted, nothing written", whichever way the run was
    /// stopped (a scheduler's SIGTERM and a user's Ctrl-C leave the same state behind).
    /// </summary>
    public int ExitCode => 130;

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}

/// <summary>A problem with what the user gave us; its message is the one line they see.</summary>
public sealed class UserInputException(string message) : Exception(message);
