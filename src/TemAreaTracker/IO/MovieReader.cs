namespace TemAreaTracker.IO;

/// <summary>
/// Opens any supported movie through one call, choosing the reader from the file's magic bytes (then its extension).
/// </summary>
/// <remarks>
/// <para>Supported: multi-page TIFF and BigTIFF (<see cref="TiffMovie"/>: ImageJ hyperstacks, camera stacks, FEI tags),
/// AVI/MP4/MOV/MKV (<see cref="VideoMovie"/>), a folder of PNG/TIFF/JPEG frames or a single image
/// (<see cref="ImageSequenceMovie"/>), Gatan DM3/DM4 (<see cref="DmMovie"/>) and a folder of per-frame DM files in the Gatan
/// in-situ layout (<see cref="DmSeriesMovie"/>), FEI/TIA SER with its EMI (<see cref="SerMovie"/>), Velox EMD
/// (<see cref="EmdMovie"/>), Berkeley/NCEM EMD 0.2 (<see cref="BerkeleyEmdMovie"/>) and MRC2014 (<see cref="MrcMovie"/>).
/// A folder holding one stack (and sidecars) is read as that stack.</para>
/// <para>Every reader streams frames (uncompressed data through a memory map, one frame at a time), reports its calibration
/// with its source, checks declared sizes against the file length before allocating, and turns a truncated file into
/// <see cref="Movie.StoppedEarly"/> or a <see cref="MovieFormatException"/> naming the format and byte offset.</para>
/// </remarks>
public static class MovieReader
{
    private static readonly HashSet<string> VideoExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".avi", ".mp4", ".mov", ".mkv", ".m4v", ".wmv", ".mpg", ".mpeg", ".webm", ".ogv" };

    private static readonly HashSet<string> MrcExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".mrc", ".mrcs", ".map", ".st", ".ali", ".rec", ".preali" };

    /// <summary>Opens <paramref name="path"/> (a file or a folder of frames) as a streaming movie.</summary>
    /// <param name="path">A movie file, or a folder: of frames (an image sequence), of per-frame DM files, or holding a single
    /// stack (read as that stack; sidecars such as RoiSet.zip, truth.json or notes are ignored; see <see cref="FolderContents"/>).</param>
    /// <param name="dataset">The image to read from a file that holds several (an EMD dataset name as <c>temtrack info</c> lists
    /// them); null reads the first. Only EMD files have named datasets.</param>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="MovieFormatException">The file is of no supported format, or is corrupt, empty or has zero frames; a folder
    /// holds several stacks; <paramref name="dataset"/> names no dataset of the file, or the file has no named datasets.</exception>
    public static Movie Open(string path, string? dataset = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (dataset is not null && string.IsNullOrWhiteSpace(dataset)) throw new ArgumentException("dataset name is empty", nameof(dataset));
        if (Directory.Exists(path)) return OpenFolder(path, dataset);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file or folder", path);
        var kind = Detect(path);
        if (dataset is not null && kind != MovieKind.Emd)
            throw new MovieFormatException(path, kind.ToString().ToLowerInvariant(),
                $"dataset '{dataset}' asked for, but only EMD (HDF5) files hold named datasets");
        return kind switch
        {
            MovieKind.Tiff => TiffMovie.Open(path),
            MovieKind.Image => ImageSequenceMovie.OpenSingle(path),
            MovieKind.Video => VideoMovie.Open(path),
            MovieKind.Dm => DmMovie.Open(path),
            MovieKind.Emd => EmdFile.Open(path, dataset),
            MovieKind.Ser => SerMovie.Open(path),
            MovieKind.Mrc => MrcMovie.Open(path),
            _ => throw new MovieFormatException(path, "unknown", "not a format temtrack reads (TIFF, AVI/MP4/MOV/MKV, PNG/JPEG, DM3/DM4, SER, EMD, MRC)", 0),
        };
    }

    /// <summary>The format <see cref="Open"/> would use for a file, from its first bytes and its extension.</summary>
    internal static MovieKind Detect(string path)
    {
        Span<byte> h = stackalloc byte[1024];
        h.Clear();
        int n;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            n = fs.ReadAtLeast(h, h.Length, throwOnEndOfStream: false);
        string ext = Path.GetExtension(path);
        if (n == 0) throw new MovieFormatException(path, ext.TrimStart('.').ToLowerInvariant() is { Length: > 0 } e ? e : "unknown", "file is empty", 0);

        if (n >= 4 && ((h[0] == 'I' && h[1] == 'I' && (h[2] == 42 || h[2] == 43) && h[3] == 0) ||
                       (h[0] == 'M' && h[1] == 'M' && h[2] == 0 && (h[3] == 42 || h[3] == 43))))
            return MovieKind.Tiff;
        // DM3/DM4: version 3 or 4 as a big-endian int32, then the byte-order flag (0/1) at byte 8 (DM3) or 12 (DM4).
        if (n >= 16 && h[0] == 0 && h[1] == 0 && h[2] == 0 && (h[3] == 3 || h[3] == 4))
        {
            int o = h[3] == 3 ? 8 : 12;
            if (h[o] == 0 && h[o + 1] == 0 && h[o + 2] == 0 && h[o + 3] <= 1)
                return MovieKind.Dm;
        }
        if (n >= 4 && h[0] == 0x49 && h[1] == 0x49 && h[2] == 0x97 && h[3] == 0x01) return MovieKind.Ser;
        if (n >= 8 && h[0] == 0x89 && h[1] == 'H' && h[2] == 'D' && h[3] == 'F') return MovieKind.Emd;
        if (n >= 1024 && (MrcExtensions.Contains(ext) || (h[208] == 'M' && h[209] == 'A' && h[210] == 'P')) && MrcMovie.LooksLikeMrc(h))
            return MovieKind.Mrc;
        if (n >= 8 && h[0] == 0x89 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G') return MovieKind.Image;
        if (n >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF) return MovieKind.Image;
        if (n >= 2 && h[0] == 'B' && h[1] == 'M' && ext.Equals(".bmp", StringComparison.OrdinalIgnoreCase)) return MovieKind.Image;
        if (n >= 12 && h[0] == 'R' && h[1] == 'I' && h[2] == 'F' && h[3] == 'F') return MovieKind.Video;
        if (n >= 8 && h[4] == 'f' && h[5] == 't' && h[6] == 'y' && h[7] == 'p') return MovieKind.Video;
        if (n >= 4 && h[0] == 0x1A && h[1] == 0x45 && h[2] == 0xDF && h[3] == 0xA3) return MovieKind.Video;
        // No known magic: let the extension pick the reader, so the user hears what is wrong with, say, a .dm4 header
        // rather than "unknown format".
        switch (ext.ToLowerInvariant())
        {
            case ".dm3" or ".dm4": return MovieKind.Dm;
            case ".ser": return MovieKind.Ser;
            case ".emd" or ".h5" or ".hdf5": return MovieKind.Emd;
            case ".tif" or ".tiff": return MovieKind.Tiff;
        }
        if (VideoExtensions.Contains(ext)) return MovieKind.Video;
        if (ImageSequenceMovie.Extensions.Contains(ext)) return MovieKind.Image;
        if (MrcExtensions.Contains(ext)) return MovieKind.Mrc; // let the MRC reader say what is wrong with the header
        return MovieKind.Unknown;
    }

    /// <summary>Extensions of the movie files <see cref="Open"/> reads (lower case, with dot), images excluded.</summary>
    internal static readonly IReadOnlySet<string> Extensions = new HashSet<string>(
        VideoExtensions.Concat(MrcExtensions).Concat([".tif", ".tiff", ".dm3", ".dm4", ".ser", ".emd", ".h5", ".hdf5"]), StringComparer.OrdinalIgnoreCase);

    /// <summary>Stacks listed by name in the error for a folder of several.</summary>
    private const int StacksNamed = 3;

    private static Movie OpenFolder(string folder, string? dataset)
    {
        var contents = FolderContents.Of(folder);
        if (dataset is not null && contents.Kind is FolderKind.Frames or FolderKind.DmSeries)
            throw new MovieFormatException(folder, "folder", $"dataset '{dataset}' asked for, but this folder holds frames, not an EMD file");
        string Names(IReadOnlyList<string> files) =>
            string.Join(", ", files.Take(StacksNamed).Select(Path.GetFileName)) + (files.Count > StacksNamed ? $", … ({files.Count - StacksNamed} more)" : "");
        return contents.Kind switch
        {
            FolderKind.Frames => ImageSequenceMovie.OpenFrames(folder, contents.Frames),
            FolderKind.DmSeries => DmSeriesMovie.Open(folder),
            FolderKind.Stack => Open(contents.Movies[0], dataset),
            FolderKind.SeveralStacks => throw new MovieFormatException(folder, "folder",
                $"holds {contents.Movies.Count} movies ({Names(contents.Movies)}): pass one of them, e.g. {Path.Combine(folder, Path.GetFileName(contents.Movies[0]))}, " +
                "or use `temtrack batch` to track them all"),
            FolderKind.StackAndFrames => throw new MovieFormatException(folder, "folder",
                $"holds {(contents.Movies.Count == 1 ? "a movie" : $"{contents.Movies.Count} movies")} ({Names(contents.Movies)}) beside " +
                $"{contents.Frames.Count} single-frame image{(contents.Frames.Count == 1 ? "" : "s")} ({Names(contents.Frames)}): " +
                $"pass the movie itself, e.g. {Path.Combine(folder, Path.GetFileName(contents.Movies[0]))}, or a folder holding only frames"),
            _ => throw new MovieFormatException(folder, "folder",
                "no movie and no frames in this folder (a TIFF stack, video, DM3/DM4, SER, EMD or MRC file, or PNG/TIFF/JPEG/BMP frames)"),
        };
    }
}

internal enum MovieKind { Unknown, Tiff, Image, Video, Dm, Ser, Emd, Mrc }
