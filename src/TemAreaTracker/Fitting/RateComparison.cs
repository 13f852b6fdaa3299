namespace TemAreaTracker.Fitting;

/// <summary>One particle's D with its 95 % interval (cm²/s), as read from a fit.</summary>
public sealed record ParticleRate(string Particle, double DCm2PerS, Interval Ci95Cm2PerS);

/// <summary>A condition's D: the geometric mean of its particles' D (mean of log10 D) with a 95 % interval.</summary>
/// <param name="Label">Condition name (e.g. chemical).</param>
/// <param name="DCm2PerS">10^(mean log10 D).</param>
/// <param name="Ci95Cm2PerS">95 % interval of that mean.</param>
/// <param name="Particles">The particles' rates.</param>
/// <param name="Log10StdErr">Standard error of the mean of log10 D.</param>
/// <param name="DegreesOfFreedom">Degrees of freedom of that standard error (∞ when it comes from the particles' own intervals).</param>
public sealed record ConditionRate(string Label, double DCm2PerS, Interval Ci95Cm2PerS, IReadOnlyList<ParticleRate> Particles, double Log10StdErr, double DegreesOfFreedom);

/// <summary>D_A/D_B with its 95 % interval.</summary>
public sealed record RateComparison(ConditionRate A, ConditionRate B, double Ratio, Interval RatioCi95);

/// <summary>
/// Compares lithium diffusivity between two conditions (e.g. chemical vs electrochemical lithiation; the paper's Figure 4).
/// </summary>
/// <remarks>
/// D spans decades and its intervals are asymmetric, so everything is done on log10 D. A condition's standard error is
/// the larger of the between-particle one (sd/√n, Student t with n − 1 degrees of freedom: it includes real
/// particle-to-particle spread) and the one propagated from each particle's own interval (half-width/1.96, combined as
/// √Σse²/n), so that neither two lucky particles nor one noisy particle make the interval too narrow. The ratio's
/// interval uses the Welch–Satterthwaite degrees of freedom.
/// </remarks>
internal static class RateComparer
{
    private const double Z95 = 1.959963984540054;

    /// <summary>Summarises one condition.</summary>
    /// <exception cref="ArgumentException">No particles, or a non-positive D.</exception>
    public static ConditionRate Summarize(string label, IReadOnlyList<ParticleRate> particles)
    {
        if (particles.Count == 0) throw new ArgumentException($"condition {label}: no particle has a D");
        foreach (var p in particles)
            if (!(p.DCm2PerS > 0)) throw new ArgumentException($"condition {label}: particle {p.Particle} has D = {p.DCm2PerS} cm²/s");
        int n = particles.Count;
        var logs = particles.Select(p => Math.Log10(p.DCm2PerS)).ToArray();
        double mean = logs.Average();
        double within = Math.Sqrt(particles.Sum(p => Math.Pow(OwnSe(p), 2))) / n;
        double between = n > 1 ? Math.Sqrt(logs.Sum(x => (x - mean) * (x - mean)) / (n - 1)) / Math.Sqrt(n) : double.NaN;
        (double se, double df) = n > 1 && between >= within ? (between, n - 1.0) : (within, double.PositiveInfinity);
        double q = StudentQuantile975(df);
        var ci = new Interval(Math.Pow(10, mean - q * se), Math.Pow(10, mean + q * se));
        return new ConditionRate(label, Math.Pow(10, mean), ci, particles, se, df);
    }

    /// <summary>D_A/D_B from the particles' fits of two conditions (fits without a D, e.g. interface, are left out).</summary>
    public static RateComparison CompareRates(IReadOnlyList<DiffusionFit> a, IReadOnlyList<DiffusionFit> b,
        string labelA = "chemical", string labelB = "electrochemical")
    {
        static List<ParticleRate> Rates(IReadOnlyList<DiffusionFit> fits) => fits.Where(f => f.DiffusivityNm2PerS > 0)
            .Select(f => new ParticleRate(f.Particle, f.DiffusivityCm2PerS, f.Ci95Cm2PerS)).ToList();
        return Compare(Summarize(labelA, Rates(a)), Summarize(labelB, Rates(b)));
    }

    /// <summary>D_A/D_B and its 95 % interval.</summary>
    public static RateComparison Compare(ConditionRate a, ConditionRate b)
    {
        double diff = Math.Log10(a.DCm2PerS) - Math.Log10(b.DCm2PerS);
        double va = a.Log10StdErr * a.Log10StdErr, vb = b.Log10StdErr * b.Log10StdErr;
        double se = Math.Sqrt(va + vb);
        double df = (va + vb) * (va + vb) / (Term(va, a.DegreesOfFreedom) + Term(vb, b.DegreesOfFreedom));
        double q = StudentQuantile975(df);
        return new RateComparison(a, b, Math.Pow(10, diff), new Interval(Math.Pow(10, diff - q * se), Math.Pow(10, diff + q * se)));
    }

    private static double Term(double v, double df) => double.IsPositiveInfinity(df) ? 0 : v * v / df;

    /// <summary>A particle's own standard error of log10 D from its 95 % interval (the wider half, to be safe).</summary>
    private static double OwnSe(ParticleRate p)
    {
        double l = Math.Log10(p.DCm2PerS);
        var ci = p.Ci95Cm2PerS;
        if (!(ci.Lo > 0) || !double.IsFinite(ci.Hi)) return 1.0; // open interval: a decade of uncertainty
        return Math.Max(l - Math.Log10(ci.Lo), Math.Log10(ci.Hi) - l) / Z95;
    }

    private static double StudentQuantile975(double df) =>
        double.IsFinite(df) && df > 0 ? MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, df, 0.975) : Z95;
}
