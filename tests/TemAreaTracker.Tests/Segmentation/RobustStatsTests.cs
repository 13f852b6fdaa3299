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

    [Fact]
    public void LeavesItsInputAlone()
    {
        double[] v = [3, 1, 2, 5, 4];
        Assert.Equal(3, RobustStats.UpperMedian(v));
        Assert.Equal([3.0, 1, 2, 5, 4], v);
    }
}
