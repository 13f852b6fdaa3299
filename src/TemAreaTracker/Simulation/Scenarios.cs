using TemAreaTracker.Physics;

namespace TemAreaTracker.Simulation;

/// <summary>
/// Named scenarios after the paper's figures, plus a simple one for tests. Every preset is a pure function of its
/// arguments (same seed → same scenario), and each returns a plain <see cref="SimulationScenario"/> to adjust with <c>with</c>.
/// </summary>
/// <remarks>
/// Diffusion lengths in a cluster: lithium enters particle p1 at its contact with the electrolyte and reaches the
/// others through the particle network. L of a particle is the path from the electrolyte contact, through the centres
/// of the particles on the way, to the particle's far side (so L = 2 R0 for a particle touching the electrolyte,
/// 2 R1 + 2 R2 for its neighbour, …). Its onset is delayed by the time the front needs to reach its entry neck,
/// t0 = t0(p1) + 0.0306 s² / D (0.0306 = τ of half uptake), s = L − 2 R0 the path to that neck.
/// </remarks>
public static class Scenarios
{
    /// <summary>Names accepted by <see cref="ByName"/> (the CLI's --scenario values).</summary>
    public static IReadOnlyList<string> Names { get; } = ["electrochemical-cluster", "redistribution", "chemical", "electrochemical", "isolated"];

