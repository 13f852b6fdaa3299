using TemAreaTracker.Physics;

namespace TemAreaTracker.Simulation;

/// <summary>How the particles of a <see cref="ParticleFields.Field"/> scene are arranged.</summary>
public enum FieldLayout
{
    /// <summary>Separate particles, a few px or more apart; some cut by the frame edge.</summary>
    Isolated,
    /// <summary>Branched clusters of 2-6 touching particles (some overlapping a little in projection).</summary>
    Clusters,
    /// <summary>Chains of 3-6 touching particles.</summary>
    Chains,
    /// <summary>The electrolyte body at one frame edge, a cluster grown from it, further particles touching it, a few free ones.</summary>
    Electrolyte,
    /// <summary>A crowded field: touching and overlapping (centre distance down to 0.8 (R1 + R2)) particles covering ~40 % of the frame.</summary>
    Dense,
}

/// <summary>
/// One-frame scenes of many pristine particles for particle detection (<c>track --auto</c>): the layouts a detector
/// meets (isolated, clusters, chains, at the electrolyte, crowded), with every size, position and electrolyte shape
/// drawn from the seed. Adjust the image formation with <c>with</c> (dose, blur, texture, Bragg, inversion, bit depth).
/// </summary>
/// <remarks>
/// Particles are spheres of radius <c>minRadiusPx</c>..<c>maxRadiusPx</c> (uniform in radius), 70 % of them
/// crystalline (Bragg patches). Touching particles are tangent or overlap in projection by up to 10 % of the sum of
/// their radii (the projection of touching spheres at different heights). The electrolyte (in
/// <see cref="FieldLayout.Electrolyte"/>, or in any layout when <c>electrolyteEdge</c> is given) enters from one
/// edge, its depth 8-25 % of the frame across that edge, its boundary wavy by 2-12 px over 90-300 px.
/// </remarks>
public static class ParticleFields
{
    /// <summary>A one-frame scene; truth from <see cref="GroundTruth.Compute"/> (frame 0: every particle unswollen).</summary>
    /// <param name="seed">Seed of the layout and of the image (noise, texture).</param>
    /// <param name="layout">Arrangement of the particles.</param>
    /// <param name="width">Frame width in px.</param>
    /// <param name="height">Frame height in px.</param>
    /// <param name="minRadiusPx">Smallest particle radius in px.</param>
    /// <param name="maxRadiusPx">Largest particle radius in px.</param>
    /// <param name="electrolyteEdge">Edge the electrolyte enters from; null = none, except in
    /// <see cref="FieldLayout.Electrolyte"/>, where the seed picks the edge.</param>
    /// <param name="pixelSizeNm">Pixel size in nm (sets the particles' contrast: optical depth 2R/λ).</param>
    public static SimulationScenario Field(int seed, FieldLayout layout, int width = 320, int height = 256,
        double minRadiusPx = 10, double maxRadiusPx = 30, FrameEdge? electrolyteEdge = null, double pixelSizeNm = 1.5)
    {
        if (!(minRadiusPx > 0 && maxRadiusPx >= minRadiusPx))
            throw new ArgumentException($"radii {minRadiusPx}..{maxRadiusPx} px: need 0 < min ≤ max", nameof(minRadiusPx));
        var rnd = new SimRandom(seed, 40 + (ulong)layout);
        ElectrolyteBody? el = null;
        if (layout == FieldLayout.Electrolyte || electrolyteEdge is not null)
        {
            var edge = electrolyteEdge ?? (FrameEdge)(int)(rnd.NextDouble() * 3.999);
            el = RandomElectrolyte(rnd, edge, width, height);
        }
        var placer = new Placer(rnd, width, height, el, minRadiusPx, maxRadiusPx);
        switch (layout)
        {
            case FieldLayout.Isolated: placer.Isolated(0.12); break;
            case FieldLayout.Clusters: placer.Groups(chain: false, 0.22); break;
            case FieldLayout.Chains: placer.Groups(chain: true, 0.2); break;
            case FieldLayout.Electrolyte: placer.AtElectrolyte(); break;
            case FieldLayout.Dense: placer.Dense(0.4); break;
        }
        var kinetics = new LithiationKinetics(500, 100, OnsetS: 1e6, MaxFraction: 1);
        var particles = placer.Placed.Select((p, i) => new SimulatedParticle($"p{i + 1}", p.X, p.Y, p.R * pixelSizeNm, kinetics)
        {
            Crystalline = p.Crystalline,
        }).ToArray();
        return new SimulationScenario
        {
            Name = $"field-{layout.ToString().ToLowerInvariant()}",
            Width = width, Height = height, Frames = 1, PixelSizeNm = pixelSizeNm, FrameIntervalS = 1,
            Particles = particles,
            Electrolyte = el,
            Seed = seed,
        };
    }

