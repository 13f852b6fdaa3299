using OpenCvSharp;
using TemAreaTracker.IO;

namespace TemAreaTracker.Tests.Pipeline;

/// <summary>
/// An in-memory movie for pipeline tests: dark discs on noisy grey, non-square frames; can hide its frame count,
/// stop early like a truncated file, or fail mid-stream like a corrupt one. SourcePath is a real small file (for hashing).
/// </summary>
internal sealed class SyntheticMovie : Movie
{
    private readonly int _frames;
    private readonly int? _truncateAt, _failAt;
    private readonly bool _sixteenBit;

    public SyntheticMovie(string sourcePath, int width = 160, int height = 120, int frames = 12, bool declareCount = true,
        int? truncateAt = null, int? failAt = null, bool sixteenBit = false, Calibration? calibration = null, bool scaleBar = false)
        : base(new MovieHeader(sourcePath, "synthetic", width, height, declareCount ? frames : null, sixteenBit ? "uint16" : "uint8",
            calibration ?? Calibration.None))
    {
        _frames = frames;
        _truncateAt = truncateAt;
        _failAt = failAt;
        _sixteenBit = sixteenBit;
        ScaleBarPx = scaleBar ? 64 : null;
        if (!File.Exists(sourcePath)) File.WriteAllBytes(sourcePath, [1, 2, 3, 4, 5]);
    }

    /// <summary>Length of the burnt-in bright scale bar (bottom left) in px, or null.</summary>
    public int? ScaleBarPx { get; }

    /// <summary>Disc centres and radii in px (two particles).</summary>
    public static readonly (double X, double Y, double R)[] Discs = [(50, 50, 14), (110, 64, 18)];

    public static IReadOnlyList<Outline> Outlines() =>
        Discs.Select((d, i) => new Outline($"particle-{(char)('A' + i)}",
            Enumerable.Range(0, 48).Select(k => new Point2d(d.X + d.R * Math.Cos(k * Math.PI / 24), d.Y + d.R * Math.Sin(k * Math.PI / 24))).ToArray())).ToList();

    public override IEnumerable<Frame> ReadFrames()
    {
        var rng = new Random(11);
        for (int i = 0; i < _frames; i++)
        {
            if (_truncateAt == i) { StoppedEarly = $"truncated at frame {i} (byte 12345)"; yield break; }
            if (_failAt == i) throw new MovieFormatException(SourcePath, Format, $"corrupt frame {i}", 4096);
            var m = new Mat(Height, Width, MatType.CV_8UC1, new Scalar(170));
            foreach (var d in Discs)
                Cv2.Circle(m, new Point((int)d.X, (int)d.Y), (int)(d.R + 0.3 * i), new Scalar(60), -1, LineTypes.AntiAlias);
            if (ScaleBarPx is int len)
                Cv2.Rectangle(m, new Point(8, Height - 10), new Point(8 + len - 1, Height - 7), new Scalar(255), -1);
            using (var noise = new Mat(Height, Width, MatType.CV_8UC1))
            {
                Cv2.Randu(noise, new Scalar(0), new Scalar(rng.Next(5, 12)));
                Cv2.Add(m, noise, m);
            }
            if (_sixteenBit)
            {
                var m16 = new Mat();
                m.ConvertTo(m16, MatType.CV_16UC1, 100);
                m.Dispose();
                m = m16;
            }
            yield return new Frame(i, m);
        }
    }
}
