namespace TemAreaTracker.Pipeline;

/// <summary>
/// Failures to write an output folder, said in one line ("out: cannot write: no space left on device"), for
/// <see cref="OutputFolder"/>: a full disk, a read-only mount or a quota must not surface as a stack trace or as a
/// message naming the hidden temporary folder.
/// </summary>
internal static class WriteFailures
{
    /// <summary>
    /// <paramref name="e"/> in one line when it is about writing the output: "out: cannot write: no space left on device"
    /// (from its errno, or from a probe write when a writer reported the failure without one), or its message with the
    /// temporary folder named as the output; null when it is about something else (e.g. reading the movie).
    /// </summary>
    public static IOException? Describe(Exception e, string temp, string shownName)
    {
        Exception? aboutTemp = null;
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is IOException or UnauthorizedAccessException)
            {
                if (x is IOException && Reason(x) is string reason) return new IOException($"{shownName}: cannot write: {reason}", e);
                if (x.Message.Contains(temp, StringComparison.Ordinal)) aboutTemp ??= x;
            }
        }
        if (aboutTemp is null) return null;
        if ((aboutTemp is UnauthorizedAccessException ? "permission denied" : ProbeReason(temp)) is string why)
            return new IOException($"{shownName}: cannot write: {why}", e);
        return new IOException(FirstLine(aboutTemp.Message).Replace(temp, shownName, StringComparison.Ordinal), e);
    }

    /// <summary>Why nothing more can be written into <paramref name="folder"/> (a 64 KiB probe file), or null when it can.</summary>
    public static string? ProbeReason(string folder)
    {
        string probe = Path.Combine(folder, ".temtrack.probe");
        try
        {
            using (var fs = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                fs.Write(new byte[64 * 1024]);
                fs.Flush(flushToDisk: true);
            }
            return null;
        }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException)
        {
            return Reason(x) ?? FirstLine(x.Message);
        }
        finally
        {
            try { File.Delete(probe); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Why a write failed, in words, from its errno (Unix) or message; null when not a write-side failure.</summary>
    public static string? Reason(Exception e)
    {
        if (e is UnauthorizedAccessException) return "permission denied";
        int errno = e.HResult;
        string m = e.Message;
        if (errno == 28 || m.Contains("No space left", StringComparison.OrdinalIgnoreCase) || e.HResult == unchecked((int)0x80070070))
            return "no space left on device";
        if (errno == 30 || m.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase)) return "read-only file system";
        if ((OperatingSystem.IsLinux() && errno == 122) || (OperatingSystem.IsMacOS() && errno == 69) || m.Contains("quota", StringComparison.OrdinalIgnoreCase))
            return "disk quota exceeded";
        if (errno == 27 && OperatingSystem.IsLinux()) return "file too large for the file system";
        return null;
    }

    /// <summary>"<paramref name="shownName"/>: cannot write: why", from <paramref name="e"/>.</summary>
    public static IOException CannotWrite(Exception e, string shownName) =>
        new($"{shownName}: cannot write: {Reason(e) ?? FirstLine(e.Message)}", e);

    public static string FirstLine(string s) => s.Split('\n')[0].TrimEnd();
}
