using TemAreaTracker.Physics;

namespace TemAreaTracker.Simulation;

/// <summary>
/// One Si particle of a simulated movie: a sphere whose centre is fixed in the specimen (or, with
/// <see cref="AnchorPx"/>, whose contact point is) and whose radius follows its lithiation, R(t) = R0 · (V/V0)^(1/3), V/V0 = 1 + (β − 1) f(t), f from <paramref name="Kinetics"/>.
/// </summary>
/// <param name="Name">Name used in truth.json and RoiSet.zip (e.g. "p1").</param>
/// <param name="CentreXPx">Centre x in px of the specimen frame (= camera px of frame 0, before drift).</param>
/// <param name="CentreYPx">Centre y in px (+y down).</param>
/// <param name="R0Nm">Radius before lithiation in nm.</param>
/// <param name="Kinetics">Lithiated fraction against time (D in nm²/s, L in nm, t0 in s, f_max, optional contact loss).</param>
public sealed record SimulatedParticle(string Name, double CentreXPx, double CentreYPx, double R0Nm, LithiationKinetics Kinetics)
{
    /// <summary>Crystalline particles show Bragg (diffraction-contrast) patches that fade as they amorphise.</summary>
    public bool Crystalline { get; init; } = true;

    /// <summary>
    /// A point of the particle's surface that stays put in the specimen, e.g. its contact with the electrolyte
    /// (px, specimen frame), or null for a fixed centre. A particle pressed against a solid body swells away from it:
    /// its centre moves as A + (c0 − A) R(t)/R0, so the contact point stays on its rim and it never grows into the body.
    /// </summary>
    public (double X, double Y)? AnchorPx { get; init; }
}

/// <summary>A named group of particles outlined as one (e.g. "cluster"); its true area is the union of their discs.</summary>
public sealed record ParticleCluster(string Name, IReadOnlyList<string> Members);

/// <summary>Edge of the frame the electrolyte body enters from.</summary>
public enum FrameEdge { Left, Right, Top, Bottom }

/// <summary>
/// The solid electrolyte (LiOx-coated Li metal): a large dark body entering from one edge of the frame. Its boundary
/// lies at depth b(s) = DepthPx + WavinessPx·[sin(2πs/P + φ1) + 0.4 sin(2πs/(0.43P) + φ2)] from that edge, s the
/// coordinate along the edge; its optical depth rises as √ of the distance inside the boundary (like a thick rounded
/// body) over <see cref="RimWidthPx"/> to <see cref="OpticalDepth"/>.
/// </summary>
public sealed record ElectrolyteBody(FrameEdge Edge, double DepthPx)
{
    public double WavinessPx { get; init; } = 5;
    public double WavinessPeriodPx { get; init; } = 180;
    public double Phase1 { get; init; }
    public double Phase2 { get; init; }
    /// <summary>Optical depth (thickness / mean free path) deep inside the body; 2 → 13 % transmission.</summary>
    public double OpticalDepth { get; init; } = 2.0;
    /// <summary>Width in px over which the body's optical depth ramps up from its boundary.</summary>
    public double RimWidthPx { get; init; } = 14;
    /// <summary>How far (px) the boundary retreats after <see cref="RetreatStartS"/> (contact loss), over ~5 frames.</summary>
    public double RetreatPx { get; init; }
    /// <summary>Time in s the retreat starts, or null for a body that stays put.</summary>
    public double? RetreatStartS { get; init; }

    /// <summary>Boundary depth in px from the entry edge at position <paramref name="sPx"/> along it, at time 0.</summary>
    public double BoundaryPx(double sPx) =>
        DepthPx + WavinessPx * (Math.Sin(2 * Math.PI * sPx / WavinessPeriodPx + Phase1)
                                + 0.4 * Math.Sin(2 * Math.PI * sPx / (0.43 * WavinessPeriodPx) + Phase2));
}

