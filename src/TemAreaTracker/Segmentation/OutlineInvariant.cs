using Point2d = OpenCvSharp.Point2d;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Noding;

namespace TemAreaTracker.Segmentation;

/// <summary>What <see cref="OutlineInvariant.Enforce"/> made of an outline.</summary>
internal enum OutlineVerdict
{
    /// <summary>Already simple and clockwise on screen (at most its vertex order was reversed).</summary>
    Valid,

    /// <summary>It crossed itself; the repaired outline is the region it encloses, as one simple ring.</summary>
    Repaired,

    /// <summary>Nothing measurable is left (fewer than 3 vertices, non-finite coordinates, or no area).</summary>
    Rejected,
}

/// <summary>
/// The one rule every outline the tracker emits obeys: a simple polygon (no edge crosses another), clockwise on screen
/// (+y down; <see cref="Outline.SignedAreaPx"/> positive), so that its winding number is 1 inside and its shoelace
/// area is the area it covers.
/// </summary>
/// <remarks>
/// An active outline whose nodes cross (two swap by a hair, or a weak rim lets a stretch fold back) encloses part of
/// its region twice or with the wrong sign; an outline that winds round its particle two or three times reports two or
/// three times its area while looking, drawn, like one ring. Both are repaired here to the region the ring encloses
/// (NetTopologySuite's <see cref="GeometryFixer"/>: self-crossings resolved, the largest piece kept, holes dropped: a
/// particle's projection has none). A ring that only pinches or touches itself keeps all its pieces, joined by
/// zero-width bridges as a cluster's union is (<see cref="OutlineUnion"/>): a bridge overlaps itself without crossing.
/// </remarks>
internal static class OutlineInvariant
{
    // Relative difference between shoelace and covered area below which a crossing is a pinch or a sliver, not a fold.
    private const double PinchTolerance = 1e-3;

    /// <summary>Checks <paramref name="vertices"/> and repairs or rejects them.</summary>
    /// <returns>
    /// The outline to use (clockwise on screen, simple), or null when rejected; the verdict; and the relative change of
    /// area the repair made (|A_repaired − |A_shoelace|| / A_repaired; 0 when valid).
    /// </returns>
    public static (Point2d[]? Vertices, OutlineVerdict Verdict, double AreaChange) Enforce(IReadOnlyList<Point2d> vertices)
    {
        if (vertices.Count < 3 || vertices.Any(p => !double.IsFinite(p.X) || !double.IsFinite(p.Y)))
            return (null, OutlineVerdict.Rejected, double.NaN);
        var v = vertices.ToArray();
        double signed = Outline.SignedAreaPx(v);
        if (!CrossesItself(v))
        {
            if (!(Math.Abs(signed) > 0)) return (null, OutlineVerdict.Rejected, double.NaN);
            if (signed < 0) Array.Reverse(v);
            return (v, OutlineVerdict.Valid, 0);
        }
        var fixedShape = GeometryFixer.Fix(OutlineUnion.ToPolygon(v));
        var pieces = Enumerable.Range(0, fixedShape.NumGeometries)
            .Select(fixedShape.GetGeometryN)
            .OfType<Polygon>()
            .Where(p => p.Area > 0)
            .ToList();
        if (pieces.Count == 0) return (null, OutlineVerdict.Rejected, double.NaN);
        // A ring that pinches itself or loops by a hair (tangent members of a cluster's union, two nodes swapped) covers
        // what its shoelace says, give or take a sliver: keep every piece, joined by zero-width bridges as a cluster's
        // union is, so that a cluster whose parts only touch keeps all of them.
        double covered = pieces.Sum(p => p.Area);
        if (Math.Abs(covered - Math.Abs(signed)) <= PinchTolerance * covered)
        {
            var joined = OutlineUnion.Union(pieces.Select(p => (IReadOnlyList<Point2d>)OutlineUnion.FromRing(p.ExteriorRing)).ToList());
            if (joined is null) return (null, OutlineVerdict.Rejected, double.NaN);
            double joinedArea = Outline.SignedAreaPx(joined);
            return (joined, OutlineVerdict.Repaired, Math.Abs(joinedArea - Math.Abs(signed)) / joinedArea);
        }
        var largest = pieces.MaxBy(p => p.Area)!;
        var ring = OutlineUnion.FromRing(largest.ExteriorRing);
        if (Outline.SignedAreaPx(ring) < 0) Array.Reverse(ring);
        double area = Outline.SignedAreaPx(ring);
        // The fixer's ring is simple by construction; a ring it could not make simple is not an outline.
        if (!(area > 0) || CrossesItself(ring)) return (null, OutlineVerdict.Rejected, double.NaN);
        return (ring, OutlineVerdict.Repaired, Math.Abs(area - Math.Abs(signed)) / area);
    }

    /// <summary>True when two edges of the closed ring cross at a point interior to both (a proper intersection).</summary>
    public static bool CrossesItself(IReadOnlyList<Point2d> v) => FirstCrossing(v) is not null;

    /// <summary>The endpoints of two edges that cross (p00, p01, p10, p11), or null.</summary>
    public static Point2d[]? FirstCrossing(IReadOnlyList<Point2d> v)
    {
        if (v.Count < 4) return null;
        var coords = new Coordinate[v.Count + 1];
        for (int i = 0; i < v.Count; i++) coords[i] = new Coordinate(v[i].X, v[i].Y);
        coords[^1] = coords[0];
        var detector = new SegmentIntersectionDetector { FindProper = true };
        var noder = new MCIndexNoder(detector);
        noder.ComputeNodes(new List<ISegmentString> { new BasicSegmentString(coords, null) });
        return detector.HasProperIntersection ? detector.IntersectionSegments.Select(c => new Point2d(c.X, c.Y)).ToArray() : null;
    }
}
