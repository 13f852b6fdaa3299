using System.IO.Compression;
using System.Text.Json;

namespace TemAreaTracker.Tests.IO;

/// <summary>Real test files (stored gzip-compressed under data/) unpacked once per test run, and temp folders.</summary>
internal static class TestData
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "temtrack-tests-" + Environment.ProcessId);
    private static readonly Lock Gate = new();

    /// <summary>Path of the unpacked real file <paramref name="relative"/> (e.g. "ccpem_mrcfile/EMD-3197.map").</summary>
    public static string Real(string relative)
    {
        string target = Path.Combine(Root, "real", relative);
        lock (Gate)
        {
            if (File.Exists(target)) return target;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            string gz = Path.Combine(AppContext.BaseDirectory, "data", relative + ".gz");
            using var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
            string tmp = target + ".part";
            using (var output = File.Create(tmp)) input.CopyTo(output);
            File.Move(tmp, target);
        }
        return target;
    }

    /// <summary>Raw bytes of a real file.</summary>
    public static byte[] RealBytes(string relative) => File.ReadAllBytes(Real(relative));

    /// <summary>The entry for <paramref name="relative"/> in expected-by-reference-readers.json.</summary>
    public static JsonElement Expected(string relative)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "expected-by-reference-readers.json")));
        return doc.RootElement.GetProperty(relative).Clone();
    }

    /// <summary>A fresh empty folder for one test.</summary>
    public static string NewFolder(string name)
    {
        string d = Path.Combine(Root, "tmp", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d);
        return d;
    }
}
