using OpenCvSharp;

namespace TemAreaTracker.Tests.IO;

internal static class Stats
{
    /// <summary>Min, max and mean of a single-channel Mat in double precision.</summary>
    public static (double Min, double Max, double Mean) Of(Mat m)
    {
        Cv2.MinMaxLoc(m, out double min, out double max);
        using var d = new Mat();
        m.ConvertTo(d, MatType.CV_64FC1);
        return (min, max, Cv2.Mean(d).Val0);
    }
}
