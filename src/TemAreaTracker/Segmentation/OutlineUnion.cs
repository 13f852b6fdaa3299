using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// The outline of the union of several particle outlines: what a microscopist means by a cluster's projected area
/// when each of its members is outlined (the projection of the members, their overlaps counted once).
/// </summary>
/// <remarks>
/// Boundary tracing over simple polygons of one orientation: start at the leftmost vertex of all (it lies on the
/// union's boundary), walk along its polygon, and at every crossing with another polygon switch to that polygon's
/// forward direction — with both interiors on the same side of travel, the crossed polygon's forward edge is the one
/// outside the first, so the walk stays on the outer boundary. Crossings are found per pair of polygons whose boxes
/// meet, only among edges inside the other polygon's box, so the cost grows with the contacts, not with n².
/// Members that do not touch the rest (touching spheres meet at a point, and two measured outlines can miss each
/// other by a fraction of a pixel) form components of their own; they are joined into one polygon by zero-width
/// bridges between their closest vertices, which keep the area the sum of the components'. Holes enclosed by a ring of
/// members are not subtracted (the outline is the outer boundary, as a cluster is drawn).
/// </remarks>
internal static class OutlineUnion
{
    private readonly record struct Crossing(int Edge, double T, int Other, int OtherEdge, double OtherT, Point2d At);

    /// <summary>
    /// Outer outline of the union of <paramref name="polygons"/> (px), or null when the tracing does not close (a
    /// degenerate input: then no union is claimed).
    /// </summary>
    public static Point2d[]? Union(IReadOnlyList<IReadOnlyList<Point2d>> polygons)
    {
        if (polygons.Count == 0) return null;
        // One orientation for all: positive shoelace area.
        var polys = polygons.Select(p => Outline.SignedAreaPx(p) >= 0 ? p.ToArray() : p.Reverse().ToArray()).ToArray();
        int m = polys.Length;
        var boxes = polys.Select(Box).ToArray();
        var crossings = new List<Crossing>[m];
        for (int i = 0; i < m; i++) crossings[i] = [];
        for (int a = 0; a < m; a++)
            for (int b = a + 1; b < m; b++)
                if (Overlap(boxes[a], boxes[b])) FindCrossings(polys, a, b, boxes, crossings);
        foreach (var list in crossings) list.Sort((x, y) => x.Edge != y.Edge ? x.Edge.CompareTo(y.Edge) : x.T.CompareTo(y.T));

        var components = new List<List<Point2d>>();
        var done = new bool[m];
        while (true)
        {
            // Leftmost vertex of the polygons not yet accounted for: on the outer boundary of their union.
            int start = -1, startVertex = -1;
            for (int p = 0; p < m; p++)
            {
                if (done[p]) continue;
                for (int v = 0; v < polys[p].Length; v++)
                    if (start < 0 || polys[p][v].X < polys[start][startVertex].X) { start = p; startVertex = v; }
            }
            if (start < 0) break;
            var traced = Trace(polys, crossings, start, startVertex, done);
            if (traced is null) return null;
            components.Add(traced);
            // Polygons the walk never touched but that lie inside it (a member inside another) belong to it too.
            for (int p = 0; p < m; p++)
                if (!done[p] && Inside(traced, polys[p][0])) done[p] = true;
        }
        var result = components[0];
        for (int c = 1; c < components.Count; c++) result = Bridge(result, components[c]);
        return result.ToArray();
    }

    /// <summary>
    /// Walks the boundary from vertex <paramref name="vertex"/> of polygon <paramref name="start"/> until it returns;
    /// marks every polygon it runs along as <paramref name="visited"/>. Null when it does not close.
    /// </summary>
    private static List<Point2d>? Trace(Point2d[][] polys, List<Crossing>[] crossings, int start, int vertex, bool[] visited)
    {
        int budget = 4 * (polys.Sum(p => p.Length) + crossings.Sum(c => c.Count)) + 16;
        var path = new List<Point2d>();
        int p = start, edge = vertex;
        double t = 0;
        int cameFrom = -1, cameFromEdge = -1;
        path.Add(polys[p][edge]);
        visited[p] = true;
        while (budget-- > 0)
        {
            // Next crossing along polygon p after (edge, t), not the one we just arrived by.
            Crossing? next = null;
            foreach (var c in crossings[p])
            {
                if (c.Edge < edge || (c.Edge == edge && c.T <= t)) continue;
                if (c.Edge == edge && c.Other == cameFrom && c.OtherEdge == cameFromEdge) continue;
                if (c.Edge > edge) break;
                next = c;
                break;
            }
            if (next is { } x)
            {
                path.Add(x.At);
                cameFrom = p; cameFromEdge = edge;
                p = x.Other; edge = x.OtherEdge; t = x.OtherT;
                visited[p] = true;
                continue;
            }
            // No crossing left on this edge: go to its end vertex.
            edge = (edge + 1) % polys[p].Length;
            t = 0;
            cameFrom = -1;
            if (p == start && edge == vertex) return path;
            path.Add(polys[p][edge]);
            // The first crossing of the next edge may come before the vertex we are at: look from t = −∞ there.
            t = double.NegativeInfinity;
        }
        return null;
    }