    private static ElectrolyteBody RandomElectrolyte(SimRandom rnd, FrameEdge edge, int width, int height)
    {
        int across = edge is FrameEdge.Left or FrameEdge.Right ? width : height;
        return new ElectrolyteBody(edge, DepthPx: across * rnd.Uniform(0.08, 0.25))
        {
            WavinessPx = rnd.Uniform(2, 12),
            WavinessPeriodPx = rnd.Uniform(90, 300),
            Phase1 = rnd.Uniform(0, 2 * Math.PI),
            Phase2 = rnd.Uniform(0, 2 * Math.PI),
            OpticalDepth = rnd.Uniform(1.2, 3),
            RimWidthPx = rnd.Uniform(6, 20),
        };
    }

    private sealed record Disc(double X, double Y, double R, bool Crystalline);

    private sealed class Placer(SimRandom rnd, int width, int height, ElectrolyteBody? el, double rMin, double rMax)
    {
        public List<Disc> Placed { get; } = [];

        private double Radius() => rnd.Uniform(rMin, rMax);
        private bool Crystalline() => rnd.NextDouble() < 0.7;
        private double Covered => Placed.Sum(d => Math.PI * d.R * d.R) / (width * (double)height);

        /// <summary>Depth of (x, y) inside the electrolyte boundary in px (positive inside), or −∞ without one.</summary>
        private double ElectrolyteDepth(double x, double y)
        {
            if (el is null) return double.NegativeInfinity;
            var (u, s) = ToEdge(x, y);
            return el.BoundaryPx(s) - u;
        }

        /// <summary>(across, along) of camera point (x, y) for the electrolyte's edge, as the renderer measures them.</summary>
        private (double U, double S) ToEdge(double x, double y) => el!.Edge switch
        {
            FrameEdge.Left => (x, y),
            FrameEdge.Right => (width - 1 - x, y),
            FrameEdge.Top => (y, x),
            _ => (height - 1 - y, x),
        };

        private (double X, double Y) FromEdge(double u, double s) => el!.Edge switch
        {
            FrameEdge.Left => (u, s),
            FrameEdge.Right => (width - 1 - u, s),
            FrameEdge.Top => (s, u),
            _ => (s, height - 1 - u),
        };

        /// <summary>Nearest distance from the disc's rim to the electrolyte boundary (positive = clear of it), px.</summary>
        private double ClearanceFromElectrolyte(double x, double y, double r)
        {
            if (el is null) return double.PositiveInfinity;
            double worst = double.PositiveInfinity;
            for (int k = 0; k < 48; k++)
            {
                double a = 2 * Math.PI * k / 48;
                worst = Math.Min(worst, -ElectrolyteDepth(x + r * Math.Cos(a), y + r * Math.Sin(a)));
            }
            return worst;
        }

        /// <summary>At least <paramref name="gap"/> px from every placed disc but <paramref name="except"/>, and <paramref name="elGap"/> px clear of the electrolyte.</summary>
        private bool Free(double x, double y, double r, double gap, int except = -1, double elGap = 3)
        {
            if (ClearanceFromElectrolyte(x, y, r) < elGap) return false;
            for (int i = 0; i < Placed.Count; i++)
            {
                if (i == except) continue;
                var d = Placed[i];
                if (Math.Sqrt((d.X - x) * (d.X - x) + (d.Y - y) * (d.Y - y)) < d.R + r + gap) return false;
            }
            return true;
        }

        private bool InFrame(double x, double y, double r, double margin) =>
            x - r >= margin && y - r >= margin && x + r <= width - 1 - margin && y + r <= height - 1 - margin;

        public void Isolated(double coverage)
        {
            for (int tries = 0; tries < 4000 && Covered < coverage; tries++)
            {
                double r = Radius();
                // Centres anywhere a little beyond the frame too: some particles are cut by its edge.
                double x = rnd.Uniform(-0.3 * r, width - 1 + 0.3 * r), y = rnd.Uniform(-0.3 * r, height - 1 + 0.3 * r);
                if (Free(x, y, r, gap: Math.Max(4, 0.3 * r))) Placed.Add(new Disc(x, y, r, Crystalline()));
            }
        }

        /// <summary>A particle touching disc <paramref name="parent"/>: tangent, or overlapping it by up to 10 % of R1 + R2.</summary>
        private bool TryGrow(int parent, double direction, double spread, out Disc disc)
        {
            var p = Placed[parent];
            double r = Radius();
            double a = direction + rnd.Uniform(-spread, spread);
            double dist = (p.R + r) * (rnd.NextDouble() < 0.5 ? 1 : rnd.Uniform(0.9, 1));
            double x = p.X + dist * Math.Cos(a), y = p.Y + dist * Math.Sin(a);
            disc = new Disc(x, y, r, Crystalline());
            return InFrame(x, y, r, 2) && Free(x, y, r, gap: 1, except: parent);
        }

