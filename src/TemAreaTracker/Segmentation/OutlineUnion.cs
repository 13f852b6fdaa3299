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
        // An outline has no holes: fill them (a member enclosed by the others' ring lies in such a hole, and bridging
        // it to the ring around it would cover it twice), then union the filled shells again.
        union = UnaryUnionOp.Union(Enumerable.Range(0, union.NumGeometries)
            .Select(i => union.GetGeometryN(i)).OfType<Polygon>()
            .Select(p => (Geometry)Factory.CreatePolygon((LinearRing)p.ExteriorRing)).ToList());
        var pieces = Enumerable.Range(0, union.NumGeometries)
            .Select(i => union.GetGeometryN(i))
            .OfType<Polygon>()
            .Where(p => p.Area > 0)
            .OrderByDescending(p => p.Area)
            .ToList();
        if (pieces.Count == 0) return null;
        // Start from the largest part and join, each time, the part nearest to those joined so far: a bridge to a
        // farther part could pass over a nearer one (any part it crossed would be nearer), and the ring would then
        // cover that part twice.
        var result = Oriented(FromRing(pieces[0].ExteriorRing)).ToList();
        var joined = new List<Geometry> { pieces[0] };
        var left = pieces.Skip(1).ToList();
        while (left.Count > 0)
        {
            var joinedShape = Factory.BuildGeometry(joined);
            var next = left.MinBy(p => p.Distance(joinedShape))!;
            left.Remove(next);
            joined.Add(next);
            result = Bridge(result, Oriented(FromRing(next.ExteriorRing)).ToList());
        }
        return result.ToArray();
    }

    /// <summary>How far the farthest of <paramref name="points"/> lies outside <paramref name="poly"/>, px (0 when all are inside or on it).</summary>
    internal static double MaxDistanceOutside(IReadOnlyList<Point2d> poly, IEnumerable<Point2d> points)
    {
        var shape = GeometryFixer.Fix(ToPolygon(poly));
        return points.Select(p => shape.Distance(Factory.CreatePoint(new Coordinate(p.X, p.Y)))).DefaultIfEmpty(0).Max();
    }

    internal static Polygon ToPolygon(IReadOnlyList<Point2d> p)
    {
        var ring = new Coordinate[p.Count + 1];
        for (int i = 0; i < p.Count; i++) ring[i] = new Coordinate(p[i].X, p[i].Y);
        ring[^1] = ring[0];
        return Factory.CreatePolygon(ring);
    }

    /// <summary>The ring's vertices without the closing repeat of the first.</summary>
    internal static Point2d[] FromRing(LineString ring)
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

    /// <summary>
    /// Joins component <paramref name="b"/> into <paramref name="a"/> by a zero-width bridge between their nearest
    /// boundary points (inserted as vertices). Between the nearest points of two disjoint regions the segment lies
    /// outside both, so the bridge crosses no edge (between their nearest <em>vertices</em> it can clip a corner, and
    /// the ring then winds twice round a sliver).
    /// </summary>
    private static List<Point2d> Bridge(List<Point2d> a, List<Point2d> b)
    {
        // Edges of a, less the bridges it already holds (each traversed there and back): a new bridge that started on
        // an old one would split only one of its two traversals, and the other would cross it at rounding level.
        var edges = new List<(LineString Edge, int Index)>();
        for (int i = 0; i < a.Count; i++)
        {
            var p = a[i];
            var q = a[(i + 1) % a.Count];
            bool bridge = false;
            for (int k = 0; k < a.Count && !bridge; k++)
                bridge = k != i && a[k] == q && a[(k + 1) % a.Count] == p;
            if (!bridge && p != q) edges.Add((Factory.CreateLineString([new Coordinate(p.X, p.Y), new Coordinate(q.X, q.Y)]), i));
        }
        var boundary = Factory.CreateMultiLineString(edges.Select(e => e.Edge).ToArray());
        var nearest = new NetTopologySuite.Operation.Distance.DistanceOp(boundary, ToRing(b)).NearestLocations();
        int edgeIndex = edges.First(e => ReferenceEquals(e.Edge, nearest[0].GeometryComponent)).Index;
        var (ra, ia) = Insert(a, edgeIndex, nearest[0].Coordinate);
        var (rb, ib) = Insert(b, nearest[1].SegmentIndex, nearest[1].Coordinate);
        var r = new List<Point2d>(ra.Count + rb.Count + 2);
        for (int i = 0; i <= ia; i++) r.Add(ra[i]);
        for (int j = 0; j <= rb.Count; j++) r.Add(rb[(ib + j) % rb.Count]);
        for (int i = ia; i < ra.Count; i++) r.Add(ra[i]);
        return r;
    }

    private static LineString ToRing(IReadOnlyList<Point2d> p)
    {
        var ring = new Coordinate[p.Count + 1];
        for (int i = 0; i < p.Count; i++) ring[i] = new Coordinate(p[i].X, p[i].Y);
        ring[^1] = ring[0];
        return Factory.CreateLineString(ring);
    }

    /// <summary>The ring with the located point as a vertex (unless it is one already), and that vertex's index.</summary>
    private static (List<Point2d> Ring, int Index) Insert(List<Point2d> ring, int segment, Coordinate c)
    {
        int seg = Math.Min(segment, ring.Count - 1);
        var p = new Point2d(c.X, c.Y);
        if (ring[seg].X == p.X && ring[seg].Y == p.Y) return (ring, seg);
        int next = (seg + 1) % ring.Count;
        if (ring[next].X == p.X && ring[next].Y == p.Y) return (ring, next);
        var r = new List<Point2d>(ring.Count + 1);
        r.AddRange(ring.Take(seg + 1));
        r.Add(p);
        r.AddRange(ring.Skip(seg + 1));
        return (r, seg + 1);
    }
}
