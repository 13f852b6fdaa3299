using TemAreaTracker.Physics;

namespace TemAreaTracker.Tests.Fitting;

/// <summary>Seeded area curves from the forward model with known truth (trackpy's artificial.py in spirit).</summary>
internal static class SyntheticCurves
{
    public sealed record Truth(double DNm2PerS, double LNm, double OnsetS, double MaxFraction, double RelNoise);

    /// <summary>
    /// A Crank-sphere curve of a particle of radius L (A0 = π L²) with relative Gaussian area noise; frames run from
    /// 0 to t0 + 2.5 × t90 so the rise and the plateau are both covered.
    /// </summary>
    public static (AreaSeries Series, Truth Truth) Sphere(int seed, int frames = 80, double? dCm2PerS = null, double? lNm = null,
        double? relNoise = null, double beta = 3.75, string particle = "P1")
    {
        var rng = new Random(seed);
        double dCm2 = dCm2PerS ?? Math.Pow(10, -13 + 2 * rng.NextDouble());
        double l = lNm ?? 30 * Math.Pow(10, rng.NextDouble());
        double noise = relNoise ?? 0.01 + 0.02 * rng.NextDouble();
        double fMax = 0.8 + 0.2 * rng.NextDouble();
        double d = dCm2 / 1e-14;
        double t90 = 0.183 * l * l / d;
        double t0 = (0.15 + 0.2 * rng.NextDouble()) * t90;
        double tEnd = t0 + 2.5 * t90;
        double a0 = Math.PI * l * l;
        var k = new LithiationKinetics(d, l, t0, fMax);
        var t = new double[frames];
        var a = new double[frames];
        for (int i = 0; i < frames; i++)
        {
            t[i] = tEnd * i / (frames - 1);
            double clean = a0 * SiliconSwelling.AreaRatio(k.Fraction(t[i]), beta);
            a[i] = clean * (1 + noise * Gauss(rng));
        }
        return (new AreaSeries(particle, t, a), new Truth(d, l, t0, fMax, noise));
    }

    /// <summary>Areas A0·AreaRatio(f(t)) at <paramref name="timeS"/> with relative Gaussian noise (optionally AR(1)-correlated).</summary>
    public static AreaSeries FromFraction(Func<double, double> fraction, double a0Nm2, double[] timeS, double relNoise, int seed,
        double beta = 3.75, string particle = "P1", double ar1 = 0)
    {
        var rng = new Random(seed);
        var a = new double[timeS.Length];
        double e = 0;
        for (int i = 0; i < timeS.Length; i++)
        {
            e = ar1 * e + Math.Sqrt(1 - ar1 * ar1) * Gauss(rng);
            a[i] = a0Nm2 * SiliconSwelling.AreaRatio(fraction(timeS[i]), beta) * (1 + relNoise * e);
        }
        return new AreaSeries(particle, timeS, a);
    }

    public static double[] Times(int frames, double endS) => Enumerable.Range(0, frames).Select(i => endS * i / (frames - 1)).ToArray();

    public static double Gauss(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