        /// <summary>Clusters (or chains) of 2-6 touching particles, a clear gap between groups.</summary>
        public void Groups(bool chain, double coverage)
        {
            for (int attempt = 0; attempt < 200 && Covered < coverage; attempt++)
            {
                double r = Radius();
                double x = rnd.Uniform(r + 2, width - 3 - r), y = rnd.Uniform(r + 2, height - 3 - r);
                if (!Free(x, y, r, gap: 2.5 * rMax)) continue;
                int first = Placed.Count;
                Placed.Add(new Disc(x, y, r, Crystalline()));
                int size = chain ? 3 + (int)(rnd.NextDouble() * 3.999) : 2 + (int)(rnd.NextDouble() * 4.999);
                double heading = rnd.Uniform(0, 2 * Math.PI);
                for (int tries = 0; tries < 60 && Placed.Count - first < size; tries++)
                {
                    int parent = chain ? Placed.Count - 1 : first + (int)(rnd.NextDouble() * (Placed.Count - first));
                    double dir = chain ? heading : rnd.Uniform(0, 2 * Math.PI);
                    if (!TryGrow(parent, dir, chain ? 0.6 : 0.2, out var d)) continue;
                    // Keep the group clear of the other groups.
                    bool clear = true;
                    for (int i = 0; i < first && clear; i++)
                        clear = Math.Sqrt((Placed[i].X - d.X) * (Placed[i].X - d.X) + (Placed[i].Y - d.Y) * (Placed[i].Y - d.Y)) >= Placed[i].R + d.R + 6;
                    if (!clear) continue;
                    Placed.Add(d);
                    if (chain) heading = Math.Atan2(d.Y - Placed[parent].Y, d.X - Placed[parent].X);
                }
            }
        }

        /// <summary>A particle at position <paramref name="s"/> along the electrolyte, pushed against its boundary (rim gap ≈ 0).</summary>
        private Disc? TouchingElectrolyte(double s, double r)
        {
            // March in from deep inside the frame toward the body until the rim meets the boundary.
            int across = el!.Edge is FrameEdge.Left or FrameEdge.Right ? width : height;
            for (double u = across - r - 2; u > 0; u -= 0.25)
            {
                var (x, y) = FromEdge(u, s);
                double c = ClearanceFromElectrolyte(x, y, r);
                if (c <= 0.2) return new Disc(x, y, r, Crystalline());
            }
            return null;
        }

        public void AtElectrolyte()
        {
            int along = el!.Edge is FrameEdge.Left or FrameEdge.Right ? height : width;
            // 2-4 particles touching the body, the first one the root of a cluster growing away from it.
            int touching = 2 + (int)(rnd.NextDouble() * 2.999);
            for (int k = 0, tries = 0; k < touching && tries < 100; tries++)
            {
                double r = Radius();
                double s = rnd.Uniform(r + 3, along - 4 - r);
                if (TouchingElectrolyte(s, r) is not Disc d || !InFrame(d.X, d.Y, d.R, 2)) continue;
                if (!Free(d.X, d.Y, d.R, gap: k == 0 ? 3 * rMax : 2, elGap: -1)) continue;
                Placed.Add(d);
                if (k == 0)
                {
                    // Away from the body: the inward normal of its edge.
                    var (ix, iy) = FromEdge(1, 0);
                    var (ox, oy) = FromEdge(0, 0);
                    double away = Math.Atan2(iy - oy, ix - ox);
                    int size = 3 + (int)(rnd.NextDouble() * 3.999);
                    for (int t = 0; t < 80 && Placed.Count < size; t++)
                    {
                        int parent = (int)(rnd.NextDouble() * Placed.Count);
                        if (TryGrow(parent, away, 1.2, out var g)) Placed.Add(g);
                    }
                }
                k++;
            }
            // A few free particles elsewhere.
            int before = Placed.Count;
            for (int tries = 0; tries < 400 && Placed.Count - before < 3; tries++)
            {
                double r = Radius();
                double x = rnd.Uniform(r + 2, width - 3 - r), y = rnd.Uniform(r + 2, height - 3 - r);
                if (Free(x, y, r, gap: Math.Max(6, 0.4 * r), elGap: 6)) Placed.Add(new Disc(x, y, r, Crystalline()));
            }
        }

        public void Dense(double coverage)
        {
            for (int tries = 0; tries < 20000 && Covered < coverage; tries++)
            {
                double r = Radius();
                double x = rnd.Uniform(-0.3 * r, width - 1 + 0.3 * r), y = rnd.Uniform(-0.3 * r, height - 1 + 0.3 * r);
                bool ok = ClearanceFromElectrolyte(x, y, r) >= 1;
                for (int i = 0; i < Placed.Count && ok; i++)
                {
                    var d = Placed[i];
                    double dist = Math.Sqrt((d.X - x) * (d.X - x) + (d.Y - y) * (d.Y - y));
                    ok = dist >= 0.8 * (d.R + r) && dist >= Math.Max(d.R, r) + 0.3 * Math.Min(d.R, r);
                }
                if (ok) Placed.Add(new Disc(x, y, r, Crystalline()));
            }
        }
    }
}
