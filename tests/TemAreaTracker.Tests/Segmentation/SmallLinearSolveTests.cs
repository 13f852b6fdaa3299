using TemAreaTracker.Segmentation;
using Xunit;

namespace TemAreaTracker.Tests.Segmentation;

public class SmallLinearSolveTests
{
    /// <summary>Cholesky gives elimination's solution on symmetric positive definite systems (to rounding), and refuses others.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(33)]
    public void SymmetricSolveAgreesWithElimination(int n)
    {
        var rng = new Random(n);
        var g = new double[n * n];
        for (int i = 0; i < g.Length; i++) g[i] = rng.NextDouble() - 0.5;
        // a = GᵀG + I: symmetric positive definite.
        var a = new double[n * n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                double s = r == c ? 1 : 0;
                for (int k = 0; k < n; k++) s += g[k * n + r] * g[k * n + c];
                a[r * n + c] = s;
            }
        var b = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var x = new double[n];
        var y = new double[n];
        Assert.True(SmallLinearSolve.Solve((double[])a.Clone(), (double[])b.Clone(), x, n));
        Assert.True(SmallLinearSolve.SolveSymmetric(a, b, y, n));
        for (int i = 0; i < n; i++) Assert.Equal(x[i], y[i], 10);

        // Not positive definite: a negative pivot.
        a[0] = -1;
        Assert.False(SmallLinearSolve.SolveSymmetric(a, b, y, n));
    }
}
