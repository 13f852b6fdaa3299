using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TemAreaTracker.Reporting;

namespace TemAreaTracker.Pipeline.Batch;

/// <summary>
/// A movie's <c>status.json</c> in <c>DIR/&lt;movie-id&gt;/</c>: what became of it, from which inputs. Each movie writes only
/// its own (atomically: a temporary file renamed over it), so shards on several hosts never write the same file;
/// movies.csv, summary.csv and report.html are built from these.
/// </summary>
public sealed record MovieStatus
{
    /// <summary>The movie-id (its folder name).</summary>
    public required string MovieId { get; init; }
    /// <summary>The movie's path relative to INPUT (or the manifest).</summary>
    public required string Movie { get; init; }
    /// <summary>Its condition.</summary>
    public required string Condition { get; init; }
    /// <summary><c>done</c>, <c>failed</c> or <c>skipped</c>.</summary>
    public required string Status { get; init; }
    /// <summary>One line: why it failed or was skipped; null when done.</summary>
    public string? Error { get; init; }
    /// <summary>Frames tracked (done movies).</summary>
    public int? Frames { get; init; }
    /// <summary>Wall time of track + fit + preview in s (not deterministic).</summary>
    public double? ElapsedS { get; init; }
    /// <summary>The kinetic model fitted.</summary>
    public string Model { get; init; } = BatchMovie.DefaultModel;
    /// <summary>True when the manifest listed the movie.</summary>
    public bool FromManifest { get; init; }
    /// <summary>SHA-256 of movie, outlines, manifest row and tool version (<see cref="InputFingerprint"/>); null when not run.</summary>
    public string? InputHash { get; init; }
    /// <summary>temtrack's version (release+commit) that wrote this.</summary>
    public string? ToolVersion { get; init; }
    /// <summary>Absolute path of the movie (not deterministic).</summary>
    public string? MoviePath { get; init; }
    /// <summary>Absolute path of the outlines, or null for --auto (not deterministic).</summary>
    public string? OutlinesPath { get; init; }
    /// <summary>Host that ran it (not deterministic).</summary>
    public string? Host { get; init; }
    /// <summary>UTC start, ISO 8601 (not deterministic).</summary>
    public string? StartedUtc { get; init; }
    /// <summary>UTC end, ISO 8601 (not deterministic).</summary>
    public string? FinishedUtc { get; init; }

    /// <summary>File name of a movie's status file.</summary>
    public const string FileName = "status.json";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The status kind as written.</summary>
    public static string Name(BatchStatus s) => s switch
    {
        BatchStatus.Done => "done",
        BatchStatus.Failed => "failed",
        _ => "skipped",
    };

    /// <summary>Writes <paramref name="status"/> to <c>movieDir/status.json</c> atomically (temporary file, then rename).</summary>
    public static void Write(string movieDir, MovieStatus status)
    {
        Directory.CreateDirectory(movieDir);
        string path = Path.Combine(movieDir, FileName);
        string temp = Path.Combine(movieDir, $".{FileName}.tmp-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        File.WriteAllText(temp, JsonSerializer.Serialize(status, Json) + "\n");
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads <c>movieDir/status.json</c>; null when absent or unreadable (a movie never finished counts as not done).</summary>
    public static MovieStatus? Read(string movieDir)
    {
        string path = Path.Combine(movieDir, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<MovieStatus>(File.ReadAllText(path), Json); }
        catch (JsonException) { return null; }
        catch (IOException) { return null; }
    }
}

/// <summary>
/// The content hash that decides whether a done movie is redone: SHA-256 over the tool version, the movie's bytes (a
/// folder: every file's relative path, length and bytes), the outline file's bytes and the movie's manifest row (or its
/// discovered pairing, condition and model).
/// </summary>
public static class InputFingerprint
{
    /// <summary>temtrack's version (release+commit), as run.json's tool.version.</summary>
    public static string ToolVersion => TemAreaTracker.ToolVersion.Current;

    /// <summary>Hex SHA-256 of the movie's inputs (reads the movie and outlines once).</summary>
    /// <param name="movie">The movie.</param>
    /// <param name="settings">Batch-wide settings that change results (e.g. "bootstrap=1000"), one per line.</param>
    public static string Of(BatchMovie movie, string settings)
    {
        var text = new StringBuilder()
            .Append("temtrack-batch-input v1\n")
            .Append("tool=").Append(ToolVersion).Append('\n')
            .Append("movie_sha256=").Append(InputHash.Sha256(movie.MoviePath)).Append('\n')
            .Append("outlines_sha256=").Append(movie.OutlinesPath is null ? "auto" : InputHash.Sha256(movie.OutlinesPath)).Append('\n')
            .Append(movie.CanonicalRow()).Append('\n')
            .Append(settings);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
