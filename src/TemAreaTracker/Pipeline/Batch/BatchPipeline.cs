using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TemAreaTracker.Pipeline.Batch;

/// <summary>Batch-wide knobs of <c>temtrack batch</c>.</summary>
public sealed record BatchOptions
{
    /// <summary>The manifest (CSV) listing exactly the movies to run; null to discover them in INPUT.</summary>
    public string? Manifest { get; init; }

    /// <summary>Movies run at once, in this process; each streams its frames, so memory is bounded by this many movies.</summary>
    public int Jobs { get; init; } = DefaultJobs;

    /// <summary>Run only the K-th of N slices of the sorted movie list (1-based K) and write no shared table.</summary>
    public BatchShard? Shard { get; init; }

    /// <summary>Detect the particles of movies that have no outlines instead of skipping them.</summary>
    public bool Auto { get; init; }

    /// <summary>Redo every movie, even those done with unchanged inputs.</summary>
    public bool Force { get; init; }

    /// <summary>Pairs of conditions to compare (A/B); empty: every pair of the manifest's conditions.</summary>
    public IReadOnlyList<(string A, string B)> Compare { get; init; } = [];

    /// <summary>Bootstrap resamples per fit (as <c>temtrack fit --bootstrap</c>).</summary>
    public int BootstrapResamples { get; init; } = 1000;

    /// <summary>Write each movie's overlay.avi (as <c>track</c> does).</summary>
    public bool WriteOverlayVideo { get; init; } = true;

    /// <summary>
    /// Threads one movie keeps busy: the tracker, the frame reader and stage-drift thread running a frame ahead, and the
    /// overlay video's encoder (about 2 cores' worth of CPU on the sample movies).
    /// </summary>
    public const int ThreadsPerMovie = 2;

    /// <summary>The default of <see cref="Jobs"/>: the machine's cores divided by <see cref="ThreadsPerMovie"/>, at least 1.</summary>
    public static int DefaultJobs => Math.Max(1, Environment.ProcessorCount / ThreadsPerMovie);

    /// <summary>The settings that change a movie's results, recorded in its input hash.</summary>
    internal string HashSettings() => $"bootstrap={BootstrapResamples}\noverlay={WriteOverlayVideo}\n";
}

/// <summary>The K-th (1-based) of N slices of the sorted movie list.</summary>
public readonly record struct BatchShard(int K, int N)
{
    /// <summary>Parses "K/N" (1 ≤ K ≤ N); null with a reason otherwise.</summary>
    public static BatchShard? TryParse(string text, out string? problem)
    {
        problem = null;
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k) &&
            int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && k >= 1 && k <= n)
            return new BatchShard(k, n);
        problem = $"--shard must be K/N with 1 <= K <= N, e.g. 1/4 (got '{text}')";
        return null;
    }

    /// <summary>This shard's contiguous slice of <paramref name="sorted"/>: items [⌊(K−1)·n/N⌋, ⌊K·n/N⌋).</summary>
    public IReadOnlyList<T> Slice<T>(IReadOnlyList<T> sorted)
    {
        int from = (int)((long)(K - 1) * sorted.Count / N), to = (int)((long)K * sorted.Count / N);
        return sorted.Skip(from).Take(to - from).ToList();
    }

    public override string ToString() => $"{K}/{N}";
}

/// <summary>What happened to one movie in this run.</summary>
/// <param name="Id">movie-id.</param>
/// <param name="Status">Its status now.</param>
/// <param name="Error">Why it failed or was skipped.</param>
/// <param name="Frames">Frames tracked.</param>
/// <param name="ElapsedS">Seconds this run spent on it.</param>
/// <param name="Reused">True when it was done already with the same inputs and was not redone.</param>
public sealed record BatchMovieResult(string Id, BatchStatus Status, string? Error, int? Frames, double ElapsedS, bool Reused);

/// <summary>Progress of a batch, reported when a movie starts or finishes and every few frames.</summary>
/// <param name="MoviesDone">Movies finished (done, failed, skipped or reused).</param>
/// <param name="MoviesTotal">Movies in this run (this shard's slice).</param>
/// <param name="FramesDone">Frames tracked so far in this run.</param>
/// <param name="ElapsedS">Seconds since the run started.</param>
/// <param name="Running">movie-ids being processed now, with frames done and declared.</param>
/// <param name="Finished">The movie that just finished, when this report is for one.</param>
public sealed record BatchProgress(int MoviesDone, int MoviesTotal, long FramesDone, double ElapsedS,
    IReadOnlyList<(string Id, int Frames, int? FrameCount)> Running, BatchMovieResult? Finished)
{
    /// <summary>Tracking rate of the run so far, frames/s.</summary>
    public double FramesPerS => ElapsedS > 0 ? FramesDone / ElapsedS : 0;
}

