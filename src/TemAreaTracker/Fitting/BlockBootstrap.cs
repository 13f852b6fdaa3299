namespace TemAreaTracker.Fitting;

/// <summary>
/// Moving-block bootstrap of a fit's weighted residuals (Künsch 1989, Ann. Stat. 17, 1217): blocks of residuals keep
/// their correlation in the resampled curves.
/// </summary>
internal static class BlockBootstrap
{
    /// <summary>
    /// 95 % interval on p[0] from <see cref="FitOptions.BootstrapResamples"/> refits to the prediction plus resampled
    /// blocks of <paramref name="block"/> weighted residuals, and how many refits converged (NaN bounds below 20).
    /// </summary>
    /// <exception cref="OperationCanceledException"><see cref="FitOptions.Cancellation"/> was cancelled.</exception>
    public static (Interval Ci, int Succeeded) Run(LsqProblem prob, double[] p, double[] pred, double[] weighted, int n, int k, int block, FitOptions options)
    {
        // Centre and rescale the residuals (n/(n−k)) so resamples carry the noise level, not the fit's shrunken one.
        double mean = weighted.Average();
        double scale = Math.Sqrt((double)n / (n - k));
        var e = weighted.Select(r => (r - mean) * scale).ToArray();
        int b = options.BootstrapResamples;
        var est = new double[b];
        // J depends on the parameters only, and every refit starts at the best fit: compute its first J once.
        var jac0 = new LsqProblem { Y = prob.Y, W = prob.W, Model = prob.Model, Scale = prob.Scale, Free = prob.Free, CentralDifferences = false }.Jacobian(p);
        void One(int rep)
        {
            var rng = new Random(ResampleSeed(options.Seed, rep));
            var ystar = new double[n];
            int filled = 0;
            while (filled < n)
            {
                int start = rng.Next(n - block + 1);
                for (int j = 0; j < block && filled < n; j++, filled++)
                    ystar[filled] = pred[filled] + e[start + j] / Math.Sqrt(prob.W[filled]);
            }
            var rp = new LsqProblem { Y = ystar, W = prob.W, Model = prob.Model, Scale = prob.Scale, Free = prob.Free, CentralDifferences = false };
            // Refits start at the best fit, so most converge in 3-4 iterations. A few creep when t0 sits next to a
            // frame time (√(t − t0) has a kink there); after 20 iterations they are within ~1e-3 decade of their
            // optimum, far inside the interval's width, so they are kept rather than counted as failures.
            var r = LevenbergMarquardt.Minimize(rp, p, 20, jacobianAtStart: jac0, relativeTolerance: 1e-6);
            est[rep] = r.Exit != FitExit.Failed ? r.P[0] : double.NaN;
        }
        // Each resample has its own seed, so stopping between them (on cancellation) never changes a finished result.
        var ct = options.Cancellation;
        if (options.Parallel) System.Threading.Tasks.Parallel.For(0, b, new System.Threading.Tasks.ParallelOptions { CancellationToken = ct }, One);
        else
            for (int rep = 0; rep < b; rep++)
            {
                ct.ThrowIfCancellationRequested();
                One(rep);
            }
        var ok = est.Where(double.IsFinite).OrderBy(x => x).ToArray();
        if (ok.Length < 20) return (new Interval(double.NaN, double.NaN), ok.Length);
        return (new Interval(OrderStatistics.Quantile(ok, 0.025), OrderStatistics.Quantile(ok, 0.975)), ok.Length);
    }

    /// <summary>
    /// Seed of resample <paramref name="rep"/>: SplitMix64 (Steele, Lea &amp; Flood 2014, OOPSLA) of
    /// (<paramref name="seed"/> &lt;&lt; 32 | <paramref name="rep"/>), low 31 bits. Fixed arithmetic, so the same seed gives
    /// the same resamples in every process, on every thread schedule (<see cref="HashCode"/> is randomised per process
    /// and must not be used here).
    /// </summary>
    public static int ResampleSeed(int seed, int rep)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)rep) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
