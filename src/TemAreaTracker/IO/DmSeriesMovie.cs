using System.Globalization;
using System.Text.RegularExpressions;

namespace TemAreaTracker.IO;

/// <summary>
/// A folder of per-frame DM3/DM4 files read as one movie in time order, including the Gatan in-situ layout
/// <c>Hour_00/Minute_00/Second_00/…_Frame_0000.dm4</c>.
/// </summary>
/// <remarks>
/// Files are ordered by their relative path in natural order, which is time order for the in-situ layout and for numbered
/// names. A frame's time is its DataBar "Acquisition Time (OS)" relative to the first file when every file has it, else the
/// Hour/Minute/Second folders plus its position within that second. Only the first file is parsed when opening.
/// </remarks>
internal sealed partial class DmSeriesMovie : Movie
{
    private readonly IReadOnlyList<string> _files;
    private readonly DmImage _first;
    private readonly double?[] _layoutTimes;

    private DmSeriesMovie(string folder, IReadOnlyList<string> files, DmImage first, double?[] layoutTimes, Calibration cal)
        : base(new MovieHeader(folder, first.Format + "-series", first.Width, first.Height, files.Count * first.Frames, first.Type.Name, cal)
        {
            Metadata = new Dictionary<string, string>(first.Metadata)
            {
                ["files"] = files.Count.ToString(CultureInfo.InvariantCulture),
                ["first_file"] = System.IO.Path.GetRelativePath(folder, files[0]),
                ["last_file"] = System.IO.Path.GetRelativePath(folder, files[^1]),
            },
        })
    {
        _files = files;
        _first = first;
        _layoutTimes = layoutTimes;
    }

    /// <summary>The DM files in reading order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>True when <paramref name="folder"/> (or its Hour_xx/… subfolders) holds DM3/DM4 files and no plain images.</summary>
    internal static bool Holds(string folder) =>
        EnumerateDm(folder).Any() && !Directory.EnumerateFiles(folder).Any(f => ImageSequenceMovie.Extensions.Contains(System.IO.Path.GetExtension(f)));

    private static IEnumerable<string> EnumerateDm(string folder) =>
        Directory.EnumerateFiles(folder, "*.*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 6, IgnoreInaccessible = true })
            .Where(f => f.EndsWith(".dm4", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".dm3", StringComparison.OrdinalIgnoreCase));

    /// <summary>Opens a folder of DM files as one movie.</summary>
    public static DmSeriesMovie Open(string folder)
    {
        var files = EnumerateDm(folder)
            .OrderBy(f => System.IO.Path.GetRelativePath(folder, f).Replace('\\', '/'), NaturalOrder.Instance)
            .ToList();
        if (files.Count == 0) throw new MovieFormatException(folder, "dm-series", "no DM3/DM4 files in this folder");
        DmImage first;
        using (var f = new MappedFile(files[0])) first = DmImage.Locate(f, "dm4");

        // Times from the in-situ folder layout: Hour_h/Minute_m/Second_s, frames spread evenly within their second.
        var layout = files.Select(f => LayoutSeconds(System.IO.Path.GetRelativePath(folder, f))).ToArray();
        var times = new double?[files.Count];
        if (layout.All(s => s is not null))
        {
            foreach (var group in Enumerable.Range(0, files.Count).GroupBy(i => layout[i]!.Value))
            {
                var idx = group.ToList();
                for (int j = 0; j < idx.Count; j++) times[idx[j]] = group.Key + (double)j / idx.Count;
            }
            double t0 = times[0]!.Value;
            for (int i = 0; i < times.Length; i++) times[i] -= t0;
        }

        var cal = first.Calibration;
        if (cal.FrameIntervalS is null && files.Count > 1 && layout.All(s => s is not null))
        {
            double span = layout[^1]!.Value - layout[0]!.Value + 1;
            cal = cal with { FrameIntervalS = span / files.Count, FrameIntervalSource = "dm-folder-layout" };
        }
        return new DmSeriesMovie(folder, files, first, times, cal);
    }

    [GeneratedRegex(@"Hour_(\d+).*?Minute_(\d+).*?Second_(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex LayoutRegex();

    private static double? LayoutSeconds(string relative)
    {
        var m = LayoutRegex().Match(relative);
        if (!m.Success) return null;
        return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 3600.0
               + int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) * 60.0
               + int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
    }

    public override IEnumerable<Frame> ReadFrames()
    {
        StoppedEarly = null;
        int index = 0;
        double? os0 = null;
        for (int i = 0; i < _files.Count; i++)
        {
            MappedFile? file = null;
            DmImage? img = null;
            string? problem = null;
            try
            {
                file = new MappedFile(_files[i]);
                img = DmImage.Locate(file, "dm4");
                if (img.Width != Width || img.Height != Height || img.Type != _first.Type)
                    problem = $"{img.Width}x{img.Height} {img.Type.Name}, unlike the first file ({Width}x{Height} {DataType})";
            }
            catch (Exception e) when (e is MovieFormatException or IOException or UnauthorizedAccessException)
            {
                problem = e is MovieFormatException mf ? mf.Problem + (mf.ByteOffset is long b ? $" (byte {b})" : "") : e.Message;
            }
            if (problem is not null || img is null || file is null)
            {
                file?.Dispose();
                StoppedEarly = $"stopped at frame {index}: {System.IO.Path.GetRelativePath(SourcePath, _files[i])}: {problem}";
                yield break;
            }
            using (file)
            {
                os0 ??= img.AcquisitionTimeS;
                for (int k = 0; k < img.Frames; k++)
                {
                    long at = img.DataOffset + k * img.FrameBytes;
                    if (!file.Contains(at, img.FrameBytes))
                    {
                        StoppedEarly = $"truncated at frame {index} ({System.IO.Path.GetFileName(_files[i])}, byte {Math.Min(at, file.Length)})";
                        yield break;
                    }
                    double? t = img.AcquisitionTimeS is double os && os0 is double o ? os - o : _layoutTimes[i];
                    yield return new Frame(index++, img.Type.Read(file, at, Width, Height, !img.LittleEndian), img.Frames == 1 ? t : null);
                }
            }
        }
    }
}