/// <summary>What a batch run did.</summary>
/// <param name="OutputDirectory">The batch folder.</param>
/// <param name="Movies">Every movie of this run (this shard's slice), in movie-id order.</param>
/// <param name="Report">The shared outputs, built at the end of a run without a shard; null with --shard.</param>
public sealed record BatchResult(string OutputDirectory, IReadOnlyList<BatchMovieResult> Movies, BatchReportResult? Report)
{
    /// <summary>Movies that failed in this run.</summary>
    public int Failed => Movies.Count(m => m.Status == BatchStatus.Failed);
}

/// <summary>
/// <c>temtrack batch INPUT --out DIR</c> in process: finds (or reads from the manifest) every movie, runs track and fit on
/// each with <see cref="BatchOptions.Jobs"/> at once, each into <c>DIR/&lt;movie-id&gt;/</c> with its own status file, and
/// then (without a shard) builds movies.csv, summary.csv, compare/ and report.html with <see cref="BatchReport"/>.
/// </summary>
/// <remarks>
/// <para>Resumable: a movie whose status is done, whose outputs are complete and whose input hash
/// (<see cref="InputFingerprint"/>) is unchanged is not redone (unless <see cref="BatchOptions.Force"/>). A movie's status
/// file is deleted when its run starts and written (atomically) when it ends, so a run killed midway leaves the movie
/// without a status and the next run redoes it; its track/ and fit/ folders are each replaced atomically.</para>
/// <para>A movie that fails is recorded as failed with its one-line error and the others go on.</para>
/// </remarks>
public static class BatchPipeline
{
    /// <summary>The batch folder's marker file (what wrote the folder).</summary>
    public const string MarkerFile = ".temtrack.json";

