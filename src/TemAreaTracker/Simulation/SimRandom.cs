using MathNet.Numerics;

namespace TemAreaTracker.Simulation;

/// <summary>
/// Seeded random numbers for the simulator: xoshiro256** (Blackman and Vigna 2018) seeded through SplitMix64.
/// Our own generator, so the same seed gives the same movie on every .NET version and machine
/// (System.Random's seeded sequence is not a documented contract). Each concern (layout, drift, noise of frame k, …)
/// gets its own stream, so changing one knob does not reshuffle the others.
/// </summary>
internal sealed class SimRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareNormal;

    /// <summary>A generator for stream <paramref name="stream"/> of seed <paramref name="seed"/>.</summary>
    public SimRandom(long seed, ulong stream = 0)
    {
        ulong x = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (stream + 1) * 0xD1B54A32D192ED03UL);
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = unchecked(x += 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = unchecked(RotL(_s1 * 5, 7) * 9);
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t; _s3 = RotL(_s3, 45);
        return result;
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Standard normal (Marsaglia polar method).</summary>
    public double NextNormal()
    {
        if (_spareNormal is double s) { _spareNormal = null; return s; }
        double u, v, q;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            q = u * u + v * v;
        } while (q >= 1 || q == 0);
        double m = Math.Sqrt(-2 * Math.Log(q) / q);
        _spareNormal = v * m;
        return u * m;
    }

    /// <summary>
    /// Poisson variate of mean <paramref name="lambda"/>: multiplication method below 10, else the transformed
    /// rejection method PTRS (Hörmann 1993, <i>Insurance: Math. Econ.</i> 12, 39-45).
    /// </summary>
    public double NextPoisson(double lambda)
    {
        if (!(lambda > 0)) return 0;
        if (lambda < 10)
        {
            double l = Math.Exp(-lambda), p = 1;
            int k = 0;
            do { k++; p *= NextDouble(); } while (p > l);
            return k - 1;
        }
        double slam = Math.Sqrt(lambda), loglam = Math.Log(lambda);
        double b = 0.931 + 2.53 * slam;
        double a = -0.059 + 0.02483 * b;
        double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = NextDouble() - 0.5;
            double v = NextDouble();
            double us = 0.5 - Math.Abs(u);
            double k = Math.Floor((2 * a / us + b) * u + lambda + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.Log(v) + Math.Log(invAlpha) - Math.Log(a / (us * us) + b) <= -lambda + k * loglam - SpecialFunctions.GammaLn(k + 1))
                return k;
        }
    }
}
