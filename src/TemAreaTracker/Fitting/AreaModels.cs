using TemAreaTracker.Physics;

namespace TemAreaTracker.Fitting;

/// <summary>A forward model A(t; p) with its parameter names and typical scales; p[0] is always log10 of the rate (D or v).</summary>
internal abstract class AreaModel
{
    public abstract KineticModel Kind { get; }
    public abstract string[] Names { get; }
    /// <summary>Predicted area (nm²) at each time; false when p is outside the model's domain.</summary>
    public abstract bool Evaluate(double[] p, double[] timeS, double[] areaNm2);
    /// <summary>Diffusion length (or R0) in nm at parameters p.</summary>
    public abstract double LengthNm(double[] p);
}

/// <summary>
/// Uptake with one rate: A = A0 (1 + g S(τ))^{2/3}, τ = k (t − t0)/L^m, g = (β − 1) f_max, A = A0 before t0.
/// p = [log10 k, t0 (s), A0 (nm²), g]; k is D in nm²/s (m = 2) or the front velocity v in nm/s (m = 1).
/// </summary>
internal sealed class SingleRateUptakeModel : AreaModel
{
    private readonly Func<double, double> _shape;
    private readonly int _power;
    private readonly double? _lengthNm;

    public SingleRateUptakeModel(KineticModel kind, double? lengthNm)
    {
        Kind = kind;
        _lengthNm = lengthNm;
        (_shape, _power, string rate) = kind switch
        {
            KineticModel.SphereDiffusion => ((Func<double, double>)CrankSphere.Uptake, 2, "log10_D_nm2_s"),
            KineticModel.CylinderDiffusion => (CylinderDiffusion.Uptake, 2, "log10_D_nm2_s"),
            KineticModel.PlaneDiffusion => (PlaneSheetDiffusion.Uptake, 2, "log10_D_nm2_s"),
            KineticModel.Interface => (ShrinkingCore.InterfaceConversion, 1, "log10_v_nm_s"),
            KineticModel.ShellDiffusion => (ShrinkingCore.ShellDiffusionConversion, 2, "log10_Dstar_nm2_s"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        Names = [rate, "t0_s", "A0_nm2", "uptake_max"];
        TauAt90 = TauAt(0.9);
        TauAtHalf = TauAt(0.5);
    }

    public override KineticModel Kind { get; }
    public override string[] Names { get; }
    /// <summary>Power of L in τ: 2 for a diffusivity, 1 for a velocity.</summary>
    public int LengthPower => _power;
    /// <summary>τ at 90 % of the final uptake (0.183 for the sphere).</summary>
    public double TauAt90 { get; }
    /// <summary>τ at half uptake (0.0306 for the sphere).</summary>
    public double TauAtHalf { get; }
    public double Shape(double tau) => _shape(tau);

    private double TauAt(double level)
    {
        double lo = 0, hi = 100;
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (_shape(mid) < level) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    public override double LengthNm(double[] p) => _lengthNm ?? Math.Sqrt(Math.Max(p[2], 0) / Math.PI);

    public override bool Evaluate(double[] p, double[] timeS, double[] areaNm2)
    {
        double a0 = p[2], g = p[3];
        if (!(a0 > 0) || !(g > -1) || !double.IsFinite(p[0]) || !double.IsFinite(p[1]) || Math.Abs(p[0]) > 30) return false;
        double l = LengthNm(p);
        double c = Math.Pow(10, p[0]) / (_power == 2 ? l * l : l);
        for (int i = 0; i < timeS.Length; i++)
        {
            double v = 1 + g * _shape(c * (timeS[i] - p[1]));
            if (!(v > 0)) return false;
            double r = Math.Cbrt(v);
            areaNm2[i] = a0 * r * r;
        }
        return true;
    }
}

/// <summary>
/// Mixed-control shrinking core: p = [log10 D* (nm²/s), t0, A0, g, log10 k], k = v R0/D* the Damköhler number
/// (0: front-controlled, ∞: shell-diffusion-controlled); X from <see cref="MixedCoreTable"/>, A = A0 (1 + g X)^{2/3}.
/// </summary>
/// <remarks>
/// k rather than v is the fifth parameter so that the two limits are the ends of one axis: in the diffusion limit
/// v runs off to infinity, and with (D*, v) a bound on v would also cut the profile of D* short.
/// </remarks>
internal sealed class MixedCoreModel(double? lengthNm, double expansionRatio) : AreaModel
{
    public override KineticModel Kind => KineticModel.Mixed;
    public override string[] Names { get; } = ["log10_Dstar_nm2_s", "t0_s", "A0_nm2", "uptake_max", "log10_damkohler"];
    public override double LengthNm(double[] p) => lengthNm ?? Math.Sqrt(Math.Max(p[2], 0) / Math.PI);

    /// <summary>Front velocity v = k D*/R0 in nm/s.</summary>
    public double VelocityNmPerS(double[] p) => Math.Pow(10, p[4]) * Math.Pow(10, p[0]) / LengthNm(p);

    public override bool Evaluate(double[] p, double[] timeS, double[] areaNm2)
    {
        double a0 = p[2], g = p[3];
        if (!(a0 > 0) || !(g > -1) || Math.Abs(p[0]) > 30 || !(Math.Abs(p[4]) <= 12) || !double.IsFinite(p[1])) return false;
        double r0 = LengthNm(p), k = Math.Pow(10, p[4]);
        double v = VelocityNmPerS(p);
        var table = new MixedCoreTable(k, Math.Max(1, expansionRatio));
        for (int i = 0; i < timeS.Length; i++)
        {
            double x = table.Conversion(v * (timeS[i] - p[1]) / r0);
            double vol = 1 + g * x;
            if (!(vol > 0)) return false;
            double r = Math.Cbrt(vol);
            areaNm2[i] = a0 * r * r;
        }
        return true;
    }
}

/// <summary>
/// Redistribution after contact loss at t_c: u(t) = u_eq + (u_c − u_eq)(1 − F(D (t − t_c)/L²)), A = A0 (1 + u)^{2/3},
/// u = (β − 1) f. p = [log10 D (nm²/s), u_c, u_eq]; A0, L and t_c fixed.
/// </summary>
internal sealed class RedistributionModel(double a0Nm2, double lengthNm, double contactLossS) : AreaModel
{
    public override KineticModel Kind => KineticModel.Redistribution;
    public override string[] Names { get; } = ["log10_D_nm2_s", "uptake_at_contact_loss", "uptake_equilibrium"];
    public double A0Nm2 => a0Nm2;
    public double ContactLossS => contactLossS;
    public override double LengthNm(double[] p) => lengthNm;

    public override bool Evaluate(double[] p, double[] timeS, double[] areaNm2)
    {
        if (Math.Abs(p[0]) > 30 || !(p[1] > -1) || !(p[2] > -1)) return false;
        double c = Math.Pow(10, p[0]) / (lengthNm * lengthNm);
        for (int i = 0; i < timeS.Length; i++)
        {
            double u = p[2] + (p[1] - p[2]) * (1 - CrankSphere.Uptake(c * (timeS[i] - contactLossS)));
            if (!(u > -1)) return false;
            double r = Math.Cbrt(1 + u);
            areaNm2[i] = a0Nm2 * r * r;
        }
        return true;
    }
}
