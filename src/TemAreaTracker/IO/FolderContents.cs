namespace TemAreaTracker.IO;

/// <summary>
/// What a folder given as a movie holds, judged from its files' names and first bytes (and a TIFF's first IFD) without
/// decoding anything: frames of an image sequence, per-frame DM files, one stack, or several stacks.
/// </summary>
/// <remarks>
/// <para>Only the folder's own files count (DM files also in the Gatan in-situ subfolders). Hidden files (".DS_Store",
/// macOS "._movie.tif") and sidecars (ROI sets, truth/run JSON, notes, tables, the EMI beside a SER) are ignored: they are what
/// users keep next to a movie. A PNG/JPEG/BMP or a one-page TIFF is a frame; a multi-page TIFF, a video or a microscope file
/// (DM, SER, EMD, MRC) is a movie of its own.</para>
/// <para>One movie and no frames is read as that movie: a folder holding movie.tif, RoiSet.zip and truth.json is the
/// 60-frame movie.tif, not a one-frame sequence of its first page. Several movies, or a movie beside frames, are ambiguous
/// and refused by <see cref="MovieReader.Open"/> with the names, so the user can pass the one they mean.</para>
/// </remarks>
/// <param name="Kind">What the folder holds.</param>
/// <param name="Movies">The stacks (natural order): one for <see cref="FolderKind.Stack"/>, two or more for
/// <see cref="FolderKind.SeveralStacks"/>, one beside frames for <see cref="FolderKind.StackAndFrames"/>.</param>
/// <param name="Frames">The single-frame images (natural order) for <see cref="FolderKind.Frames"/> and
/// <see cref="FolderKind.StackAndFrames"/>.</param>
internal sealed record FolderContents(FolderKind Kind, IReadOnlyList<string> Movies, IReadOnlyList<string> Frames)
{
    /// <summary>Extensions of files that sit beside movies and are never frames (compared case-insensitively).</summary>
    private static readonly HashSet<string> SidecarExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".zip", ".roi", ".json", ".txt", ".csv", ".tsv", ".md", ".xml", ".log", ".ini", ".yaml", ".yml", ".emi", ".pdf",
        ".html", ".svg", ".py", ".ipynb", ".db", ".mat",
    };

    /// <summary>Looks at the files of <paramref name="folder"/>.</summary>
    public static FolderContents Of(string folder)
    {
        var files = Directory.EnumerateFiles(folder)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && !SidecarExtensions.Contains(Path.GetExtension(f)))
            .OrderBy(f => Path.GetFileName(f), NaturalOrder.Instance)
            .ToList();

        // Gatan in-situ: per-frame DM files (possibly in Hour_/Minute_/Second_ subfolders) and no plain images.
        if (DmSeriesMovie.Holds(folder))
        {
            var dms = DmSeriesMovie.OrderedFiles(folder);
            if (dms.Count == 1) return new FolderContents(FolderKind.Stack, dms, []);
            return DmFrames(dms[0]) > 1
                ? new FolderContents(FolderKind.SeveralStacks, dms, [])
                : new FolderContents(FolderKind.DmSeries, dms, []);
        }

        var movies = new List<string>();
        var frames = new List<string>();
        foreach (string f in files)
        {
            switch (Classify(f))
            {
                case Role.Frame: frames.Add(f); break;
                case Role.Movie: movies.Add(f); break;
            }
        }
        var kind = (movies.Count, frames.Count) switch
        {
            (0, 0) => FolderKind.Empty,
            (0, _) => FolderKind.Frames,
            (1, 0) => FolderKind.Stack,
            (_, 0) => FolderKind.SeveralStacks,
            _ => FolderKind.StackAndFrames,
        };
        return new FolderContents(kind, movies, frames);
    }

    private enum Role { Other, Frame, Movie }

    private static Role Classify(string file)
    {
        string ext = Path.GetExtension(file).ToLowerInvariant();
        // Extensions that are always one image are trusted without opening the file: a sequence may have 10 000 of them.
        if (ext is ".png" or ".jpg" or ".jpeg" or ".bmp") return Role.Frame;
        if (ext is ".tif" or ".tiff") return TiffRole(file);
        MovieKind kind;
        try
        {
            kind = MovieReader.Detect(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Empty or unreadable: a movie by its extension is still the user's movie (opening it says what is wrong).
            return MovieReader.Extensions.Contains(ext) ? Role.Movie : Role.Other;
        }
        return kind switch
        {
            MovieKind.Unknown => Role.Other,
            MovieKind.Image => Role.Frame,
            MovieKind.Tiff => TiffRole(file),
            _ => Role.Movie,
        };
    }

    private static Role TiffRole(string file)
    {
        switch (TiffFile.HasSeveralPages(file))
        {
            case true: return Role.Movie;
            case false: return Role.Frame;
        }
        // Damaged, not a TIFF, or maybe an ImageJ stack over 4 GB: ask the reader; if it cannot tell either, leave the file
        // to the image sequence, which reports a frame it cannot decode where it meets it.
        try
        {
            using var t = TiffMovie.Open(file);
            return t.FrameCount > 1 ? Role.Movie : Role.Frame;
        }
        catch (MovieFormatException)
        {
            return Role.Frame;
        }
    }

    /// <summary>Frames in a DM file, or 1 when it cannot be parsed (the series reader then reports it).</summary>
    private static int DmFrames(string file)
    {
        try
        {
            using var f = new MappedFile(file);
            return DmImage.Locate(f, Path.GetExtension(file).TrimStart('.').ToLowerInvariant()).Frames;
        }
        catch (Exception e) when (e is MovieFormatException or IOException or UnauthorizedAccessException)
        {
            return 1;
        }
    }
}

/// <summary>What a folder given as a movie holds (see <see cref="FolderContents"/>).</summary>
internal enum FolderKind
{
    /// <summary>No movie and no frame.</summary>
    Empty,

    /// <summary>Single-frame images: an image sequence.</summary>
    Frames,

    /// <summary>Per-frame DM files, possibly in the Gatan in-situ layout.</summary>
    DmSeries,

    /// <summary>Exactly one movie (stack, video or microscope file) and no frames: read as that movie.</summary>
    Stack,

    /// <summary>Two or more movies: ambiguous.</summary>
    SeveralStacks,

    /// <summary>Movies beside single-frame images: ambiguous.</summary>
    StackAndFrames,
}