/// <summary>
/// Everything that defines a simulated operando TEM movie, in physical units. Presets live in <see cref="Scenarios"/>;
/// adjust one with <c>with</c>, e.g. <c>Scenarios.IsolatedSphere(1) with { DoseElectronsPerPx = 50 }</c>.
/// </summary>
/// <remarks>Frame k is taken at t = k · <see cref="FrameIntervalS"/>. Positions are in px with pixel centres at integers.</remarks>
public sealed record SimulationScenario
{
    /// <summary>Preset name (recorded in truth.json).</summary>
    public string Name { get; init; } = "custom";
    public int Width { get; init; } = 256;
    public int Height { get; init; } = 256;
    public int Frames { get; init; } = 100;
    /// <summary>Pixel edge in nm (square pixels).</summary>
    public double PixelSizeNm { get; init; } = 1.5;
    /// <summary>Time between frames in s.</summary>
    public double FrameIntervalS { get; init; } = 0.5;
    /// <summary>β = V_full/V0 (3.75 for c-Si → Li15Si4).</summary>
    public double ExpansionRatio { get; init; } = SiliconSwelling.Li15Si4ExpansionRatio;

    public IReadOnlyList<SimulatedParticle> Particles { get; init; } = [];
    public IReadOnlyList<ParticleCluster> Clusters { get; init; } = [];
    public ElectrolyteBody? Electrolyte { get; init; }
    /// <summary>Names (particles or clusters) that get a hand-drawn outline in RoiSet.zip; null = every particle and cluster.</summary>
    public IReadOnlyList<string>? OutlinedNames { get; init; }

    // Image formation
    /// <summary>Mass-thickness mean free path of pristine Si in nm (objective-aperture limited, 200 kV). Lithiated
    /// material holds the same Si mass in a volume V/V0 larger, so its mean free path is λ_Si·V/V0: swelling particles lighten.</summary>
    public double SiMeanFreePathNm { get; init; } = 90;
    /// <summary>Extra optical depth of a Bragg patch in a pristine crystalline particle (fades to 0 as f → 0.4).</summary>
    public double BraggStrength { get; init; } = 0.7;
    /// <summary>RMS optical-depth fluctuation of the amorphous-carbon support (0 = none).</summary>
    public double CarbonTextureStrength { get; init; } = 0.04;
    /// <summary>Fractional brightness drop from the illumination centre to the frame corner (0 = flat).</summary>
    public double IlluminationFalloff { get; init; } = 0.12;
    /// <summary>Gaussian point-spread function σ in px (0 = none).</summary>
    public double BlurSigmaPx { get; init; } = 0.9;
    /// <summary>
    /// Defocus (Fresnel) fringe strength a (0 = in focus, no fringe; the presets keep 0): intensity × (1 + a·w²·∇²
    /// of the projected optical depth smoothed over w = <see cref="DefocusFringeWidthPx"/>); a &gt; 0 is underfocus,
    /// a bright fringe outside every rim. Across a hard rim of optical depth t0 the fringe peaks at 0.24·a·t0.
    /// </summary>
    public double DefocusFringeStrength { get; init; }
    /// <summary>Width w in px of the defocus fringe (√(λ|Δf|) in a real microscope).</summary>
    public double DefocusFringeWidthPx { get; init; } = 3;
    /// <summary>Sub-samples per pixel edge near particle and electrolyte rims (≥ 4 keeps the √ rim profile right to sub-pixel).</summary>
    public int Supersampling { get; init; } = 4;
    /// <summary>Electrons per pixel per frame in the unobstructed background (Poisson shot noise); ∞ or ≤ 0 = noise-free.</summary>
    public double DoseElectronsPerPx { get; init; } = 1000;
    /// <summary>Random-walk stage drift: σ of each frame's step in px, per axis.</summary>
    public double DriftStepPx { get; init; } = 0.2;
    /// <summary>Steady stage drift in px per frame (x).</summary>
    public double DriftVelocityXPxPerFrame { get; init; } = 0.05;
    /// <summary>Steady stage drift in px per frame (y).</summary>
    public double DriftVelocityYPxPerFrame { get; init; } = -0.03;
    /// <summary>σ of the frame-to-frame beam brightness flicker (fraction).</summary>
    public double FlickerFraction { get; init; } = 0.02;
    /// <summary>Background grey level as a fraction of full scale.</summary>
    public double BackgroundLevel { get; init; } = 0.6;
    /// <summary>Invert the contrast (particles bright on a dark background).</summary>
    public bool Inverted { get; init; }
    /// <summary>8 or 16.</summary>
    public int BitDepth { get; init; } = 8;
    /// <summary>Burn a scale bar with its label into the bottom-right corner.</summary>
    public bool ScaleBar { get; init; }
    /// <summary>Burn a time stamp into the top-left corner.</summary>
    public bool TimeStamp { get; init; }
    /// <summary>Seed of everything random (texture, drift, flicker, noise, hand outlines).</summary>
    public int Seed { get; init; }
    /// <summary>Seed of the shot noise, drift and flicker only; null = <see cref="Seed"/>. Lets two movies share a
    /// specimen (layout, texture, Bragg patches, outlines) but not their noise.</summary>
    public int? NoiseSeed { get; init; }

