using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>Closed polygons (outlines) as node sequences: even resampling and outward normals.</summary>
internal static class PolygonGeometry
{
    /// <summary>Evenly spaced points along a closed polygon.</summary>
    public static Point2d[] Resample(IReadOnlyList<Point2d> poly, double spacingPx, int minNodes, int maxNodes)
    {
        int n = poly.Count;
        var cum = new double[n + 1];
        for (int i = 0; i < n; i++)
        {
            var a = poly[i]; var b = poly[(i + 1) % n];
            cum[i + 1] = cum[i] + Math.Sqrt((b.X - a.X) * (b.X - a.X) + (b.Y - a.Y) * (b.Y - a.Y));
        }
        double total = cum[n];
        int count = Math.Clamp((int)Math.Round(total / spacingPx), minNodes, maxNodes);
        var result = new Point2d[count];
        int seg = 0;
        for (int k = 0; k < count; k++)
        {
            double t = total * k / count;
            while (seg < n - 1 && cum[seg + 1] < t) seg++;
            double len = cum[seg + 1] - cum[seg];
            double f = len > 0 ? (t - cum[seg]) / len : 0;
            var a = poly[seg]; var b = poly[(seg + 1) % n];
            result[k] = new Point2d(a.X + f * (b.X - a.X), a.Y + f * (b.Y - a.Y));
        }
        return result;
    }

    /// <summary>Unit outward normals from a smoothed tangent (neighbours ±2), whatever the polygon's orientation.</summary>
    public static Point2d[] OutwardNormals(Point2d[] nodes)
    {
        int n = nodes.Length;
        double orientation = Math.Sign(Outline.SignedAreaPx(nodes));
        if (orientation == 0) orientation = 1;
        var normals = new Point2d[n];
        for (int i = 0; i < n; i++)
        {
            var a = nodes[(i - 2 + n) % n]; var a1 = nodes[(i - 1 + n) % n];
            var b = nodes[(i + 2) % n]; var b1 = nodes[(i + 1) % n];
            double tx = (b.X - a.X) + 2 * (b1.X - a1.X), ty = (b.Y - a.Y) + 2 * (b1.Y - a1.Y);
            double len = Math.Sqrt(tx * tx + ty * ty);
            if (len == 0) { normals[i] = new Point2d(0, 0); continue; }
            // With y down, a counter-clockwise-in-math (positive shoelace) polygon has its outside to the right of travel.
            normals[i] = new Point2d(orientation * ty / len, -orientation * tx / len);
        }
        return normals;
    }
}
