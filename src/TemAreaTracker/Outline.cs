using OpenCvSharp;

namespace TemAreaTracker;

/// <summary>
/// A named closed outline in pixel coordinates (+x right, +y down, pixel centres at integers),
/// as a microscopist draws it around a particle or a whole cluster.
/// </summary>
/// <param name="Name">Particle or cluster name (ImageJ ROI name, JSON key, or p1, p2, … from --auto).</param>
/// <param name="VerticesPx">Polygon vertices in px; the last connects back to the first.</param>
/// <param name="Frame">Zero-based frame the outline belongs to, when the ROI sets a position; null = first frame.</param>
public sealed record Outline(string Name, IReadOnlyList<Point2d> VerticesPx, int? Frame = null)
{
    /// <summary>Enclosed area in px² (shoelace formula; orientation-independent).</summary>
    public double AreaPx => Math.Abs(SignedAreaPx(VerticesPx));

    /// <summary>
    /// Shoelace area of a closed polygon in px²: positive when the vertices run clockwise on screen (+y down),
    /// negative the other way round.
    /// </summary>
    public static double SignedAreaPx(IReadOnlyList<Point2d> vertices)
    {
        double s = 0;
        for (int i = 0, n = vertices.Count; i < n; i++)
        {
            var a = vertices[i];
            var b = vertices[(i + 1) % n];
            s += a.X * b.Y - b.X * a.Y;
        }
        return s / 2;
    }

    /// <summary>Area centroid in px.</summary>
    public Point2d Centroid
    {
        get
        {
            double a = 0, cx = 0, cy = 0;
            for (int i = 0, n = VerticesPx.Count; i < n; i++)
            {
                var p = VerticesPx[i];
                var q = VerticesPx[(i + 1) % n];
                double c = p.X * q.Y - q.X * p.Y;
                a += c; cx += (p.X + q.X) * c; cy += (p.Y + q.Y) * c;
            }
            if (Math.Abs(a) < 1e-12)
                return new Point2d(VerticesPx.Average(v => v.X), VerticesPx.Average(v => v.Y));
            return new Point2d(cx / (3 * a), cy / (3 * a));
        }
    }

    /// <summary>Perimeter in px.</summary>
    public double PerimeterPx
    {
        get
        {
            double s = 0;
            for (int i = 0, n = VerticesPx.Count; i < n; i++)
            {
                var a = VerticesPx[i];
                var b = VerticesPx[(i + 1) % n];
                s += Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
            }
            return s;
        }
    }

    /// <summary>The same outline moved by (<paramref name="dxPx"/>, <paramref name="dyPx"/>).</summary>
    public Outline Translate(double dxPx, double dyPx) =>
        this with { VerticesPx = VerticesPx.Select(v => new Point2d(v.X + dxPx, v.Y + dyPx)).ToArray() };
}
