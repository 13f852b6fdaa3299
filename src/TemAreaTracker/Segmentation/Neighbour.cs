using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// A neighbouring particle as another outline's edge fit sees it: its current outline in polar form about its
/// centroid, and its own rim profile, so that where two projections overlap each fit explains the other's rim
/// instead of mistaking it for its own (neighbouring outlines compete for shared edges).
/// </summary>
internal sealed class Neighbour
{
    private const int Bins = 720;
    private readonly double[] _radius = new double[Bins];

    public Neighbour(IReadOnlyList<Point2d> outline, EdgeModel model)
    {
        Model = model;
        Centre = new Outline("", outline).Centroid;
        // Radius along each direction: the farthest crossing of the ray with the outline (star-shaped about the centroid).
        var nodes = PolygonGeometry.Resample(outline, 0.5, 64, 4096);
        var filled = new bool[Bins];
        foreach (var p in nodes)
        {
            double dx = p.X - Centre.X, dy = p.Y - Centre.Y;
            int b = Bin(Math.Atan2(dy, dx));
            double r = Math.Sqrt(dx * dx + dy * dy);
            if (!filled[b] || r > _radius[b]) { _radius[b] = r; filled[b] = true; }
        }
        // Fill empty bins from their nearest filled neighbours (coarse outlines).
        for (int b = 0; b < Bins; b++)
        {
            if (filled[b]) continue;
            for (int k = 1; k < Bins / 2; k++)
            {
                int l = (b - k + Bins) % Bins, h = (b + k) % Bins;
                if (filled[l]) { _radius[b] = _radius[l]; break; }
                if (filled[h]) { _radius[b] = _radius[h]; break; }
            }
        }
        Bounds = Cv2.BoundingRect(outline.Select(p => new Point((int)p.X, (int)p.Y)));
    }

    public EdgeModel Model { get; }
    public Point2d Centre { get; }
    public Rect Bounds { get; }

    /// <summary>Signed distance inside the neighbour's rim along its radial direction, px (negative outside).</summary>
    public double DepthInside(double x, double y)
    {
        double dx = x - Centre.X, dy = y - Centre.Y;
        return _radius[Bin(Math.Atan2(dy, dx))] - Math.Sqrt(dx * dx + dy * dy);
    }

    private static int Bin(double angle) => ((int)Math.Floor((angle + Math.PI) / (2 * Math.PI) * Bins) % Bins + Bins) % Bins;
}
