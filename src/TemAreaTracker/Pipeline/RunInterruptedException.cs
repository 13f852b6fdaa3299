namespace TemAreaTracker.Pipeline;

/// <summary>
/// A run stopped by its cancellation token (the CLI cancels it on SIGINT/SIGTERM); its output folder was not written
/// (an existing one is untouched). The message says where it stopped: "interrupted at frame 37 of 120",
/// "interrupted while fitting p3".
/// </summary>
public sealed class RunInterruptedException(string message, CancellationToken token) : OperationCanceledException(message, token);
