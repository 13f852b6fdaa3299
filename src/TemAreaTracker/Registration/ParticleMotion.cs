using OpenCvSharp;

namespace TemAreaTracker.Registration;

/// <summary>
/// Where a particle went between two consecutive frames: its neighbourhood in the previous frame matched (normalised
/// cross-correlation) within a small window of the current one, to sub-pixel by a parabola through the peak.
/// </summary>
/// <remarks>
/// Stage drift is the same everywhere, but a particle can also move (a swelling cluster pushes its members apart), and
/// a frame with little texture registers poorly as a whole. Matching each particle's own patch gives the tracker a
/// prior within a fraction of a pixel either way; the edge fit then does the rest.
/// </remarks>
internal static class ParticleMotion
{
    /// <summary>Correlation below which the match is not trusted.</summary>
    private const double MinCorrelation = 0.5;

    /// <summary>
    /// Shift in px of the content inside <paramref name="box"/> from <paramref name="previous"/> to
    /// <paramref name="current"/>, searched within ±<paramref name="searchPx"/> of <paramref name="predicted"/>;
    /// <paramref name="predicted"/> itself when the match is not trusted.
    /// </summary>
    public static Point2d Shift(Mat previous, Mat current, Rect box, Point2d predicted, int searchPx)
    {
        var frame = new Rect(0, 0, previous.Width, previous.Height);
        box &= frame;
        if (box.Width < 8 || box.Height < 8) return predicted;
        int px = (int)Math.Round(predicted.X), py = (int)Math.Round(predicted.Y);
        var window = new Rect(box.X + px - searchPx, box.Y + py - searchPx, box.Width + 2 * searchPx, box.Height + 2 * searchPx) & frame;
        if (window.Width <= box.Width + 2 || window.Height <= box.Height + 2) return predicted;
        using var template = new Mat(previous, box);
        using var search = new Mat(current, window);
        using var score = new Mat();
        Cv2.MatchTemplate(search, template, score, TemplateMatchModes.CCoeffNormed);
        Cv2.MinMaxLoc(score, out _, out double max, out _, out Point at);
        if (max < MinCorrelation) return predicted;
        double dx = SubPixel(score, at, horizontal: true), dy = SubPixel(score, at, horizontal: false);
        return new Point2d(window.X + at.X + dx - box.X, window.Y + at.Y + dy - box.Y);
    }

    private static double SubPixel(Mat score, Point at, bool horizontal)
    {
        int n = horizontal ? score.Width : score.Height;
        int i = horizontal ? at.X : at.Y;
        if (i <= 0 || i >= n - 1) return 0;
        float Get(int k) => horizontal ? score.At<float>(at.Y, k) : score.At<float>(k, at.X);
        double a = Get(i - 1), b = Get(i), c = Get(i + 1);
        double d = a - 2 * b + c;
        return d < 0 ? Math.Clamp(0.5 * (a - c) / d, -0.5, 0.5) : 0;
    }
}
