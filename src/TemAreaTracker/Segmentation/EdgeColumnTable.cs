using System.Numerics;
using System.Runtime.CompilerServices;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// The edge column of <see cref="EdgeProfileFit"/> — the rim deficit D(e − sⱼ) at the samples sⱼ = s0 + j·step of
/// a profile window — precomputed for one <see cref="RimProfile"/> and one window (s0, sample count, search range),
/// with everything about it that does not depend on the node's samples.
/// </summary>
/// <remarks>
/// <para>
/// The fit needs, for each candidate edge e, the sums D = Σd, DS = Σd·s, DD = Σd² (e only) and DY = Σd·y (per node).
/// The profile is tabulated at <see cref="RimProfile.StepPx"/> and the samples are an integral number of table steps
/// apart (0.75 px = 24 steps), so every sample of a window sees the same interpolation fraction: with
/// p(e) = i + f the table position of sample 0, dⱼ(e) = (1 − f)·cᵢ[j] + f·cᵢ₊₁[j], where row cᵢ[j] = T[i − 24j]. Hence
/// DY(e) = gᵢ + f·(gᵢ₊₁ − gᵢ) with gᵢ = cᵢ·y, and the e-only sums are interpolated from per-row sums the same way
/// (DD through Σcᵢ², Σcᵢ(cᵢ₊₁ − cᵢ) and Σ(cᵢ₊₁ − cᵢ)²). This is the same arithmetic as interpolating each sample,
/// regrouped: a node costs a few contiguous dot products instead of a table walk per candidate.
/// </para>
/// <para>
/// The rows are shared by every node of an <see cref="ActiveOutline.Refine"/> pass (and cached on the profile for
/// later passes with the same window). Another e-dependent column (another tabulated profile on the same window) fits
/// the same scheme: one table per column, plus the cross sums of their rows.
/// </para>
/// </remarks>
internal sealed class EdgeColumnTable
{
    private readonly double[] _rows;    // row r (table index ILo + r) at r·Stride, Samples values then zero padding
    private readonly double[] _sum;     // Σⱼ cᵣ[j]
    private readonly double[] _sumS;    // Σⱼ cᵣ[j]·sⱼ
    private readonly double[] _sq;      // Σⱼ cᵣ[j]²
    private readonly double[] _cross;   // Σⱼ cᵣ[j]·(cᵣ₊₁[j] − cᵣ[j])
    private readonly double[] _dsq;     // Σⱼ (cᵣ₊₁[j] − cᵣ[j])²

    /// <param name="profile">The rim profile.</param>
    /// <param name="s0">Position of sample 0 along the normal, px (negative: inside).</param>
    /// <param name="samples">Samples in the window, <see cref="EdgeProfileFit.SampleStepPx"/> apart.</param>
    /// <param name="maxOffsetPx">Largest |e| that will be evaluated, px.</param>
    public EdgeColumnTable(RimProfile profile, double s0, int samples, double maxOffsetPx)
    {
        double pStride = EdgeProfileFit.SampleStepPx / RimProfile.StepPx;
        if (pStride != Math.Round(pStride)) throw new InvalidOperationException("sample step must be a whole number of table steps");
        int stride = (int)pStride;
        S0 = s0;
        Samples = samples;
        MaxOffsetPx = maxOffsetPx;
        Profile = profile;
        // Same expression as the per-sample fit, so table positions (and their fractions) are bit for bit the same.
        PBase = (-s0 - profile.XMinPx) * (1 / RimProfile.StepPx);
        int w = Vector<double>.Count;
        Stride = (samples + w - 1) / w * w;
        ILo = (int)Math.Floor(PBase - maxOffsetPx / RimProfile.StepPx) - 1;
        int iHi = (int)Math.Floor(PBase + maxOffsetPx / RimProfile.StepPx) + 2;
        Rows = iHi - ILo + 1;
        var table = profile.Table;
        int last = table.Length - 1;
        _rows = new double[Rows * Stride];
        _sum = new double[Rows]; _sumS = new double[Rows]; _sq = new double[Rows];
        _cross = new double[Rows]; _dsq = new double[Rows];
        for (int r = 0; r < Rows; r++)
        {
            var row = _rows.AsSpan(r * Stride, samples);
            double a = 0, b = 0, c = 0;
            for (int j = 0; j < samples; j++)
            {
                // Outside the table the deficit is its end value (as the per-sample fit clamps).
                double d = table[Math.Clamp(ILo + r - j * stride, 0, last)];
                row[j] = d;
                a += d; b += d * (s0 + j * EdgeProfileFit.SampleStepPx); c += d * d;
            }
            _sum[r] = a; _sumS[r] = b; _sq[r] = c;
        }
        for (int r = 0; r + 1 < Rows; r++)
        {
            var u = _rows.AsSpan(r * Stride, samples);
            var v = _rows.AsSpan((r + 1) * Stride, samples);
            double x = 0, z = 0;
            for (int j = 0; j < samples; j++) { double dv = v[j] - u[j]; x += u[j] * dv; z += dv * dv; }
            _cross[r] = x; _dsq[r] = z;
        }
        double n = samples, S = 0, SS = 0;
        for (int j = 0; j < samples; j++) { double s = s0 + j * EdgeProfileFit.SampleStepPx; S += s; SS += s * s; }
        SumS = S; SumSS = SS;
    }

