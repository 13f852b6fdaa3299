using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace TemAreaTracker.Pipeline;

/// <summary>
/// Who is writing a temporary folder beside an output (<c>.NAME.partial-HOST-PID-START-RAND</c>, or an old output moved
/// aside while the new one takes its place, <c>.NAME.replaced-…</c>), and whether that writer is provably gone, so a folder
/// left by a killed run (SIGKILL, power loss) can be removed by the next run that writes beside it.
/// </summary>
/// <remarks>
/// The owner is the host name, the process id and the process start time (on Linux the start in clock ticks since boot
/// from /proc/PID/stat, with the boot id in the folder's marker; elsewhere the start in ms since 1970). It is gone when, on
/// this host, no process has that id, or the process with that id started at another time (the id was reused), or the
/// machine has rebooted since; a folder of another host is only taken as abandoned once nothing in it changed for a day.
/// Names start with a dot, so listings, globs and the discovery of results skip them.
/// </remarks>
internal static class OutputOwner
{
    /// <summary>A folder of another host (or of an older version that did not record its host) is abandoned after this.</summary>
    public static readonly TimeSpan ForeignHostGrace = TimeSpan.FromDays(1);

    /// <summary>This host's name as the folder names carry it (letters, digits and '-' only, at most 32).</summary>
    public static string Host { get; } = HostToken(Environment.MachineName);

    /// <summary>This process's start (see the remarks); 0 when it cannot be read.</summary>
    public static ulong Start { get; } = ProcessStart(Environment.ProcessId).Start ?? 0;

    /// <summary>This machine's boot id (Linux), else null.</summary>
    public static string? BootId { get; } = ReadBootId();

    /// <summary>"HOST-PID-START": this process, as the names of its temporary folders carry it.</summary>
    public static string Token => $"{Host}-{Environment.ProcessId}-{Start}";

    internal static string HostToken(string machineName)
    {
        var s = new string(machineName.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-').ToArray()).Trim('-');
        if (s.Length > 32) s = s[..32];
        return s.Length == 0 ? "host" : s;
    }

    private static readonly Regex Current = new(
        @"^\.(?<name>.+)\.(?<kind>partial|replaced)-(?<host>[A-Za-z0-9-]+)-(?<pid>\d{1,10})-(?<start>\d{1,20})-(?<rand>[0-9a-f]{8})$",
        RegexOptions.CultureInvariant);

    // Written by versions before the owner was recorded: .NAME.partial-PID-RAND8 and .NAME.replaced-GUID32.
    private static readonly Regex LegacyPartial = new(@"^\.(?<name>.+)\.partial-(?<pid>\d{1,10})-(?<rand>[0-9a-f]{8})$", RegexOptions.CultureInvariant);
    private static readonly Regex LegacyReplaced = new(@"^\.(?<name>.+)\.replaced-(?<rand>[0-9a-f]{32})$", RegexOptions.CultureInvariant);

    /// <summary>A temporary folder of a run, recognised by its name.</summary>
    /// <param name="Output">The output folder's name it belongs to.</param>
    /// <param name="Replaced">True for an old output moved aside, false for a new one being written.</param>
    /// <param name="Host">Owner's host; null for folders of versions that did not record it.</param>
    /// <param name="Pid">Owner's process id; null when not recorded.</param>
    /// <param name="Start">Owner's process start; null when not recorded.</param>
    internal sealed record TempName(string Output, bool Replaced, string? Host, int? Pid, ulong? Start);

    /// <summary>Parses a temporary folder's name; null when it is not one.</summary>
    public static TempName? Parse(string folderName)
    {
        var m = Current.Match(folderName);
        if (m.Success && int.TryParse(m.Groups["pid"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            && ulong.TryParse(m.Groups["start"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong start))
            return new TempName(m.Groups["name"].Value, m.Groups["kind"].Value == "replaced", m.Groups["host"].Value, pid, start);
        m = LegacyPartial.Match(folderName);
        if (m.Success) return new TempName(m.Groups["name"].Value, false, null, null, null);
        m = LegacyReplaced.Match(folderName);
        if (m.Success) return new TempName(m.Groups["name"].Value, true, null, null, null);
        return null;
    }

    /// <summary>Whether the run that named <paramref name="folder"/> is provably gone (see the class remarks).</summary>
    /// <param name="folder">The temporary folder.</param>
    /// <param name="name">Its parsed name.</param>
    /// <param name="bootId">The boot id its marker records, if any.</param>
    /// <param name="nowUtc">The time now.</param>
    public static bool IsGone(string folder, TempName name, string? bootId, DateTime nowUtc)
    {
        if (name.Host is null || !string.Equals(name.Host, Host, StringComparison.OrdinalIgnoreCase))
            return nowUtc - LastActivityUtc(folder) > ForeignHostGrace;
        if (bootId is not null && BootId is not null && bootId != BootId) return true;
        var (exists, start) = ProcessStart(name.Pid!.Value);
        if (!exists) return true;
        // The process with that id started at another time: the id was reused. Unknown either way: not provably gone.
        return start is ulong s && name.Start is ulong recorded && recorded != 0 && s != recorded;
    }

    /// <summary>The latest write time of the folder and of what it directly holds.</summary>
    public static DateTime LastActivityUtc(string folder)
    {
        var latest = Directory.GetLastWriteTimeUtc(folder);
        try
        {
            foreach (var e in new DirectoryInfo(folder).EnumerateFileSystemInfos())
                if (e.LastWriteTimeUtc > latest) latest = e.LastWriteTimeUtc;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return latest;
    }

    /// <summary>Whether process <paramref name="pid"/> exists on this host, and its start when that can be read.</summary>
    internal static (bool Exists, ulong? Start) ProcessStart(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            string stat;
            try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
            catch (FileNotFoundException) { return (false, null); }
            catch (DirectoryNotFoundException) { return (false, null); }
            catch (IOException) { return (true, null); }
            catch (UnauthorizedAccessException) { return (true, null); }
            // pid (comm) state ppid … : comm may hold spaces and parentheses, so count fields after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && fields[0] is "Z" or "X") return (false, null); // exited, not yet reaped
            return (true, fields.Length > 19 && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out ulong ticks) ? ticks : null);
        }
        Process p;
        try { p = Process.GetProcessById(pid); }
        catch (ArgumentException) { return (false, null); }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception) { return (true, null); }
        using (p)
        {
            try { return (true, (ulong)new DateTimeOffset(p.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds()); }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception) { return (true, null); }
        }
    }

    private static string? ReadBootId()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try { return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
