using OpenCvSharp;
using TemAreaTracker.Segmentation;
using Xunit;

namespace TemAreaTracker.Tests.Segmentation;

public class OutlineInvariantTests
{
    private static Point2d[] Ring(double cx, double cy, double r, int n = 90, double turns = 1, double shrinkPerTurn = 0, bool clockwise = true) =>
        Enumerable.Range(0, n).Select(i =>
        {
            double t = turns * 2 * Math.PI * i / n, rr = r - shrinkPerTurn * t / (2 * Math.PI);
            return new Point2d(cx + rr * Math.Cos(t), cy + (clockwise ? 1 : -1) * rr * Math.Sin(t));
        }).ToArray();

    /// <summary>
    /// The invariant as a property of one outline, checked independently of the code that enforces it: clockwise on
    /// screen, winding number exactly 1 at every covered point of a 4×4-supersampled grid (so it neither crosses
    /// itself into a negative lobe nor winds round twice), and its shoelace area equal to the area of that mask within
    /// 0.5 % or 2 px², whichever is larger.
    /// </summary>
    internal static void AssertHolds(IReadOnlyList<Point2d> v, string what)
    {
        double signed = Outline.SignedAreaPx(v);
        Assert.True(signed > 0, $"{what}: not clockwise on screen (signed area {signed:0.0} px²)");
        var (mask, maxWinding) = MaskArea(v, 4);
        Assert.True(maxWinding == 1, $"{what}: winding number {maxWinding} somewhere inside (must be 1 wherever covered) crosses={string.Join(" ", OutlineInvariant.FirstCrossing(v)?.Select(q => $"({q.X:0.###},{q.Y:0.###})") ?? [])} n={v.Count} distinct={v.Distinct().Count()} enforce={OutlineInvariant.Enforce(v).Verdict}");
        double tolerance = Math.Max(0.005 * mask, 2);
        Assert.True(Math.Abs(signed - mask) <= tolerance, $"{what}: shoelace {signed:0.0} px² vs filled mask {mask:0.0} px²");
    }

    /// <summary>
    /// Area covered by the ring (winding number ≠ 0) on a grid of <paramref name="factor"/>² sample points per px, by
    /// scanlines; and the largest |winding number| met.
    /// </summary>
    internal static (double AreaPx, int MaxWinding) MaskArea(IReadOnlyList<Point2d> v, int factor)
    {
        double minY = v.Min(p => p.Y), maxY = v.Max(p => p.Y), minX = v.Min(p => p.X);
        long covered = 0;
        int maxWinding = 0;
        var crossings = new List<(double X, int Dir)>();
        double x0 = Math.Floor(minX * factor) / factor;
        for (double y = Math.Floor(minY * factor) / factor + 0.5 / factor; y <= maxY; y += 1.0 / factor)
        {
            crossings.Clear();
            for (int i = 0; i < v.Count; i++)
            {
                var a = v[i];
                var b = v[(i + 1) % v.Count];
                if ((a.Y <= y && y < b.Y) || (b.Y <= y && y < a.Y))
                    crossings.Add((a.X + (y - a.Y) / (b.Y - a.Y) * (b.X - a.X), a.Y < b.Y ? 1 : -1));
            }
            crossings.Sort((p, q) => p.X.CompareTo(q.X));
            int w = 0;
            for (int k = 0; k + 1 < crossings.Count; k++)
            {
                w += crossings[k].Dir;
                if (w == 0) continue;
                maxWinding = Math.Max(maxWinding, Math.Abs(w));
                // Sample columns x0 + (j + 0.5)/factor inside [crossings[k].X, crossings[k + 1].X).
                long first = (long)Math.Ceiling((crossings[k].X - x0) * factor - 0.5);
                long last = (long)Math.Ceiling((crossings[k + 1].X - x0) * factor - 0.5) - 1;
                if (last >= first) covered += last - first + 1;
            }
        }
        return (covered / (double)(factor * factor), maxWinding);
    }

    [Fact]
    public void SimpleClockwiseRing_IsValid_AndUnchanged()
    {
        var ring = Ring(50, 40, 20);
        var (v, verdict, change) = OutlineInvariant.Enforce(ring);
        Assert.Equal(OutlineVerdict.Valid, verdict);
        Assert.Equal(ring, v);
        Assert.Equal(0, change);
        AssertHolds(v!, "circle");
    }

    [Fact]
    public void CounterClockwiseRing_IsReversed()
    {
        var ring = Ring(50, 40, 20, clockwise: false);
        Assert.True(Outline.SignedAreaPx(ring) < 0);
        var (v, verdict, _) = OutlineInvariant.Enforce(ring);
        Assert.Equal(OutlineVerdict.Valid, verdict);
        Assert.Equal(ring.Reverse(), v);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void RingWoundSeveralTimes_IsRepairedToTheRegionItCovers(int turns)
    {
        // What --auto produced on sample movie 01: a ring round the particle 2-3 times, reporting 2-3× its area.
        var ring = Ring(60, 60, 25, n: 120 * turns, turns: turns, shrinkPerTurn: 1.5);
        Assert.InRange(Outline.SignedAreaPx(ring) / (Math.PI * 25 * 25), turns * 0.75, turns * 1.01);
        var (v, verdict, change) = OutlineInvariant.Enforce(ring);
        Assert.Equal(OutlineVerdict.Repaired, verdict);
        Assert.True(change > 0.5, $"area change {change:P0}");
        Assert.InRange(Outline.SignedAreaPx(v!), Math.PI * 23 * 23, Math.PI * 25 * 25 * 1.01);
        Assert.False(OutlineInvariant.CrossesItself(v!));
        AssertHolds(v!, $"{turns} turns repaired");
    }

    [Fact]
    public void BowTie_KeepsItsLargerLobe()
    {
        Point2d[] bowTie = [new(0, 0), new(40, 30), new(40, 0), new(0, 20)];
        var (v, verdict, _) = OutlineInvariant.Enforce(bowTie);
        Assert.Equal(OutlineVerdict.Repaired, verdict);
        AssertHolds(v!, "bow tie");
        Assert.False(OutlineInvariant.CrossesItself(v!));
    }

    [Fact]
    public void ClusterUnionOfSeparateParts_BridgedWithoutWidth_StaysValid()
    {
        var union = OutlineUnion.Union([Ring(30, 30, 10), Ring(80, 30, 10)])!;
        var (v, verdict, _) = OutlineInvariant.Enforce(union);
        Assert.Equal(OutlineVerdict.Valid, verdict);
        Assert.Equal(Outline.SignedAreaPx(union), Outline.SignedAreaPx(v!), 9);
    }

    [Theory]
    [InlineData("two points")]
    [InlineData("collinear")]
    [InlineData("nan")]
    public void Degenerate_IsRejected(string kind)
    {
        Point2d[] v = kind switch
        {
            "two points" => [new(0, 0), new(5, 5)],
            "collinear" => [new(0, 0), new(5, 5), new(10, 10)],
            _ => [new(0, 0), new(double.NaN, 5), new(10, 0)],
        };
        Assert.Equal(OutlineVerdict.Rejected, OutlineInvariant.Enforce(v).Verdict);
    }
}