    /// <summary>The same scene with no shot noise, blur, defocus fringe, carbon texture, uneven illumination, flicker or drift: for measuring what the renderer draws.</summary>
    public SimulationScenario Idealized() => this with
    {
        DoseElectronsPerPx = double.PositiveInfinity,
        BlurSigmaPx = 0,
        DefocusFringeStrength = 0,
        CarbonTextureStrength = 0,
        IlluminationFalloff = 0,
        FlickerFraction = 0,
        DriftStepPx = 0,
        DriftVelocityXPxPerFrame = 0,
        DriftVelocityYPxPerFrame = 0,
    };

    /// <summary>Checks the knobs; returns one line naming the first bad one, or null when all are usable.</summary>
    public string? Validate()
    {
        if (Width < 16 || Height < 16) return $"frame size {Width}x{Height} px: both must be ≥ 16";
        if (Frames < 1) return $"frames must be ≥ 1 (got {Frames})";
        if (!(PixelSizeNm > 0)) return $"pixel size must be > 0 nm (got {PixelSizeNm})";
        if (!(FrameIntervalS > 0)) return $"frame interval must be > 0 s (got {FrameIntervalS})";
        if (BitDepth is not (8 or 16)) return $"bit depth must be 8 or 16 (got {BitDepth})";
        if (Supersampling < 1 || Supersampling > 32) return $"supersampling must be 1..32 (got {Supersampling})";
        if (BlurSigmaPx < 0) return $"blur σ must be ≥ 0 px (got {BlurSigmaPx})";
        if (!(DefocusFringeWidthPx > 0)) return $"defocus fringe width must be > 0 px (got {DefocusFringeWidthPx})";
        if (!double.IsFinite(DefocusFringeStrength)) return $"defocus fringe strength must be finite (got {DefocusFringeStrength})";
        if (DriftStepPx < 0) return $"drift step must be ≥ 0 px (got {DriftStepPx})";
        if (!(SiMeanFreePathNm > 0)) return $"Si mean free path must be > 0 nm (got {SiMeanFreePathNm})";
        if (!(BackgroundLevel > 0 && BackgroundLevel <= 1)) return $"background level must be in (0, 1] (got {BackgroundLevel})";
        var names = new HashSet<string>();
        foreach (var p in Particles)
        {
            if (!names.Add(p.Name)) return $"name '{p.Name}' used twice";
            if (!(p.R0Nm > 0)) return $"particle {p.Name}: R0 must be > 0 nm (got {p.R0Nm})";
            if (!(p.Kinetics.DiffusionLengthNm > 0)) return $"particle {p.Name}: diffusion length must be > 0 nm";
        }
        foreach (var c in Clusters)
        {
            if (!names.Add(c.Name)) return $"name '{c.Name}' used twice";
            foreach (var m in c.Members)
                if (!Particles.Any(p => p.Name == m)) return $"cluster {c.Name}: no particle named '{m}'";
        }
        if (OutlinedNames is not null)
            foreach (var n in OutlinedNames)
                if (!names.Contains(n)) return $"outlined name '{n}' is neither a particle nor a cluster";
        return null;
    }
}
