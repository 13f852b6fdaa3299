using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;

namespace TemAreaTracker;

/// <summary>Process-wide OpenCV settings for programs built on this library (the CLI and the benchmarks apply them).</summary>
public static partial class OpenCvRuntime
{
    private static int _configured;

    /// <summary>
    /// Turns off OpenCV's use of Intel IPP on CPUs that are not Intel's, unless OPENCV_IPP is already set. Call once at
    /// start-up, before any other OpenCV call (later calls have no effect on IPP).
    /// </summary>
    /// <remarks>
    /// IPP checks the CPU vendor on each call. On this project's machines (AMD EPYC, virtualised) that check alone took
    /// ~40% of building a rim profile through OpenCV's DFT and ~2% of tracking a frame, and OpenCV's own kernels are
    /// at least as fast there (track benchmark, 300 frames: process CPU 4.6 → 4.4 s). Intel CPUs keep IPP.
    /// Only Linux and macOS (the variable must reach the native environment, which setenv does).
    /// </remarks>
    /// <returns>True when IPP was turned off.</returns>
    public static bool Configure()
    {
        if (Interlocked.Exchange(ref _configured, 1) != 0) return false;
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) || !X86Base.IsSupported || IsGenuineIntel()) return false;
        if (Environment.GetEnvironmentVariable("OPENCV_IPP") is not null) return false;
        try
        {
            if (SetEnv("OPENCV_IPP", "disabled", 0) != 0) return false;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
        // OpenCV logs a warning when it finds IPP disabled: let that happen now, quietly (any arithmetic starts IPP).
        var level = Cv2.GetLogLevel();
        Cv2.SetLogLevel(LogLevel.ERROR);
        using (var m = new Mat(1, 1, MatType.CV_8UC1, Scalar.All(0))) Cv2.Add(m, m, m);
        Cv2.SetLogLevel(level);
        return true;
    }

    private static bool IsGenuineIntel()
    {
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        return ebx == 0x756e6547 && edx == 0x49656e69 && ecx == 0x6c65746e; // "Genu" "ineI" "ntel"
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
