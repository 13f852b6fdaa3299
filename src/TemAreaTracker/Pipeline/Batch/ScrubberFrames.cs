using System.Text.Json;
using OpenCvSharp;
using TemAreaTracker.IO;
using TemAreaTracker.Plotting;

namespace TemAreaTracker.Pipeline.Batch;

/// <summary>
/// The frames report.html's scrubber shows: at most <see cref="MaxFrames"/> frames spread evenly over the movie (first and
/// last included), scaled so the longer side is at most <see cref="MaxSidePx"/>, gray JPEG, shown with the display window
/// of the overlay video. The outlines are not burnt in: the report draws them over the frame from track/outlines.zip.
/// </summary>
/// <remarks>
/// Written to <c>DIR/&lt;id&gt;/preview/</c> as <c>frame-NNNNN.jpg</c> and <c>frames.json</c>
/// (<c>{"width","height","scale","quality","frames":[{"frame","file"}]}</c>; <c>scale</c> = preview px per movie px). The
/// JPEG quality starts at 80 and drops (down to 35) until the frames fit in <see cref="BudgetBytes"/>, so that a report of
/// 20 movies stays under ~20 MB.
/// </remarks>
internal static class ScrubberFrames
{
    public const int MaxFrames = 60, MaxSidePx = 512;
    public const long BudgetBytes = 400 * 1024;
    public const string IndexFile = "frames.json";
    private static readonly int[] Qualities = [80, 65, 50, 35];

    /// <summary>Evenly spread frame indices (first and last included), at most <see cref="MaxFrames"/>.</summary>
    public static int[] Pick(int frameCount)
    {
        if (frameCount <= 0) return [];
        int k = Math.Min(MaxFrames, frameCount);
        if (k == 1) return [0];
        return Enumerable.Range(0, k).Select(i => (int)Math.Round(i * (frameCount - 1.0) / (k - 1))).Distinct().ToArray();
    }

    /// <summary>Reads the movie again and writes the preview folder atomically.</summary>
    public static void Write(string moviePath, string previewDir, int framesTracked, CancellationToken ct)
    {
        var wanted = Pick(framesTracked);
        var kept = new List<(int Frame, Mat Image)>();
        try
        {
            double scale = 1;
            using (var movie = MovieReader.Open(moviePath))
            {
                DisplayWindow? window = null;
                int next = 0;
                foreach (var frame in movie.ReadFrames())
                {
                    using (frame)
                    {
                        ct.ThrowIfCancellationRequested();
                        window ??= DisplayWindow.FromFirstFrame(frame.Pixels);
                        if (next >= wanted.Length) break;
                        if (frame.Index != wanted[next]) continue;
                        next++;
                        using var gray = new Mat();
                        window.Apply(frame.Pixels, gray);
                        scale = Math.Min(1.0, (double)MaxSidePx / Math.Max(gray.Width, gray.Height));
                        var small = new Mat();
                        if (scale < 1)
                            Cv2.Resize(gray, small, new Size(Math.Max(1, (int)Math.Round(gray.Width * scale)), Math.Max(1, (int)Math.Round(gray.Height * scale))),
                                interpolation: InterpolationFlags.Area);
                        else gray.CopyTo(small);
                        kept.Add((frame.Index, small));
                    }
                }
            }
            if (kept.Count == 0) throw new InvalidDataException($"{moviePath}: no frame could be read again for the report's scrubber");

            byte[][] encoded = [];
            int quality = Qualities[0];
            foreach (int q in Qualities)
            {
                quality = q;
                encoded = kept.Select(x => x.Image.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, q))).ToArray();
                if (encoded.Sum(e => (long)e.Length) <= BudgetBytes) break;
            }
            var first = kept[0].Image;
            var own = kept.Select(k => $"frame-{k.Frame:D5}.jpg").Append(IndexFile).ToList();
            new OutputFolder(previewDir, overwrite: true, "batch", own).Write(tmp =>
            {
                var frames = new List<object>();
                for (int i = 0; i < kept.Count; i++)
                {
                    string file = $"frame-{kept[i].Frame:D5}.jpg";
                    File.WriteAllBytes(Path.Combine(tmp, file), encoded[i]);
                    frames.Add(new { frame = kept[i].Frame, file });
                }
                var index = new { width = first.Width, height = first.Height, scale, quality, frames };
                File.WriteAllText(Path.Combine(tmp, IndexFile), JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }) + "\n");
            });
        }
        finally
        {
            foreach (var (_, image) in kept) image.Dispose();
        }
    }

    /// <summary>What <c>frames.json</c> holds.</summary>
    internal sealed record Index(int Width, int Height, double Scale, int Quality, IReadOnlyList<IndexFrame> Frames);

    internal sealed record IndexFrame(int Frame, string File);

    /// <summary>Reads a preview folder's index; null when absent.</summary>
    public static Index? Read(string previewDir)
    {
        string path = Path.Combine(previewDir, IndexFile);
        if (!File.Exists(path)) return null;
        return JsonSerializer.Deserialize<Index>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
    }
}
