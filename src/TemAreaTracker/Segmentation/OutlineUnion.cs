using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Operation.Union;
using Point2d = OpenCvSharp.Point2d;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// The outline of the union of several particle outlines: what a microscopist means by a cluster's projected area
/// when each of its members is outlined (the projection of the members, their overlaps counted once).
/// </summary>
/// <remarks>
/// The polygon union is NetTopologySuite's (exact overlay in double precision). Members that do not touch the rest
/// (touching spheres meet at a point, and two measured outlines can miss each other by a fraction of a pixel) come
/// back as separate components; they are joined into one outline by zero-width bridges between their closest
/// vertices, which keep the area the sum of the components', so that a cluster stays one ROI. Holes enclosed by a
/// ring of members are not subtracted: the outline is the outer boundary, as a cluster is drawn.
/// </remarks>
internal static class OutlineUnion
{
    private static readonly GeometryFactory Factory = new();

    /// <summary>
    /// Outer outline of the union of <paramref name="polygons"/> (px, positive shoelace orientation), or null when the
    /// union is empty (degenerate input: then no union is claimed).
    /// </summary>
    public static Point2d[]? Union(IReadOnlyList<IReadOnlyList<Point2d>> polygons)
    {
        if (polygons.Count == 0) return null;
        if (polygons.Count == 1) return Oriented(polygons[0].ToArray());
        // A tracked outline can cross itself by a hair where two nodes swap; the fixer makes it a valid polygon.
        var parts = polygons.Where(p => p.Count >= 3).Select(p => GeometryFixer.Fix(ToPolygon(p))).ToList();
        if (parts.Count == 0) return null;
        var union = UnaryUnionOp.Union(parts);
        var components = Enumerable.Range(0, union.NumGeometries)
            .Select(i => union.GetGeometryN(i))
            .OfType<Polygon>()
            .Where(p => p.Area > 0)
            .OrderByDescending(p => p.Area)
            .Select(p => Oriented(FromRing(p.ExteriorRing)).ToList())
            .ToList();
        if (components.Count == 0) return null;
        var result = components[0];
        for (int c = 1; c < components.Count; c++) result = Bridge(result, components[c]);
        return result.ToArray();
    }

    /// <summary>How far the farthest of <paramref name="points"/> lies outside <paramref name="poly"/>, px (0 when all are inside or on it).</summary>
    internal static double MaxDistanceOutside(IReadOnlyList<Point2d> poly, IEnumerable<Point2d> points)
    {
        var shape = GeometryFixer.Fix(ToPolygon(poly));
        return points.Select(p => shape.Distance(Factory.CreatePoint(new Coordinate(p.X, p.Y)))).DefaultIfEmpty(0).Max();
    }

    private static Polygon ToPolygon(IReadOnlyList<Point2d> p)
    {
        var ring = new Coordinate[p.Count + 1];
        for (int i = 0; i < p.Count; i++) ring[i] = new Coordinate(p[i].X, p[i].Y);
        ring[^1] = ring[0];
        return Factory.CreatePolygon(ring);
    }

    /// <summary>The ring's vertices without the closing repeat of the first.</summary>
    private static Point2d[] FromRing(LineString ring)
    {
        var c = ring.Coordinates;
        int n = c.Length > 1 && c[0].Equals2D(c[^1]) ? c.Length - 1 : c.Length;
        var v = new Point2d[n];
        for (int i = 0; i < n; i++) v[i] = new Point2d(c[i].X, c[i].Y);
        return v;
    }

    private static Point2d[] Oriented(Point2d[] v)
    {
        if (Outline.SignedAreaPx(v) < 0) Array.Reverse(v);
        return v;
    }

    /// <summary>Joins component <paramref name="b"/> into <paramref name="a"/> by a zero-width bridge between their closest vertices.</summary>
    private static List<Point2d> Bridge(List<Point2d> a, List<Point2d> b)
    {
        int bi = 0, bj = 0;
        double best = double.PositiveInfinity;
        for (int i = 0; i < a.Count; i++)
            for (int j = 0; j < b.Count; j++)
            {
                double d = (a[i].X - b[j].X) * (a[i].X - b[j].X) + (a[i].Y - b[j].Y) * (a[i].Y - b[j].Y);
                if (d < best) { best = d; bi = i; bj = j; }
            }
        var r = new List<Point2d>(a.Count + b.Count + 2);
        for (int i = 0; i <= bi; i++) r.Add(a[i]);
        for (int j = 0; j <= b.Count; j++) r.Add(b[(bj + j) % b.Count]);
        for (int i = bi; i < a.Count; i++) r.Add(a[i]);
        return r;
    }
}
