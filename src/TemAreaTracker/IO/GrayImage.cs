using OpenCvSharp;

namespace TemAreaTracker.IO;

/// <summary>Colour pixels to the one gray channel every movie frame holds (TIFF pages, image files).</summary>
internal static class GrayImage
{
    /// <summary>
    /// One gray channel from a BGR/BGRA (or 2-channel gray+alpha) Mat: exactly channel 0 when all colour channels are
    /// equal (gray saved as colour), else the ITU-R BT.601 luminance.
    /// </summary>
    public static Mat ToGray(Mat m)
    {
        int ch = m.Channels();
        if (ch == 1) return m.Clone();
        var planes = m.Split();
        try
        {
            if (ch == 2) return planes[0].Clone();
            using var d1 = new Mat();
            using var d2 = new Mat();
            Cv2.Absdiff(planes[0], planes[1], d1);
            Cv2.Absdiff(planes[1], planes[2], d2);
            bool equal = Cv2.CountNonZero(d1.Reshape(1)) == 0 && Cv2.CountNonZero(d2.Reshape(1)) == 0;
            if (equal) return planes[0].Clone();
            var g = new Mat();
            Cv2.CvtColor(m, g, ch == 4 ? ColorConversionCodes.BGRA2GRAY : ColorConversionCodes.BGR2GRAY);
            return g;
        }
        finally
        {
            foreach (var p in planes) p.Dispose();
        }
    }
}
