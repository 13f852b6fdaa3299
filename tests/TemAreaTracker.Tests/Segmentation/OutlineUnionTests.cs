using OpenCvSharp;
using TemAreaTracker.Segmentation;
using TemAreaTracker.Simulation;
using Xunit;

namespace TemAreaTracker.Tests.Segmentation;

public class OutlineUnionTests
{
    /// <summary>A disc as a fine polygon (its area within 0.002 % of π r² at 720 vertices), clockwise or not.</summary>
    private static Point2d[] Disc(double x, double y, double r, bool reversed = false, int n = 720, double phase = 0.3)
    {
        var p = Enumerable.Range(0, n).Select(i => 2 * Math.PI * i / n + phase).Select(t => new Point2d(x + r * Math.Cos(t), y + r * Math.Sin(t)));
        return (reversed ? p.Reverse() : p).ToArray();
    }

    private static double Area(Point2d[] p) => Math.Abs(Outline.SignedAreaPx(p));

    // Reference areas: the exact union of the discs (CircleUnion, Green's theorem over exposed arcs).
    [Theory]
    [InlineData(0.0)]   // concentric: one disc inside the other
    [InlineData(12.0)]  // inner disc still inside
    [InlineData(25.0)]  // deep overlap
    [InlineData(38.0)]  // shallow overlap
    [InlineData(49.0)]  // nearly touching, overlapping by 1 px
    [InlineData(60.0)]  // apart: two components, areas add
    public void TwoDiscs_AreaOfTheirUnion(double distance)
    {
        var a = Disc(100, 80, 30);
        var b = Disc(100 + distance, 83, 20, reversed: true);
        var union = OutlineUnion.Union([a, b]);
        Assert.NotNull(union);
        double truth = CircleUnion.Area([(100, 80, 30), (100 + distance, 83, 20)]);
        Assert.Equal(1, Area(union!) / truth, 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void ClusterOfTouchingAndOverlappingDiscs_AreaOfTheirUnion(int seed)
    {
        // A branched cluster like the simulator's: each disc placed against an earlier one, overlapping it by 0-4 px and
        // clear of every other (a tree of contacts encloses no hole, which the outer outline would include).
        var rng = new Random(seed);
        var discs = new List<(double X, double Y, double R)> { (120, 120, 20) };
        while (discs.Count < 6)
        {
            var parent = discs[rng.Next(discs.Count)];
            double r = 14 + 8 * rng.NextDouble(), ang = 2 * Math.PI * rng.NextDouble(), d = parent.R + r - 4 * rng.NextDouble();
            var child = (X: parent.X + d * Math.Cos(ang), Y: parent.Y + d * Math.Sin(ang), R: r);
            if (discs.Any(o => o != parent && Math.Sqrt((o.X - child.X) * (o.X - child.X) + (o.Y - child.Y) * (o.Y - child.Y)) < o.R + r + 1)) continue;
            discs.Add(child);
        }
        var union = OutlineUnion.Union(discs.Select((c, i) => Disc(c.X, c.Y, c.R, reversed: i % 2 == 1, n: 360, phase: i)).ToArray());
        Assert.NotNull(union);
        Assert.Equal(1, Area(union!) / CircleUnion.Area(discs), 3);
        // Every vertex of the union lies on its boundary: outside every member or on its rim.
        foreach (var v in union!)
            foreach (var c in discs)
                Assert.True(Math.Sqrt((v.X - c.X) * (v.X - c.X) + (v.Y - c.Y) * (v.Y - c.Y)) > c.R - 0.01, $"vertex {v} inside disc {c}");
    }

    [Fact]
    public void OneOutline_IsItself()
    {
        var a = Disc(50, 40, 12, n: 40);
        var union = OutlineUnion.Union([a]);
        Assert.Equal(Area(a), Area(union!), 9);
        Assert.Equal(a.Length, union!.Length);
    }

    [Fact]
    public void MaxDistanceOutside_IsZeroInsideAndTheLargestGapOutside()
    {
        var a = Disc(0, 0, 10);
        Assert.Equal(0, OutlineUnion.MaxDistanceOutside(a, [new Point2d(3, 4)]));
        Assert.Equal(5, OutlineUnion.MaxDistanceOutside(a, [new Point2d(3, 4), new Point2d(15, 0), new Point2d(0, -12)]), 2);
    }
}