    /// <summary>A preset by its CLI name; null arguments keep the preset's own frame count and size.</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    public static SimulationScenario ByName(string name, int seed, int? frames = null, int? width = null, int? height = null) => name switch
    {
        "electrochemical-cluster" => ElectrochemicalCluster(seed, frames ?? 80, width ?? 288, height ?? 256),
        "redistribution" => RedistributionAfterContactLoss(seed, frames ?? 100, width ?? 320, height ?? 256),
        "chemical" => ChemicalElectrochemicalPair(seed, frames: frames ?? 70, width: width ?? 256, height: height ?? 256).Chemical,
        "electrochemical" => ChemicalElectrochemicalPair(seed, frames: frames ?? 70, width: width ?? 256, height: height ?? 256).Electrochemical,
        "isolated" => IsolatedSphere(seed, frames: frames ?? 40, width: width ?? 240, height: height ?? 180),
        _ => throw new ArgumentException($"unknown scenario '{name}'; use one of: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>
    /// One pristine c-Si sphere in the middle of a non-square frame, no electrolyte in view, lithiating from its whole
    /// surface (L = R0): the textbook Crank sphere. Frame interval chosen so τ = D t / R0² reaches 0.3 at the end.
    /// </summary>
    public static SimulationScenario IsolatedSphere(int seed, double r0Nm = 45, double diffusivityCm2PerS = 5e-12,
        int frames = 40, int width = 240, int height = 180, double pixelSizeNm = 1.5)
    {
        double d = diffusivityCm2PerS * 1e14;
        double dt = NiceInterval(0.3 * r0Nm * r0Nm / d / Math.Max(1, frames - 3));
        var k = new LithiationKinetics(d, r0Nm, OnsetS: 2 * dt, MaxFraction: 1.0);
        return new SimulationScenario
        {
            Name = "isolated",
            Width = width, Height = height, Frames = frames, PixelSizeNm = pixelSizeNm, FrameIntervalS = dt,
            Particles = [new SimulatedParticle("p1", (width - 1) / 2.0 + 0.3, (height - 1) / 2.0 - 0.2, r0Nm, k)],
            Seed = seed,
        };
    }

    /// <summary>
    /// Figure 2: a cluster of five Si particles touching the electrolyte at the left edge, lithiated electrochemically
    /// (D = 5e-12 cm²/s); the particle at the contact swells first, those further along the network later and slower.
    /// Bias switched on at frame 4. Outlined: every particle, and the whole cluster as "cluster".
    /// </summary>
    public static SimulationScenario ElectrochemicalCluster(int seed, int frames = 80, int width = 288, int height = 256)
    {
        var rnd = new SimRandom(seed, 10);
        const double PixelNm = 1.5, D = 500;
        var el = MakeElectrolyte(rnd, FrameEdge.Left, width, height);
        var layout = GrowCluster(rnd, el, width, height, count: 5, maxHops: 3, rMinPx: 15, rMaxPx: 22, chain: false);
        double l1 = layout[0].PathToFarSidePx * PixelNm;
        // p1 reaches τ = 0.5 by the last frame: its rise spans the movie, the far particles are caught mid-way.
        double dt = NiceInterval(0.5 * l1 * l1 / D / Math.Max(1, frames - 5));
        double t0 = 4 * dt;
        var particles = layout.Select((p, i) => new SimulatedParticle($"p{i + 1}", p.X, p.Y, p.RPx * PixelNm,
            NetworkKinetics(p, PixelNm, D, t0, fMax: 0.85 + 0.15 * rnd.NextDouble()))
            { AnchorPx = p.Parent < 0 ? Anchor(el, p) : null }).ToList();
        return new SimulationScenario
        {
            Name = "electrochemical-cluster",
            Width = width, Height = height, Frames = frames, PixelSizeNm = PixelNm, FrameIntervalS = dt,
            Particles = particles,
            Clusters = [new ParticleCluster("cluster", particles.Select(p => p.Name).ToArray())],
            Electrolyte = el,
            Seed = seed,
        };
    }

    /// <summary>
    /// Figure 3: a chain of three particles lithiates from the electrolyte (D = 1e-12 cm²/s) until contact is lost at
    /// 30 % of the movie (the electrolyte pulls back 10 px); then lithium redistributes toward a common level
    /// (V0-weighted mean of the fractions at contact loss, so total volume is conserved): the lithium-rich particle at
    /// the former contact contracts while the poorer ones swell. Redistribution D: 2e-12 cm²/s over the chain's
    /// length L_c, i.e. each particle relaxes with D_i = D_r (L_i / L_c)², which keeps lithium exactly conserved.
    /// </summary>
    public static SimulationScenario RedistributionAfterContactLoss(int seed, int frames = 100, int width = 320, int height = 256)
    {
        var rnd = new SimRandom(seed, 20);
        const double PixelNm = 1.5, D = 100, Dr = 200;
        var el = MakeElectrolyte(rnd, FrameEdge.Left, width, height);
        var layout = GrowCluster(rnd, el, width, height, count: 3, maxHops: 2, rMinPx: 18, rMaxPx: 24, chain: true);
        double l1 = layout[0].PathToFarSidePx * PixelNm;
        double lc = layout.Max(p => p.PathToFarSidePx) * PixelNm;
        int lossFrame = (int)(0.3 * frames);
        double dt = NiceInterval(0.3 * l1 * l1 / D / Math.Max(1, lossFrame - 3));
        double t0 = 3 * dt, tc = lossFrame * dt;
        var uptake = layout.Select(p => NetworkKinetics(p, PixelNm, D, t0, fMax: 1.0)).ToList();
        double v0Sum = layout.Sum(p => Math.Pow(p.RPx, 3));
        double fEq = layout.Select((p, i) => Math.Pow(p.RPx, 3) * uptake[i].Fraction(tc)).Sum() / v0Sum;
        var particles = layout.Select((p, i) =>
        {
            var k = uptake[i] with
            {
                ContactLossS = tc,
                EquilibriumFraction = fEq,
                RedistributionDiffusivityNm2PerS = Dr * Math.Pow(uptake[i].DiffusionLengthNm / lc, 2),
            };
            return new SimulatedParticle($"p{i + 1}", p.X, p.Y, p.RPx * PixelNm, k) { AnchorPx = p.Parent < 0 ? Anchor(el, p) : null };
        }).ToList();
        return new SimulationScenario
        {
            Name = "redistribution",
            Width = width, Height = height, Frames = frames, PixelSizeNm = PixelNm, FrameIntervalS = dt,
            Particles = particles,
            Clusters = [new ParticleCluster("cluster", particles.Select(p => p.Name).ToArray())],
            Electrolyte = el with { RetreatPx = 10, RetreatStartS = tc },
            OutlinedNames = particles.Select(p => p.Name).ToArray(),
            Seed = seed,
        };
    }

    /// <summary>
    /// Figure 4: the same two particles touching the electrolyte, lithiated chemically (D = 3.3e-12 cm²/s) and
    /// electrochemically (5e-12 cm²/s; ratio 0.66), same frame interval, different noise (the electrochemical movie's <see cref="SimulationScenario.NoiseSeed"/> is seed + 1). The frame interval makes
    /// the electrochemical larger particle reach τ = 0.5 by the end.
    /// </summary>
    public static (SimulationScenario Chemical, SimulationScenario Electrochemical) ChemicalElectrochemicalPair(
        int seed, double chemicalCm2PerS = 3.3e-12, double electrochemicalCm2PerS = 5e-12, int frames = 70, int width = 256, int height = 256)
    {
        var rnd = new SimRandom(seed, 30);
        const double PixelNm = 1.5;
        var el = MakeElectrolyte(rnd, FrameEdge.Left, width, height);
        var layout = new List<Placed>();
        foreach (double yFrac in new[] { 0.3, 0.72 })
        {
            double r = rnd.Uniform(17, 23);
            double y = height * yFrac + rnd.Uniform(-6, 6);
            layout.Add(new Placed(TouchElectrolyteX(el, y, r), y, r, -1, 0));
        }
        double lMax = layout.Max(p => p.PathToFarSidePx) * PixelNm;
        double de = electrochemicalCm2PerS * 1e14, dc = chemicalCm2PerS * 1e14;
        double dt = NiceInterval(0.5 * lMax * lMax / de / Math.Max(1, frames - 5));
        double t0 = 4 * dt;
        SimulationScenario Make(string name, double d, int? noiseSeed) => new()
        {
            Name = name,
            Width = width, Height = height, Frames = frames, PixelSizeNm = PixelNm, FrameIntervalS = dt,
            Particles = layout.Select((p, i) => new SimulatedParticle($"p{i + 1}", p.X, p.Y, p.RPx * PixelNm,
                new LithiationKinetics(d, p.PathToFarSidePx * PixelNm, t0, 0.95)) { AnchorPx = Anchor(el, p) }).ToArray(),
            Electrolyte = el,
            Seed = seed,
            NoiseSeed = noiseSeed,
        };
        return (Make("chemical", dc, null), Make("electrochemical", de, seed + 1));
    }

    // ---- layout helpers -------------------------------------------------------------------------------------

    /// <summary>A placed particle: centre and radius in px, parent in the contact tree (−1 = touches the electrolyte),
    /// and the path in px from the electrolyte contact to its entry neck.</summary>
    private sealed record Placed(double X, double Y, double RPx, int Parent, double PathToNeckPx)
    {
        public double PathToFarSidePx => PathToNeckPx + 2 * RPx;
    }

    private static LithiationKinetics NetworkKinetics(Placed p, double pixelNm, double d, double t0P1, double fMax)
    {
        double sNm = p.PathToNeckPx * pixelNm;
        double onset = t0P1 + 0.0306 * sNm * sNm / d;
        return new LithiationKinetics(d, p.PathToFarSidePx * pixelNm, onset, fMax);
    }

    private static ElectrolyteBody MakeElectrolyte(SimRandom rnd, FrameEdge edge, int width, int height) =>
        new(edge, DepthPx: 0.13 * width + rnd.Uniform(-4, 4))
        {
            WavinessPx = rnd.Uniform(3, 6),
            WavinessPeriodPx = rnd.Uniform(150, 230),
            Phase1 = rnd.Uniform(0, 2 * Math.PI),
            Phase2 = rnd.Uniform(0, 2 * Math.PI),
        };

    /// <summary>x of a disc centre at height y, radius r, so the disc just touches the (left-edge) electrolyte boundary.</summary>
    private static double TouchElectrolyteX(ElectrolyteBody el, double y, double r) => ContactWithElectrolyte(el, y, r).CentreX;

    /// <summary>Centre x of a disc at height y, radius r, just touching the (left-edge) electrolyte, and the contact point.</summary>
    private static (double CentreX, double ContactX, double ContactY) ContactWithElectrolyte(ElectrolyteBody el, double y, double r)
    {
        double x = double.MinValue, cy = y;
        for (int i = -400; i <= 400; i++)
        {
            double yy = y + r * i / 400.0;
            double cand = el.BoundaryPx(yy) + Math.Sqrt(Math.Max(0, r * r - (yy - y) * (yy - y)));
            if (cand > x) { x = cand; cy = yy; }
        }
        // The contact point lies on the disc's rim, in the direction of the touching boundary point.
        double dx = el.BoundaryPx(cy) - x, dy = cy - y, d = Math.Sqrt(dx * dx + dy * dy);
        return (x, x + r * dx / d, y + r * dy / d);
    }

    /// <summary>The particle's contact with the electrolyte as its anchor (it swells away from the body).</summary>
    private static (double X, double Y) Anchor(ElectrolyteBody el, Placed p)
    {
        var c = ContactWithElectrolyte(el, p.Y, p.RPx);
        return (c.ContactX, c.ContactY);
    }

    /// <summary>
    /// Grows a cluster from the electrolyte: p1 touches the boundary, each further particle touches one placed before
    /// (its parent; the previous one when <paramref name="chain"/>), all discs disjoint at t = 0, and every particle
    /// stays in the frame when swollen ×1.6 (plus a drift margin).
    /// </summary>
    private static List<Placed> GrowCluster(SimRandom rnd, ElectrolyteBody el, int width, int height, int count, int maxHops,
        double rMinPx, double rMaxPx, bool chain)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            var list = new List<Placed>();
            var hops = new List<int>();
            double r1 = rnd.Uniform(rMinPx, rMaxPx);
            double y1 = height * rnd.Uniform(0.4, 0.6);
            list.Add(new Placed(TouchElectrolyteX(el, y1, r1), y1, r1, -1, 0));
            hops.Add(0);
            double maxBoundary = Enumerable.Range(0, height).Max(y => el.BoundaryPx(y));
            for (int tries = 0; list.Count < count && tries < 500; tries++)
            {
                int parent = chain ? list.Count - 1 : (int)(rnd.NextDouble() * list.Count);
                if (hops[parent] >= maxHops) continue;
                var pp = list[parent];
                double r = rnd.Uniform(rMinPx, rMaxPx);
                double ang = rnd.Uniform(-1.3, 1.3); // mostly away from the electrolyte (+x)
                double x = pp.X + (pp.RPx + r) * Math.Cos(ang), y = pp.Y + (pp.RPx + r) * Math.Sin(ang);
                double margin = 1.6 * r + 8;
                if (x + margin > width || y - margin < 0 || y + margin > height) continue;
                if (x - r < maxBoundary + 4) continue; // only p1 touches the electrolyte
                bool clash = false;
                for (int i = 0; i < list.Count && !clash; i++)
                {
                    if (i == parent) continue;
                    double dd = Math.Sqrt((list[i].X - x) * (list[i].X - x) + (list[i].Y - y) * (list[i].Y - y));
                    clash = dd < list[i].RPx + r + 1;
                }
                if (clash) continue;
                list.Add(new Placed(x, y, r, parent, pp.PathToNeckPx + 2 * pp.RPx));
                hops.Add(hops[parent] + 1);
            }
            if (list.Count == count) return list;
        }
        throw new InvalidOperationException($"could not place {count} particles in {width}x{height} px");
    }

    /// <summary>Rounds a frame interval to 2 significant digits (cameras run at round intervals).</summary>
    private static double NiceInterval(double s)
    {
        int digits = Math.Clamp(1 - (int)Math.Floor(Math.Log10(s)), 0, 15);
        return Math.Max(Math.Pow(10, -digits), Math.Round(s, digits));
    }
}
