using OpenCvSharp;

namespace TemAreaTracker.Tracking;

/// <summary>How far a frame's measurement of one particle can be trusted (the CSV's <c>quality</c> column).</summary>
public enum TrackQuality
{
    /// <summary>Edge found all round; the area is a measurement.</summary>
    Ok,
    /// <summary>Part of the edge was weak or contested and was bridged by the shape prior; area usable with care.</summary>
    Weak,
    /// <summary>The outline runs past the frame border: no area is reported (never invented).</summary>
    OutOfView,
    /// <summary>No edge could be found near the prior: no area is reported.</summary>
    Lost,
}

/// <summary>One particle in one frame.</summary>
/// <param name="Particle">Outline name.</param>
/// <param name="Frame">Zero-based frame index.</param>
/// <param name="Outline">Outline found in this frame, in px of the raw (unregistered) frame.</param>
/// <param name="AreaPx">Projected area in px², or NaN when <see cref="Quality"/> is OutOfView or Lost.</param>
/// <param name="AreaSigmaPx">One-sigma area uncertainty in px² from the edge fit residuals (NaN when unknown).</param>
/// <param name="Quality">Trust in this measurement.</param>
public sealed record ParticleMeasurement(
    string Particle,
    int Frame,
    Outline Outline,
    double AreaPx,
    double AreaSigmaPx,
    TrackQuality Quality)
{
    /// <summary>Perimeter of <see cref="Outline"/> in px.</summary>
    public double PerimeterPx => Outline.PerimeterPx;

    /// <summary>Area centroid of <see cref="Outline"/> in px.</summary>
    public Point2d CentroidPx => Outline.Centroid;

    /// <summary>Diameter of the circle of the same area in px.</summary>
    public double EquivalentDiameterPx => 2 * Math.Sqrt(AreaPx / Math.PI);
}

/// <summary>Everything tracking found in one frame.</summary>
/// <param name="Frame">Zero-based frame index.</param>
/// <param name="DriftPx">Stage drift of this frame relative to frame 0 in px (+x right, +y down): content at p in frame 0 is at p + drift here.</param>
/// <param name="Particles">One measurement per tracked outline, in the order the outlines were given.</param>
public sealed record FrameResult(int Frame, Point2d DriftPx, IReadOnlyList<ParticleMeasurement> Particles);
