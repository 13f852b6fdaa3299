using OpenCvSharp;
using TemAreaTracker.Plotting;
using Xunit;

namespace TemAreaTracker.Tests.Plotting;

public class OverlayStyleTests
{
    private static Outline Circle(string name, double cx, double cy, double r, int n = 120) =>
        new(name, Enumerable.Range(0, n).Select(i => new Point2d(cx + r * Math.Cos(2 * Math.PI * i / n), cy + r * Math.Sin(2 * Math.PI * i / n))).ToArray());

    /// <summary>Distance in RGB between the pixel and the particle colour.</summary>
    private static double ColourDistance(Mat bgr, int x, int y, int colourIndex)
    {
        var px = bgr.At<Vec3b>(y, x);
        var (r, g, b) = OverlayStyle.ParticleRgb(colourIndex);
        return Math.Sqrt(Math.Pow(px.Item2 - r, 2) + Math.Pow(px.Item1 - g, 2) + Math.Pow(px.Item0 - b, 2));
    }

    [Fact]
    public void ClusterOutline_OnItsMembersRims_IsDrawnBesideThemNotOverThem()
    {
        // Two members and a whole-cluster outline running along their outer rims (their union, here as the members'
        // far half-circles joined): along the shared rim the member's dots must stay in the member's colour, and the
        // cluster must show just outside it in its own.
        using var bgr = new Mat(200, 300, MatType.CV_8UC3, new Scalar(128, 128, 128));
        var left = Circle("p1", 100, 100, 40);
        var right = Circle("p2", 170, 100, 40);
        var union = Enumerable.Range(0, 240).Select(i =>
        {
            double t = 2 * Math.PI * i / 240;
            double cx = Math.Cos(t) < 0 ? 100 : 170;
            return new Point2d(cx + 40 * Math.Cos(t), 100 + 40 * Math.Sin(t));
        }).ToArray();
        var marks = new List<OverlayMark> { new(left, 0, "p1"), new(right, 1, "p2"), new(new Outline("cluster", union), 5, "cluster") };
        OverlayStyle.DrawMarks(bgr, marks);

        // The left member's leftmost rim point (60, 100) is on both outlines: the member's colour must be there (a dot
        // sits within a pitch of it), and the cluster's colour a few px further out.
        double memberOnRim = Enumerable.Range(95, 11).Min(y => Enumerable.Range(58, 5).Min(x => ColourDistance(bgr, x, y, 0)));
        Assert.True(memberOnRim < 60, $"member colour not found on the shared rim (closest {memberOnRim:0})");
        double clusterOutside = Enumerable.Range(95, 11).Min(y => Enumerable.Range(52, 5).Min(x => ColourDistance(bgr, x, y, 5)));
        Assert.True(clusterOutside < 80, $"cluster colour not found just outside the shared rim (closest {clusterOutside:0})");
        // And not on the rim itself, where it used to alternate with the member's dots.
        double clusterOnRim = Enumerable.Range(98, 5).Min(y => ColourDistance(bgr, 60, y, 5));
        Assert.True(clusterOnRim > memberOnRim, "cluster colour drawn over the member's rim");
    }
}
