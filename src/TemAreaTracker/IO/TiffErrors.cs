using System.Globalization;
using BitMiracle.LibTiff.Classic;

namespace TemAreaTracker.IO;

/// <summary>Routes LibTiff's console messages into a per-thread "last error" so a bad file gives one clean line.</summary>
internal sealed class TiffErrors : TiffErrorHandler
{
    [ThreadStatic] private static string? _last;
    private static int _installed;

    public static string? Last => _last;

    public static void Clear() => _last = null;

    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0) Tiff.SetErrorHandler(new TiffErrors());
    }

    public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) => _last = Format(method, format, args);
    public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) => _last = Format(method, format, args);
    public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }
    public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }

    private static string Format(string method, string format, object[] args)
    {
        try { return string.Format(CultureInfo.InvariantCulture, format, args); }
        catch (FormatException) { return format; }
    }
}