    /// <summary>Runs the batch.</summary>
    /// <exception cref="DirectoryNotFoundException">INPUT is not a folder.</exception>
    /// <exception cref="FileNotFoundException">The manifest does not exist.</exception>
    /// <exception cref="InvalidDataException">The manifest's header is wrong.</exception>
    /// <exception cref="IOException">DIR is INPUT or holds it, or is a non-empty folder that a batch did not write.</exception>
    /// <exception cref="OperationCanceledException">Cancelled: the movies being run are left without a status (redone next time).</exception>
    public static BatchResult Run(string input, string outputDirectory, BatchOptions options, IProgress<BatchProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (options.Jobs < 1) throw new ArgumentException($"--jobs must be >= 1 (got {options.Jobs})");
        string inputFull = Path.GetFullPath(input.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        if (!Directory.Exists(inputFull)) throw new DirectoryNotFoundException($"{input}: no such folder (INPUT is the folder holding the movies)");
        string dir = Path.GetFullPath(outputDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        PrepareOutput(dir, outputDirectory, inputFull);

        var all = options.Manifest is string manifest
            ? BatchManifest.Read(manifest, inputFull, options.Auto)
            : MovieDiscovery.Find(inputFull, dir, options.Auto);
        var slice = options.Shard is BatchShard shard ? shard.Slice(all) : all;
        RecordRun(dir, inputFull, options);

        var results = new BatchMovieResult?[slice.Count];
        var clock = Stopwatch.StartNew();
        var running = new ConcurrentDictionary<string, (int Frames, int? Count)>(StringComparer.Ordinal);
        long frames = 0;
        int finished = 0;
        object gate = new();

        void Report(BatchMovieResult? done)
        {
            if (progress is null) return;
            var now = running.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => (r.Key, r.Value.Frames, r.Value.Count)).ToList();
            lock (gate) progress.Report(new BatchProgress(Volatile.Read(ref finished), slice.Count, Interlocked.Read(ref frames), clock.Elapsed.TotalSeconds, now, done));
        }

        void Finish(int i, BatchMovieResult r)
        {
            results[i] = r;
            Interlocked.Increment(ref finished);
            Report(r);
        }

        var queue = new ConcurrentQueue<int>();
        for (int i = 0; i < slice.Count; i++)
        {
            var m = slice[i];
            if (m.NotRun is BatchStatus why)
            {
                WriteNotRun(dir, m, why);
                Finish(i, new BatchMovieResult(m.Id, why, m.Reason, null, 0, false));
            }
            else queue.Enqueue(i);
        }

        Exception? fatal = null;
        void Worker()
        {
            while (fatal is null && !cancellationToken.IsCancellationRequested && queue.TryDequeue(out int i))
            {
                var m = slice[i];
                running[m.Id] = (0, null);
                Report(null);
                try
                {
                    var r = RunOne(dir, m, options, (done, count) =>
                    {
                        var prev = running.GetValueOrDefault(m.Id);
                        running[m.Id] = (done, count);
                        Interlocked.Add(ref frames, done - prev.Frames);
                        if (done % 5 == 0) Report(null);
                    }, cancellationToken);
                    running.TryRemove(m.Id, out _);
                    Finish(i, r);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    running.TryRemove(m.Id, out _);
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    running.TryRemove(m.Id, out _);
                    fatal ??= e; // writing the status itself failed (disk full, folder removed): stop, as nothing can be recorded
                }
            }
        }

        int jobs = Math.Min(options.Jobs, Math.Max(1, queue.Count));
        var threads = Enumerable.Range(0, jobs).Select(j => new Thread(Worker) { Name = $"batch-{j + 1}", IsBackground = true }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (fatal is not null) throw fatal;
        cancellationToken.ThrowIfCancellationRequested();

        var list = results.Select(r => r!).ToList();
        BatchReportResult? report = options.Shard is null
            ? BatchReport.Build(dir, options.Compare.Count > 0 ? options.Compare : null)
            : null;
        return new BatchResult(dir, list, report);
    }

    /// <summary>Runs (or reuses) one runnable movie and writes its status; a failure of the movie itself is a failed status.</summary>
    private static BatchMovieResult RunOne(string dir, BatchMovie m, BatchOptions options, Action<int, int?> onFrame, CancellationToken ct)
    {
        string movieDir = Path.Combine(dir, m.Id);
        var clock = Stopwatch.StartNew();
        string started = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        RemoveLeftovers(movieDir);
        string hash;
        try
        {
            hash = InputFingerprint.Of(m, options.HashSettings());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(movieDir, m, null, $"cannot read the inputs: {OneLine(e)}", clock, started);
        }

        var old = MovieStatus.Read(movieDir);
        if (!options.Force && old is { Status: "done" } && old.InputHash == hash && MovieRunner.OutputsComplete(movieDir))
            return new BatchMovieResult(m.Id, BatchStatus.Done, null, old.Frames, clock.Elapsed.TotalSeconds, Reused: true);

        string statusPath = Path.Combine(movieDir, MovieStatus.FileName);
        if (File.Exists(statusPath)) File.Delete(statusPath);
        int framesRead;
        try
        {
            framesRead = MovieRunner.Run(m, movieDir, options, onFrame, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failed(movieDir, m, hash, OneLine(e), clock, started);
        }
        var status = Status(m, BatchStatus.Done, null, hash, started) with { Frames = framesRead, ElapsedS = Math.Round(clock.Elapsed.TotalSeconds, 3) };
        MovieStatus.Write(movieDir, status);
        return new BatchMovieResult(m.Id, BatchStatus.Done, null, framesRead, clock.Elapsed.TotalSeconds, Reused: false);
    }

    private static BatchMovieResult Failed(string movieDir, BatchMovie m, string? hash, string error, Stopwatch clock, string started)
    {
        MovieStatus.Write(movieDir, Status(m, BatchStatus.Failed, error, hash, started) with { ElapsedS = Math.Round(clock.Elapsed.TotalSeconds, 3) });
        return new BatchMovieResult(m.Id, BatchStatus.Failed, error, null, clock.Elapsed.TotalSeconds, Reused: false);
    }

    private static MovieStatus Status(BatchMovie m, BatchStatus status, string? error, string? hash, string? started) => new()
    {
        MovieId = m.Id,
        Movie = m.RelativePath,
        Condition = m.Condition,
        Status = MovieStatus.Name(status),
        Error = error,
        Model = m.Model,
        FromManifest = m.FromManifest,
        InputHash = hash,
        ToolVersion = InputFingerprint.ToolVersion,
        MoviePath = m.MoviePath,
        OutlinesPath = m.OutlinesPath,
        Host = Environment.MachineName,
        StartedUtc = started,
        FinishedUtc = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
    };

    /// <summary>Records a movie that is not run (skipped by design, or an invalid manifest row), unless already recorded so.</summary>
    private static void WriteNotRun(string dir, BatchMovie m, BatchStatus why)
    {
        string movieDir = Path.Combine(dir, m.Id);
        var old = MovieStatus.Read(movieDir);
        if (old is not null && old.Status == MovieStatus.Name(why) && old.Error == m.Reason && old.Condition == m.Condition) return;
        MovieStatus.Write(movieDir, Status(m, why, m.Reason, null, null));
    }

    /// <summary>The exception's message as one line (the type is named when the message alone would not explain it).</summary>
    internal static string OneLine(Exception e)
    {
        string msg = e.Message.ReplaceLineEndings(" ").Trim();
        return e is IOException or InvalidDataException or FormatException or ArgumentException or UnauthorizedAccessException or NotSupportedException
            || e.GetType().Name.Contains("MovieFormat", StringComparison.Ordinal)
            ? msg : $"{e.GetType().Name}: {msg}";
    }

    /// <summary>
    /// Removes what a killed run left inside a movie's folder (hidden .partial-/.replaced- folders, temporary status
    /// files). Only this run touches this movie (a movie belongs to one shard), so nothing there is in use.
    /// </summary>
    private static void RemoveLeftovers(string movieDir)
    {
        if (!Directory.Exists(movieDir)) return;
        foreach (var d in Directory.GetDirectories(movieDir, ".*"))
            if (d.Contains(".partial-", StringComparison.Ordinal) || d.Contains(".replaced-", StringComparison.Ordinal)) MovieRunner.TryDelete(d);
        foreach (var f in Directory.GetFiles(movieDir, $".{MovieStatus.FileName}.tmp-*"))
            try { File.Delete(f); } catch (IOException) { }
    }

    /// <summary>
    /// Creates the batch folder or checks it is one: it may not be INPUT or hold INPUT, and an existing non-empty folder must
    /// carry the batch marker (so a batch never writes among a user's own files).
    /// </summary>
    private static void PrepareOutput(string dir, string shown, string inputFull)
    {
        string sep = Path.DirectorySeparatorChar.ToString();
        if (dir == inputFull || (inputFull + sep).StartsWith(dir + sep, StringComparison.Ordinal))
            throw new IOException($"{shown}: --out must not be INPUT or a folder holding it; choose a new folder (it may be inside INPUT: it is never searched)");
        if (File.Exists(dir)) throw new IOException($"{shown}: is a file, not an output folder");
        string marker = Path.Combine(dir, MarkerFile);
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any() && !File.Exists(marker))
            throw new IOException($"{shown}: exists and was not written by `temtrack batch` (no {MarkerFile}); choose a new or empty folder");
        Directory.CreateDirectory(dir);
        if (!File.Exists(marker))
        {
            try
            {
                using var f = new FileStream(marker, FileMode.CreateNew, FileAccess.Write);
                var json = new JsonObject { ["command"] = "batch", ["version"] = InputFingerprint.ToolVersion, ["created_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture) };
                JsonSerializer.Serialize(f, json, new JsonSerializerOptions { WriteIndented = true });
            }
            catch (IOException) when (File.Exists(marker)) { } // another shard made it first
        }
    }

    /// <summary>Records this run's settings in DIR/.batch-runs/ (one file per shard, so shards never write the same file).</summary>
    private static void RecordRun(string dir, string input, BatchOptions options)
    {
        string runs = Path.Combine(dir, BatchReport.RunsDir);
        Directory.CreateDirectory(runs);
        string name = options.Shard is BatchShard s ? $"shard-{s.K}-of-{s.N}.json" : "all.json";
        var json = new JsonObject
        {
            ["input"] = input,
            ["manifest"] = options.Manifest is null ? null : Path.GetFullPath(options.Manifest),
            ["shard"] = options.Shard?.ToString(),
            ["compare"] = new JsonArray(options.Compare.Select(p => (JsonNode)$"{p.A}/{p.B}").ToArray()),
            ["auto"] = options.Auto,
            ["version"] = InputFingerprint.ToolVersion,
            ["host"] = Environment.MachineName,
            ["started_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        string path = Path.Combine(runs, name);
        File.WriteAllText(path + ".tmp", json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
