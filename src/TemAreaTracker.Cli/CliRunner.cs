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
    public static string Version { get; } =
        typeof(Movie).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
        ?? typeof(Movie).Assembly.GetName().Version?.ToString() ?? "unknown";

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
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"temtrack: {e.Message}");
            return BadInput;
        }
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

    /// <summary>128 + the signal's number: 130 after SIGINT, 143 after SIGTERM.</summary>
    public int ExitCode => 128 + (_signal == 0 ? 2 : _signal);

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}

/// <summary>A problem with what the user gave us; its message is the one line they see.</summary>
public sealed class UserInputException(string message) : Exception(message);