    /// <summary>Every proper crossing between the edges of polygons a and b that lie in the other's box.</summary>
    private static void FindCrossings(Point2d[][] polys, int a, int b, Rect2d[] boxes, List<Crossing>[] crossings)
    {
        var pa = polys[a]; var pb = polys[b];
        var ea = EdgesIn(pa, boxes[b]);
        var eb = EdgesIn(pb, boxes[a]);
        foreach (int i in ea)
        {
            var p0 = pa[i]; var p1 = pa[(i + 1) % pa.Length];
            foreach (int j in eb)
            {
                var q0 = pb[j]; var q1 = pb[(j + 1) % pb.Length];
                if (!Intersect(p0, p1, q0, q1, out double t, out double u)) continue;
                var at = new Point2d(p0.X + t * (p1.X - p0.X), p0.Y + t * (p1.Y - p0.Y));
                crossings[a].Add(new Crossing(i, t, b, j, u, at));
                crossings[b].Add(new Crossing(j, u, a, i, t, at));
            }
        }
    }

    private static List<int> EdgesIn(Point2d[] p, Rect2d box)
    {
        var list = new List<int>();
        for (int i = 0; i < p.Length; i++)
        {
            var s = p[i]; var e = p[(i + 1) % p.Length];
            if (Math.Max(s.X, e.X) < box.Left || Math.Min(s.X, e.X) > box.Right) continue;
            if (Math.Max(s.Y, e.Y) < box.Top || Math.Min(s.Y, e.Y) > box.Bottom) continue;
            list.Add(i);
        }
        return list;
    }

    /// <summary>Segments p0p1 and q0q1 cross at p0 + t(p1 − p0) = q0 + u(q1 − q0), t and u in [0, 1); parallel ones never.</summary>
    private static bool Intersect(Point2d p0, Point2d p1, Point2d q0, Point2d q1, out double t, out double u)
    {
        double rx = p1.X - p0.X, ry = p1.Y - p0.Y, sx = q1.X - q0.X, sy = q1.Y - q0.Y;
        double den = rx * sy - ry * sx;
        t = u = 0;
        if (den == 0) return false;
        double wx = q0.X - p0.X, wy = q0.Y - p0.Y;
        t = (wx * sy - wy * sx) / den;
        u = (wx * ry - wy * rx) / den;
        // Half-open on both, so a crossing exactly at a shared vertex is counted once.
        return t >= 0 && t < 1 && u >= 0 && u < 1;
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

    /// <summary>Even-odd point-in-polygon test.</summary>
    internal static bool Inside(IReadOnlyList<Point2d> poly, Point2d p)
    {
        bool inside = false;
        for (int i = 0, j = poly.Count - 1; i < poly.Count; j = i++)
        {
            var a = poly[i]; var b = poly[j];
            if ((a.Y > p.Y) != (b.Y > p.Y) && p.X < (b.X - a.X) * (p.Y - a.Y) / (b.Y - a.Y) + a.X) inside = !inside;
        }
        return inside;
    }

    /// <summary>How far <paramref name="p"/> lies outside <paramref name="poly"/>, px (0 when inside or on it).</summary>
    internal static double DistanceOutside(IReadOnlyList<Point2d> poly, Point2d p)
    {
        if (Inside(poly, p)) return 0;
        double best = double.PositiveInfinity;
        for (int i = 0, n = poly.Count; i < n; i++)
        {
            var a = poly[i]; var b = poly[(i + 1) % n];
            double dx = b.X - a.X, dy = b.Y - a.Y, len2 = dx * dx + dy * dy;
            double u = len2 > 0 ? Math.Clamp(((p.X - a.X) * dx + (p.Y - a.Y) * dy) / len2, 0, 1) : 0;
            double ex = a.X + u * dx - p.X, ey = a.Y + u * dy - p.Y;
            best = Math.Min(best, ex * ex + ey * ey);
        }
        return Math.Sqrt(best);
    }

    private static Rect2d Box(Point2d[] p)
    {
        double x0 = p.Min(v => v.X), x1 = p.Max(v => v.X), y0 = p.Min(v => v.Y), y1 = p.Max(v => v.Y);
        return new Rect2d(x0, y0, x1 - x0, y1 - y0);
    }

    private static bool Overlap(Rect2d a, Rect2d b) =>
        a.Left <= b.Right && b.Left <= a.Right && a.Top <= b.Bottom && b.Top <= a.Bottom;
}