    /// <summary>The profile the rows come from.</summary>
    public RimProfile Profile { get; }

    /// <summary>Position of sample 0, px.</summary>
    public double S0 { get; }

    /// <summary>Samples per window.</summary>
    public int Samples { get; }

    /// <summary>Largest |e| the table covers, px.</summary>
    public double MaxOffsetPx { get; }

    /// <summary>Table position of sample 0 for an edge at e = 0 (p(e) = PBase + e / StepPx).</summary>
    public double PBase { get; }

    /// <summary>Table index of row 0.</summary>
    public int ILo { get; }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Distance between rows in <see cref="_rows"/> (samples padded to the vector width, zeros after).</summary>
    public int Stride { get; }

    /// <summary>Σ sⱼ and Σ sⱼ² over the window.</summary>
    public double SumS { get; }

    /// <inheritdoc cref="SumS"/>
    public double SumSS { get; }

    /// <summary>Row index and interpolation fraction of an edge at <paramref name="e"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Locate(double e, out double fraction)
    {
        double p = PBase + e * (1 / RimProfile.StepPx);
        int i = (int)p;
        fraction = p - i;
        return i - ILo;
    }

    /// <summary>e-only sums of the edge column at row <paramref name="r"/> and fraction <paramref name="f"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Sums(int r, double f, out double d, out double ds, out double dd)
    {
        d = _sum[r] + f * (_sum[r + 1] - _sum[r]);
        ds = _sumS[r] + f * (_sumS[r + 1] - _sumS[r]);
        dd = _sq[r] + f * (2 * _cross[r] + f * _dsq[r]);
    }

    /// <summary>Row <paramref name="r"/> · <paramref name="v"/> (v padded with zeros to <see cref="Stride"/>).</summary>
    /// <remarks>
    /// A plain vector loop over the padded rows: no length checks or remainder handling, which for rows of a few dozen
    /// samples made TensorPrimitives.Dot a fifth of the whole edge fit (profile --edge: 0.97 → 0.77 µs a node).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Dot(int r, ReadOnlySpan<double> v)
    {
        ref double a = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_rows);
        a = ref Unsafe.Add(ref a, r * Stride);
        ref double b = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(v);
        var acc = Vector<double>.Zero;
        for (int j = 0; j < Stride; j += Vector<double>.Count)
            acc += Vector.LoadUnsafe(ref a, (nuint)j) * Vector.LoadUnsafe(ref b, (nuint)j);
        return Vector.Sum(acc);
    }

    /// <summary>
    /// Rows <paramref name="r"/> and r + 1 · <paramref name="v"/> in one pass over v, each summed exactly as
    /// <see cref="Dot"/> sums it (the same values; v is loaded once for both).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dot2(int r, ReadOnlySpan<double> v, out double first, out double second)
    {
        ref double a = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_rows);
        a = ref Unsafe.Add(ref a, r * Stride);
        ref double a1 = ref Unsafe.Add(ref a, Stride);
        ref double b = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(v);
        Vector<double> acc0 = Vector<double>.Zero, acc1 = Vector<double>.Zero;
        for (int j = 0; j < Stride; j += Vector<double>.Count)
        {
            var y = Vector.LoadUnsafe(ref b, (nuint)j);
            acc0 += Vector.LoadUnsafe(ref a, (nuint)j) * y;
            acc1 += Vector.LoadUnsafe(ref a1, (nuint)j) * y;
        }
        first = Vector.Sum(acc0);
        second = Vector.Sum(acc1);
    }
}
