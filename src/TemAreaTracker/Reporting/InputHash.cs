using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace TemAreaTracker.Reporting;

/// <summary>SHA-256 of a run's input, so run.json pins exactly which data it measured.</summary>
internal static partial class InputHash
{
    /// <summary>
    /// Starts <see cref="Sha256"/> of <paramref name="path"/> on a thread of its own at the lowest scheduling priority,
    /// so that it uses only CPU time the tracking leaves idle (a movie is read once more, ~1.5 GB/s) instead of taking a
    /// core from it; null when the path does not exist. The task also gives the hashing thread's wall time in s.
    /// </summary>
    public static Task<(string? Sha256, double Seconds)> Sha256InBackground(string path)
    {
        var done = new TaskCompletionSource<(string?, double)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            LowerThisThreadsPriority();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                string? h = File.Exists(path) || Directory.Exists(path) ? Sha256(path) : null;
                done.SetResult((h, sw.Elapsed.TotalSeconds));
            }
            catch (Exception e) { done.SetException(e); }
        })
        { IsBackground = true, Name = "input-hash", Priority = ThreadPriority.Lowest };
        thread.Start();
        return done.Task;
    }

    // Thread.Priority is not applied on Linux; a thread's own nice value is (setpriority on its thread id).
    private static void LowerThisThreadsPriority()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { _ = SetPriority(0 /* PRIO_PROCESS: a thread id on Linux */, GetTid(), 19); }
        catch (EntryPointNotFoundException) { }
        catch (DllNotFoundException) { }
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int prio);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    /// <summary>
    /// Hex SHA-256 of a file's bytes (streamed), or of a folder: for each file in ordinal order of its relative path,
    /// the UTF-8 path, a NUL, the 8-byte little-endian length, then the bytes (so renaming or moving data changes it).
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither a file nor a folder.</exception>
    public static string Sha256(string path)
    {
        if (File.Exists(path))
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            return Convert.ToHexStringLower(SHA256.HashData(s));
        }
        if (!Directory.Exists(path)) throw new FileNotFoundException($"{path}: no such file or folder", path);
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Select(f => (Full: f, Rel: Path.GetRelativePath(path, f).Replace('\\', '/')))
            .OrderBy(f => f.Rel, StringComparer.Ordinal);
        var buffer = new byte[1 << 20];
        foreach (var (full, rel) in files)
        {
            h.AppendData(Encoding.UTF8.GetBytes(rel));
            h.AppendData([0]);
            using var s = File.OpenRead(full);
            h.AppendData(BitConverter.GetBytes(s.Length));
            int n;
            while ((n = s.Read(buffer, 0, buffer.Length)) > 0) h.AppendData(buffer, 0, n);
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }
}
