using System.Security.Cryptography;
using System.Text;

namespace TemAreaTracker.Reporting;

/// <summary>SHA-256 of a run's input, so run.json pins exactly which data it measured.</summary>
public static class InputHash
{
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
