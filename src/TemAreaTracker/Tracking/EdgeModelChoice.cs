using TemAreaTracker.Segmentation;

namespace TemAreaTracker.Tracking;

/// <summary>
/// The first frame's choice of edge model for newly started outlines. The PSF σ is chosen jointly for all of them (one
/// microscope, one blur), with one mean free path (one material: particle sizes then tell blur from rim softness); then
/// each particle's own absorption (the shape of its rim profile) at that σ; then a defocus fringe for all of them (one
/// defocus) when the Bayesian information criterion calls for one. Every candidate model is judged by the residual of
/// the rim about the smooth outline it gives (<see cref="RimSamples"/>), on the particle's approached outline
/// (<see cref="ParticleState.Score"/>).
/// </summary>
internal static class EdgeModelChoice
{
    // PSF σ tried on the first frame, px (the best then refined between grid points).
    private static readonly double[] BlurGridPx = [0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0];
    // Mass-thickness mean free path λ in px, from strongly scattering (λ ≪ R: a step) to all but transparent: a
    // sphere of radius R has τ = 2R/λ through its centre. Choosing σ with one λ for all particles (one material)
    // lets their sizes tell blur from rim softness: a small sphere of the same λ has a softer rim, a small blurred
    // one does not.
    private static readonly double[] MeanFreePathGridPx = [0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

    /// <summary>
    /// Fringe widths tried on the first frame, px (√(λ|Δf|): ~2-9 px for the defoci and pixel sizes in use); a
    /// fringe between two of them is modelled with the nearer, which moves the edge by up to ~0.3 px.
    /// </summary>
    private static readonly double[] FringeWidthGridPx = [2, 3, 4.5, 6, 7.5, 9];

    /// <summary>
    /// Fringe strengths c tried (&lt; 0 overfocus: a dark band outside the rim; &gt; 0 underfocus: a bright one). None
    /// weaker than 0.05: such a fringe (a band of a few % of the rim's contrast) moves the edge by ≲ 0.1 px, less than
    /// a model with two more parameters risks on texture it would fit instead (measured on simulated movies).
    /// </summary>
    private static readonly double[] FringeStrengthGrid = [0.05, 0.1, 0.2, 0.35, 0.6];

    /// <summary>
    /// Chooses the edge model of every outline of <paramref name="newcomers"/>, each already pulled onto its edge with a
    /// default model: the PSF σ for all of them, each particle's absorption at that σ, and a defocus fringe when one is
    /// called for (then σ and the absorptions again, with it).
    /// </summary>
    public static void Choose(ImageSampler image, ParticleState[] newcomers)
    {
        // σ is chosen with one λ for all (one material: sizes then tell blur from rim softness), but each particle then
        // takes its own absorption at that σ: lithiation lightens particles one by one, and a particle whose rim is
        // poorly fitted (pressed against the electrolyte) must not choose the others' absorption.
        double sigma = ChooseBlur(image, newcomers);
        Parallel.For(0, newcomers.Length, i => ChooseAbsorption(newcomers[i], image, sigma));
        if (ChooseFringe(image, newcomers) is { } fringe)
        {
            // A fringe unmodelled passes for a softer rim and a narrower PSF: with it, σ and the absorptions again, σ no
            // narrower than before (the fringe must not stand in for the blur).
            Parallel.For(0, newcomers.Length, i => ChooseAbsorption(newcomers[i], image, sigma, fringe));
            sigma = ChooseBlur(image, newcomers, atLeast: sigma);
            Parallel.For(0, newcomers.Length, i => ChooseAbsorption(newcomers[i], image, sigma, fringe));
        }
    }

    /// <summary>
    /// The PSF σ (≥ <paramref name="atLeast"/>) for all particles, each with its current model's fringe: over (σ, mean
    /// free path λ) with one λ for all, on the coarse σ grid first, then a quarter-octave either side of its best, since
    /// the grid steps by ~1.4 and with little noise the residual's minimum in σ is narrower than that.
    /// </summary>
    private static double ChooseBlur(ImageSampler image, ParticleState[] particles, double atLeast = 0)
    {
        // scores[p][k][l] = particle p's residual at σ = sigmas[k] and mean free path MeanFreePathGridPx[l].
        double quarterOctave = Math.Pow(2, 0.25);
        var sigmas = atLeast > 0
            ? BlurGridPx.Where(x => x > atLeast).Prepend(atLeast).ToList()
            : BlurGridPx.ToList();
        var scores = new List<double[]>[particles.Length];
        Parallel.For(0, particles.Length, i => scores[i] = [.. ScoreGrid(particles[i], image, sigmas)]);
        int bk = Best(Totals(scores, sigmas.Count)).Sigma;
        var extra = new[] { sigmas[bk] / quarterOctave, sigmas[bk] * quarterOctave }.Where(x => x > sigmas[0] && x < sigmas[^1]).ToArray();
        Parallel.For(0, particles.Length, i => scores[i].AddRange(ScoreGrid(particles[i], image, extra)));
        sigmas.AddRange(extra);
        var order = Enumerable.Range(0, sigmas.Count).OrderBy(k => sigmas[k]).ToArray();
        var grid = order.Select(k => sigmas[k]).ToArray();
        var total = Totals(scores.Select(r => order.Select(k => r[k]).ToList()).ToArray(), grid.Length);
        var (ks, kl) = Best(total);
        return ParabolaMinimumLog(grid, k => total[k][kl], ks);
    }

    /// <summary>
    /// A defocus fringe (strength, width) for all particles (one defocus), or null when none is called for: each
    /// (c, w) of the grid against no fringe on the same windows, by the Bayesian information criterion over all
    /// particles, ΔBIC = Σ_p N_p·ln(S_p(c, w)/S_p(0)) + 2·ln Σ_p N_p (two parameters), so that a fringe is added
    /// only where it explains more than it costs and clean edges keep their in-focus model.
    /// </summary>
    private static (double Strength, double WidthPx)? ChooseFringe(ImageSampler image, ParticleState[] particles)
    {
        int nw = FringeWidthGridPx.Length, nc = FringeStrengthGrid.Length;
        // The weakest fringe first at every width: where it explains nothing more than none, the rim's misfit only grows
        // with the strength and the stronger ones are not scored (left out of the choice); on clean edges that is every
        // width, and most of the grid's cost.
        var grids = new FringeScores[particles.Length];
        Parallel.For(0, particles.Length, i => grids[i] = ScoreFringeGrid(particles[i], image, strongest: w => 1));
        var helps = Enumerable.Range(0, nw).Select(w => grids.Sum(g => Gain(g, w, 0) ?? 0) < 0).ToArray();
        if (helps.Any(h => h))
            Parallel.For(0, particles.Length, i => grids[i] = ScoreFringeGrid(particles[i], image, strongest: w => helps[w] ? nc : 1));
        var bic = new double[nw][];
        for (int w = 0; w < nw; w++)
        {
            bic[w] = new double[nc];
            double samples = grids.Sum(g => g.InFocus[w].Samples);
            for (int c = 0; c < nc; c++)
            {
                double b = samples > 0 ? 2 * Math.Log(samples) : double.PositiveInfinity;
                int better = 0;
                foreach (var g in grids)
                {
                    if (Gain(g, w, c) is not { } d) continue;
                    b += d;
                    if (d < 0) better++;
                }
                // One defocus shows on every particle: a fringe that only one poorly fitted particle wants (pressed
                // against the electrolyte, its outline caught on the body's ramp) is that particle's misfit, not a fringe.
                bic[w][c] = 4 * better >= 3 * grids.Length ? b : double.PositiveInfinity;
            }
        }
        var (bw, bc) = Best(bic);
        if (!(bic[bw][bc] < 0)) return null;
        // Strength between grid points: the parabola in ln|c| through the best and its neighbours of the same sign.
        var strengths = FringeStrengthGrid;
        var side = Enumerable.Range(0, nc).Where(c => Math.Sign(strengths[c]) == Math.Sign(strengths[bc])).OrderBy(c => Math.Abs(strengths[c])).ToArray();
        var magnitudes = side.Select(c => Math.Abs(strengths[c])).ToArray();
        int at = Array.IndexOf(side, bc);
        double strength = Math.Sign(strengths[bc]) * ParabolaMinimumLog(magnitudes, k => bic[bw][side[k]], at);
        // The width stays on the grid: interpolated like the strength it was no better on simulated fringes (noisier).
        return (strength, FringeWidthGridPx[bw]);
    }

    /// <summary>A particle's N·ln(S(c, w)/S(0)), the data's term of ΔBIC; null when its in-focus rim was not found.</summary>
    private static double? Gain(FringeScores g, int w, int c)
    {
        var (s0, s1) = (g.InFocus[w], g.Fringed[w][c]);
        if (!(s0.Samples > 0 && double.IsFinite(s0.Misfit) && s0.Misfit > 0)) return null;
        return s0.Samples * Math.Log((double.IsFinite(s1.Misfit) ? s1.Misfit : double.MaxValue) / s0.Misfit);
    }

    private static (int Sigma, int MeanFreePath) Best(double[][] total)
    {
        (int, int) best = (0, 0);
        for (int k = 0; k < total.Length; k++)
            for (int l = 0; l < total[k].Length; l++)
                if (total[k][l] < total[best.Item1][best.Item2]) best = (k, l);
        return best;
    }

    /// <summary>
    /// Sum over particles of each (σ, λ)'s residual relative to the particle's own best, so that every particle has an
    /// equal say whatever its noise level; a model with which a particle's rim was not found at all counts as its worst.
    /// </summary>
    private static double[][] Totals(IReadOnlyList<List<double[]>> scores, int count)
    {
        int nl = MeanFreePathGridPx.Length;
        var total = Enumerable.Range(0, count).Select(_ => new double[nl]).ToArray();
        foreach (var rows in scores)
        {
            var finite = rows.Take(count).SelectMany(r => r).Where(double.IsFinite).ToArray();
            if (finite.Length == 0) continue;
            double best = finite.Min(), worst = finite.Max();
            for (int k = 0; k < count; k++)
                for (int l = 0; l < nl; l++)
                    total[k][l] += best > 0 ? (double.IsFinite(rows[k][l]) ? rows[k][l] : worst) / best : 1;
        }
        return total;
    }

    /// <summary>
    /// The residual for each σ of <paramref name="sigmas"/> (rows) and mean free path of <see cref="MeanFreePathGridPx"/>
    /// (columns), the particle's absorption then being τ = 2R/λ.
    /// </summary>
    private static double[][] ScoreGrid(ParticleState particle, ImageSampler image, IReadOnlyList<double> sigmas)
    {
        var rows = new double[sigmas.Count][];
        // Each σ is independent: in parallel too, so that a few particles still keep every core busy.
        Parallel.For(0, sigmas.Count, i => rows[i] = particle.Score(image, MeanFreePathGridPx
            .Select(l => particle.Model! with { BlurSigmaPx = sigmas[i], CentreOpticalThickness = Absorption(particle, l) }).ToArray()).Select(s => s.Misfit).ToArray());
        return rows;
    }

    /// <summary>Optical thickness through the centre, 2R/λ, for a mean free path of <paramref name="meanFreePathPx"/>.</summary>
    private static double Absorption(ParticleState particle, double meanFreePathPx) => 2 * particle.Model!.RimRadiusPx / meanFreePathPx;

    /// <summary>First frame: this particle's absorption at the shared σ (and fringe, when one was chosen).</summary>
    private static void ChooseAbsorption(ParticleState particle, ImageSampler image, double sigma, (double Strength, double WidthPx)? fringe = null)
    {
        var model = particle.Model! with { BlurSigmaPx = sigma, FringeStrength = fringe?.Strength ?? 0, FringeWidthPx = fringe?.WidthPx ?? 0 };
        var row = particle.Score(image, MeanFreePathGridPx.Select(l => model with { CentreOpticalThickness = Absorption(particle, l) }).ToArray()).Select(s => s.Misfit).ToArray();
        int j = Array.IndexOf(row, row.Min());
        // No rim found with any absorption: the approach's is kept.
        particle.Model = double.IsFinite(row[j]) ? model with { CentreOpticalThickness = Absorption(particle, ParabolaMinimumLog(MeanFreePathGridPx, k => row[k], j)) } : model;
    }

    /// <summary>The particle's scores without a fringe and with each fringe of the grid, per fringe width (its window).</summary>
    private sealed record FringeScores(RimSamples.RimScore[] InFocus, RimSamples.RimScore[][] Fringed);

    /// <summary>
    /// Scores of the chosen model without and with each fringe of the grid, at width w the first
    /// <paramref name="strongest"/>(w) strengths (the rest not found). The window reaches 2w beyond the edge, to hold
    /// the fringe, and is the same for both sides of every comparison.
    /// </summary>
    private static FringeScores ScoreFringeGrid(ParticleState particle, ImageSampler image, Func<int, int> strongest)
    {
        int nw = FringeWidthGridPx.Length;
        var inFocus = new RimSamples.RimScore[nw];
        var fringed = new RimSamples.RimScore[nw][];
        Parallel.For(0, nw, w =>
        {
            double width = FringeWidthGridPx[w], outer = Math.Max(ParticleState.SelectionOuterPx, 2 * width);
            var scores = particle.Score(image, [particle.Model!, .. FringeStrengthGrid.Take(strongest(w)).Select(c => particle.Model! with { FringeStrength = c, FringeWidthPx = width })], outer);
            inFocus[w] = scores[0];
            fringed[w] = [.. scores[1..], .. Enumerable.Repeat(RimSamples.RimScore.NotFound, FringeStrengthGrid.Length - strongest(w))];
        });
        return new FringeScores(inFocus, fringed);
    }

    /// <summary>Vertex of the parabola through the best grid point and its neighbours, in ln x.</summary>
    private static double ParabolaMinimumLog(double[] grid, Func<int, double> score, int best)
    {
        if (best == 0 || best == grid.Length - 1) return grid[best];
        double x0 = Math.Log(grid[best - 1]), x1 = Math.Log(grid[best]), x2 = Math.Log(grid[best + 1]);
        double y0 = score(best - 1), y1 = score(best), y2 = score(best + 1);
        double denom = (x0 - x1) * (x0 - x2) * (x1 - x2);
        double a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / denom;
        double b = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)) / denom;
        return a > 0 ? Math.Exp(Math.Clamp(-b / (2 * a), x0, x2)) : grid[best];
    }
}
