using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;

namespace TemAreaTracker;

/// <summary>Process-wide OpenCV settings for programs built on this library (the CLI and the benchmarks apply them).</summary>
public static partial class OpenCvRuntime
{
    private static int _configured;

    /// <summary>
    /// Turns off OpenCV's use of Intel IPP on virtual machines with CPUs that are not Intel's, unless OPENCV_IPP is
    /// already set. Call once at start-up, before any other OpenCV call (later calls have no effect on IPP).
    /// </summary>
    /// <remarks>
    /// IPP checks the CPU vendor (CPUID) on its calls, and under a hypervisor CPUID traps to it. On this project's
    /// machines (AMD EPYC, virtualised) that check was 14% of a tracking run's CPU and 40% of building a rim profile;
    /// without IPP the run costs less overall (track benchmark, 300 frames: process CPU 4.3-4.6 -> 4.2 s) although
    /// OpenCV's own DFT is slower than IPP's. Intel CPUs and bare metal keep IPP (not measured here).
    /// Only Linux and macOS (the variable must reach the native environment, which setenv does).
    /// </remarks>
    /// <returns>True when IPP was turned off.</returns>
    public static bool Configure()
    {
        if (Interlocked.Exchange(ref _configured, 1) != 0) return false;
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) || !X86Base.IsSupported || IsGenuineIntel() || !UnderHypervisor()) return false;
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

    // CPUID leaf 1, ECX bit 31: set by hypervisors for their guests.
    private static bool UnderHypervisor() => (X86Base.CpuId(1, 0).Ecx & (1 << 31)) != 0;

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
