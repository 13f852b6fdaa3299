using OpenCvSharp;

namespace TemAreaTracker;

/// <summary>
/// Linear map from stored pixel values to calibrated values: value = <see cref="Offset"/> + <see cref="Scale"/>·raw
/// (ImageJ c0/c1, e.g. signed int16 camera counts stored as uint16 with c0 = −32768).
/// </summary>
/// <remarks>Frames keep the stored values; apply this only where absolute values matter (display, intensity export).</remarks>
public sealed record IntensityCalibration(double Offset, double Scale, string? Unit)
{
    /// <summary>The calibrated values of <paramref name="raw"/> as a new CV_32F Mat (the caller disposes it).</summary>
    public Mat Apply(Mat raw)
    {
        var m = new Mat();
        raw.ConvertTo(m, MatType.CV_32FC1, Scale, Offset);
        return m;
    }
}
