using TemAreaTracker.Segmentation;
using Xunit;

namespace TemAreaTracker.Tests.Segmentation;

public class RobustStatsTests
{
    /// <summary>Selection gives exactly what sorting and indexing gave, for odd and even counts, ties and NaN.</summary>
    [Fact]
    public void UpperMedianEqualsSortedMiddleElement()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 500; trial++)
        {
            int n = 1 + rng.Next(600);
            var v = new double[n];
            for (int i = 0; i < n; i++)
                v[i] = trial % 5 == 0 ? rng.Next(4) : trial % 7 == 0 && rng.Next(10) == 0 ? double.NaN : rng.NextDouble() * 10 - 3;
            var sorted = new List<double>(v);
            sorted.Sort();
            Assert.Equal(sorted[n / 2], RobustStats.UpperMedian(v));
        }
    }

    /// <summary>The order statistic of the finite entries is what filtering, sorting and indexing gave (infinities and NaN left out).</summary>
    [Fact]
    public void OfFiniteEqualsSortedFiniteElement()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 500; trial++)
        {
            int n = rng.Next(1500);
            var v = new double[n];
            for (int i = 0; i < n; i++)
                v[i] = rng.Next(12) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => trial % 3 == 0 ? rng.Next(5) : rng.NextDouble() };
            var sorted = v.Where(double.IsFinite).Order().ToList();
            double? quarter = RobustStats.OfFinite(v, count => count / 4, atLeast: 8);
            if (sorted.Count < 8) Assert.Null(quarter);
            else Assert.Equal(sorted[sorted.Count / 4], quarter);
        }
    }

    [Fact]
    public void LeavesItsInputAlone()
    {
        double[] v = [3, 1, 2, 5, 4];
        Assert.Equal(3, RobustStats.UpperMedian(v));
        Assert.Equal([3.0, 1, 2, 5, 4], v);
    }
}
