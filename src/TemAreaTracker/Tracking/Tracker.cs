using OpenCvSharp;
using TemAreaTracker.Registration;
using TemAreaTracker.Segmentation;

namespace TemAreaTracker.Tracking;

/// <summary>
/// Follows outlines through a movie one frame at a time (streaming: memory does not grow with movie length).
/// </summary>
/// <remarks>
/// Each frame: stage drift against the first frame, measured on the specimen support clear of the outlines
/// (<see cref="StageDrift"/>), then each particle's own motion by matching its neighbourhood (<see cref="ParticleMotion"/>); the moved outline is the shape prior from which its nodes
/// search along their normals for the particle's own sub-pixel edge (<see cref="ActiveOutline"/>), with neighbouring
/// particles' rims modelled where they cross. On the first frame the drawn outlines are refined from afar, the PSF σ is
/// chosen jointly for all of them (with one mean free path, so that particle sizes tell blur from rim softness) and then
/// each particle's absorption (the shape of its rim profile), both by the residual of the rim about the smooth outline
/// each candidate model gives (<see cref="RimSamples"/>).
/// A cluster outline drawn around particles that have outlines of their own is their projection: the union of the
/// members' outlines, frame by frame (its own free-shape fit only while a member has no area).
/// </remarks>
/// <example>
/// <code>
/// // A whole movie, stage drift included: TemAreaTracker.Pipeline.TrackPipeline.Track(movie.ReadFrames(), outlines).
/// using var tracker = new Tracker(outlines, new TrackOptions());
/// var r = tracker.Process(frame, driftPx); // driftPx from a StageDrift on frame 0 and these outlines (zero on frame 0)
/// </code>
/// </example>
public sealed class Tracker : IDisposable
{
    private readonly TrackOptions _options;
    private readonly ParticleState[] _particles;
    private Point2d _lastDrift;
    private ImageSampler? _previous;

    /// <summary>Starts tracking from <paramref name="outlines"/> drawn on the first frame (or on their own frame when set).</summary>
    public Tracker(IReadOnlyList<Outline> outlines, TrackOptions? options = null)
    {
        OutlineValidation.RequireTrackable(outlines);
        _options = options ?? new TrackOptions();
        _particles = outlines.Select(o => new ParticleState(o)).ToArray();
        for (int i = 0; i < _particles.Length; i++) _particles[i].Members = MembersOf(i);
        _byArea = Enumerable.Range(0, _particles.Length).OrderBy(i => _particles[i].Drawn.AreaPx).ToArray();
    }

    // Outline indices by drawn area: a cluster outline is made from its members after they are measured.
    private readonly int[] _byArea;

    /// <summary>Edge model chosen for each particle on its first frame (null before then).</summary>
    public IReadOnlyList<EdgeModel?> EdgeModels => _particles.Select(p => p.Model).ToArray();

    /// <summary>
    /// Measures every started outline in <paramref name="frame"/> (frames must come in order), given the stage drift of
    /// <paramref name="frame"/> measured by the caller: a <see cref="StageDrift"/> made from the first frame passed here
    /// and this tracker's outlines, and fed every later frame in order (zero for the first frame). Drift depends only on
    /// the frames and the outlines, so the pipeline measures it on another thread a frame ahead of tracking
    /// (<c>TemAreaTracker.Pipeline.TrackPipeline.Track</c> does both). The drift is ignored when
    /// <see cref="TrackOptions.CorrectDrift"/> is off.
    /// </summary>
    public FrameResult Process(Frame frame, Point2d driftPx) => Track(frame, _options.CorrectDrift ? driftPx : new Point2d(0, 0));

    private FrameResult Track(Frame frame, Point2d drift)
    {
        var step = new Point2d(drift.X - _lastDrift.X, drift.Y - _lastDrift.Y);
        _lastDrift = drift;

        var image = new ImageSampler(frame);
        var previous = _previous;
        Parallel.ForEach(_particles, p =>
        {
            if (p.Model is null || previous is null) return;
            // A cluster made of its members is rebuilt from them; its prior only needs the stage's step.
            var shift = p.Members is not null ? step : _options.CorrectDrift
                ? ParticleMotion.Shift(previous.Pixels, image.Pixels, BoundingBox(p.Current, marginPx: 6), step, searchPx: 8)
                : step;
            p.Unmoved = p.Current;
            p.Current = p.Current.Translate(shift.X, shift.Y);
        });

        var results = new ParticleMeasurement?[_particles.Length];
        bool[] starting = _particles.Select(p => p.Model is null && frame.Index >= (p.Drawn.Frame ?? 0)).ToArray();
        // New outlines first find their edge and edge model alone; then every outline is fitted with its neighbours'
        // rims in view, so that overlapping projections share their edges instead of fighting over them.
        var newcomers = _particles.Where((p, i) => starting[i]).ToArray();
        if (newcomers.Length > 0) StartAll(image, newcomers);
        var neighbours = _particles.Select((p, i) => NeighboursOf(i)).ToArray();
        ParticleMeasurement Fit(int i) => starting[i]
            ? _particles[i].Polish(image, frame.Index, neighbours[i])
            : _particles[i].Follow(image, frame.Index, _options, neighbours[i]);
        Parallel.For(0, _particles.Length, i =>
        {
            var p = _particles[i];
            if (p.Model is null || p.Members is not null) return;
            results[i] = Fit(i);
        });
        // Cluster outlines made of outlined members: the union of the members' outlines once every member has an area
        // (smaller clusters first, so a cluster of clusters finds its parts done); else the cluster's own fit.
        foreach (int i in _byArea)
        {
            var p = _particles[i];
            if (p.Model is null || p.Members is null) continue;
            var parts = p.Members.Select(j => results[j]).ToArray();
            results[i] = parts.All(m => m is { Quality: TrackQuality.Ok or TrackQuality.Weak })
                ? p.MeasureUnion(parts!, frame.Index) ?? Fit(i)
                : Fit(i);
        }
        _previous?.Dispose();
        _previous = image;
        return new FrameResult(frame.Index, drift, results.Where(r => r is not null).Select(r => r!).ToArray());
    }

    /// <summary>
    /// First frame of a set of outlines: each is pulled onto its edge with a default model; the PSF σ (one microscope,
    /// one blur) is then chosen jointly over all of them, each with its own absorption, and the outlines are refined
    /// with their models.
    /// </summary>
    private void StartAll(ImageSampler image, ParticleState[] newcomers)
    {
        Parallel.ForEach(newcomers, p => p.Approach(image, _options));
        // σ is chosen with one λ for all (one material: sizes then tell blur from rim softness), but each particle then
        // takes its own absorption at that σ: lithiation lightens particles one by one, and a particle whose rim is
        // poorly fitted (pressed against the electrolyte) must not choose the others' absorption.
        double sigma = ChooseBlur(image, newcomers);
        Parallel.For(0, newcomers.Length, i => newcomers[i].ChooseAbsorption(image, sigma));
        if (ChooseFringe(image, newcomers) is { } fringe)
        {
            // A fringe unmodelled passes for a softer rim and a narrower PSF: with it, σ and the absorptions again, σ no
            // narrower than before (the fringe must not stand in for the blur).
            Parallel.For(0, newcomers.Length, i => newcomers[i].ChooseAbsorption(image, sigma, fringe));
            sigma = ChooseBlur(image, newcomers, atLeast: sigma);
            Parallel.For(0, newcomers.Length, i => newcomers[i].ChooseAbsorption(image, sigma, fringe));
        }
        Parallel.For(0, newcomers.Length, i => newcomers[i].Settle(image));
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
            ? ParticleState.BlurGridPx.Where(x => x > atLeast).Prepend(atLeast).ToList()
            : ParticleState.BlurGridPx.ToList();
        var scores = new List<double[]>[particles.Length];
        Parallel.For(0, particles.Length, i => scores[i] = [.. particles[i].ScoreGrid(image, sigmas)]);
        int bk = Best(Totals(scores, sigmas.Count)).Sigma;
        var extra = new[] { sigmas[bk] / quarterOctave, sigmas[bk] * quarterOctave }.Where(x => x > sigmas[0] && x < sigmas[^1]).ToArray();
        Parallel.For(0, particles.Length, i => scores[i].AddRange(particles[i].ScoreGrid(image, extra)));
        sigmas.AddRange(extra);
        var order = Enumerable.Range(0, sigmas.Count).OrderBy(k => sigmas[k]).ToArray();
        var grid = order.Select(k => sigmas[k]).ToArray();
        var total = Totals(scores.Select(r => order.Select(k => r[k]).ToList()).ToArray(), grid.Length);
        var (ks, kl) = Best(total);
        return ParticleState.ParabolaMinimumLog(grid, k => total[k][kl], ks);
    }

    /// <summary>
    /// A defocus fringe (strength, width) for all particles (one defocus), or null when none is called for: each
    /// (c, w) of the grid against no fringe on the same windows, by the Bayesian information criterion over all
    /// particles, ΔBIC = Σ_p N_p·ln(S_p(c, w)/S_p(0)) + 2·ln Σ_p N_p (two parameters), so that a fringe is added
    /// only where it explains more than it costs and clean edges keep their in-focus model.
    /// </summary>
    private static (double Strength, double WidthPx)? ChooseFringe(ImageSampler image, ParticleState[] particles)
    {
        int nw = ParticleState.FringeWidthGridPx.Length, nc = ParticleState.FringeStrengthGrid.Length;
        // The weakest fringe first at every width: where it explains nothing more than none, the rim's misfit only grows
        // with the strength and the stronger ones are not scored (left out of the choice); on clean edges that is every
        // width, and most of the grid's cost.
        var grids = new ParticleState.FringeScores[particles.Length];
        Parallel.For(0, particles.Length, i => grids[i] = particles[i].ScoreFringeGrid(image, strongest: w => 1));
        var helps = Enumerable.Range(0, nw).Select(w => grids.Sum(g => Gain(g, w, 0) ?? 0) < 0).ToArray();
        if (helps.Any(h => h))
            Parallel.For(0, particles.Length, i => grids[i] = particles[i].ScoreFringeGrid(image, strongest: w => helps[w] ? nc : 1));
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
        var strengths = ParticleState.FringeStrengthGrid;
        var side = Enumerable.Range(0, nc).Where(c => Math.Sign(strengths[c]) == Math.Sign(strengths[bc])).OrderBy(c => Math.Abs(strengths[c])).ToArray();
        var magnitudes = side.Select(c => Math.Abs(strengths[c])).ToArray();
        int at = Array.IndexOf(side, bc);
        double strength = Math.Sign(strengths[bc]) * ParticleState.ParabolaMinimumLog(magnitudes, k => bic[bw][side[k]], at);
        // The width stays on the grid: interpolated like the strength it was no better on simulated fringes (noisier).
        return (strength, ParticleState.FringeWidthGridPx[bw]);
    }

    /// <summary>A particle's N·ln(S(c, w)/S(0)), the data's term of ΔBIC; null when its in-focus rim was not found.</summary>
    private static double? Gain(ParticleState.FringeScores g, int w, int c)
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
        int nl = ParticleState.MeanFreePathGridPx.Length;
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
    /// Started outlines near particle <paramref name="index"/> that are not nested in it or it in them (a whole-cluster
    /// outline and its members each measure their own projection; only side-by-side particles share rims).
    /// </summary>
    private IReadOnlyList<Neighbour> NeighboursOf(int index)
    {
        var me = _particles[index];
        if (me.Model is null) return [];
        var box = BoundingBox(me.Current, marginPx: 10);
        var list = new List<Neighbour>();
        for (int j = 0; j < _particles.Length; j++)
        {
            var other = _particles[j];
            if (j == index || other.Model is null) continue;
            if ((BoundingBox(other.Current, 0) & box).Width <= 0) continue;
            if (Contains(me.Current, other.Current.Centroid) || Contains(other.Current, me.Current.Centroid)) continue;
            list.Add(new Neighbour(other.Current.VerticesPx, other.Model));
        }
        return list;
    }

    /// <summary>
    /// The outlines a cluster outline is made of: those drawn on the same frame whose centroids lie inside it, when
    /// together they cover all of it (no stretch of the cluster's outline further outside their union than half the
    /// smallest member's radius, far beyond the roughness of hand drawing, while a particle left without its own
    /// outline sticks out by its diameter). Null when <paramref name="index"/> is not such a cluster.
    /// </summary>
    private int[]? MembersOf(int index)
    {
        var me = _particles[index].Drawn;
        var members = Enumerable.Range(0, _particles.Length)
            .Where(j => j != index && (_particles[j].Drawn.Frame ?? 0) == (me.Frame ?? 0)
                        && _particles[j].Drawn.AreaPx < me.AreaPx && Contains(me, _particles[j].Drawn.Centroid))
            .ToArray();
        if (members.Length == 0) return null;
        var union = OutlineUnion.Union(members.Select(j => _particles[j].Drawn.VerticesPx).ToArray());
        if (union is null) return null;
        double tolerance = Math.Max(3, 0.5 * members.Min(j => Math.Sqrt(_particles[j].Drawn.AreaPx / Math.PI)));
        var nodes = ActiveOutline.Resample(me.VerticesPx, ActiveOutline.NodeSpacingPx, 24, 2048);
        return OutlineUnion.MaxDistanceOutside(union, nodes) <= tolerance ? members : null;
    }

    private static bool Contains(Outline o, Point2d p) =>
        Cv2.PointPolygonTest(o.VerticesPx.Select(v => new Point2f((float)v.X, (float)v.Y)), new Point2f((float)p.X, (float)p.Y), false) > 0;

    private static Rect BoundingBox(Outline o, int marginPx)
    {
        // One pass (called for every pair of particles every frame).
        double x0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y0 = double.PositiveInfinity, y1 = double.NegativeInfinity;
        foreach (var v in o.VerticesPx)
        {
            x0 = Math.Min(x0, v.X); x1 = Math.Max(x1, v.X);
            y0 = Math.Min(y0, v.Y); y1 = Math.Max(y1, v.Y);
        }
        int l = (int)Math.Floor(x0) - marginPx, t = (int)Math.Floor(y0) - marginPx;
        return new Rect(l, t, (int)Math.Ceiling(x1) + marginPx - l + 1, (int)Math.Ceiling(y1) + marginPx - t + 1);
    }

    public void Dispose()
    {
        _previous?.Dispose();
    }

    private sealed class ParticleState(Outline drawn)
    {
        private const double FirstFrameSmoothing = 2e-5;
        private const double TrackingSmoothing = 3e-4;
        // A single particle changes shape little between frames (swelling is k = 0, a shift k = 1): its radius
        // function is held close to an ellipse (k = 2 costs 0.05, k = 3 0.24, k = 4 0.77 of the data weight).
        private const double RoundTrackingSmoothing = 3e-3;
        // A drawn outline at least this convex (area / convex-hull area) is one particle and kept round-ish; a cluster of
        // touching spheres has notches (two equal touching discs: 0.88).
        private const double RoundSolidity = 0.93;
        // Profiles for choosing the edge model stay near the rim: Bragg patches lie within ~0.85 R.
        private const double SelectionInnerPx = 8;
        private const double SelectionOuterPx = 6;
        private const double SelectionSearchPx = 2;
        // Two settled outlines whose supported fractions differ by less than this found the edge equally well.
        private const double SupportTolerance = 0.05;
        public static readonly double[] BlurGridPx = [0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0];
        // Mass-thickness mean free path λ in px, from strongly scattering (λ ≪ R: a step) to all but transparent: a
        // sphere of radius R has τ = 2R/λ through its centre. Choosing σ with one λ for all particles (one material)
        // lets their sizes tell blur from rim softness: a small sphere of the same λ has a softer rim, a small blurred
        // one does not.
        public static readonly double[] MeanFreePathGridPx = [0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
        private int _framesFollowed;

        public Outline Drawn { get; } = drawn;
        public bool Round { get; } = Solidity(drawn.VerticesPx) >= RoundSolidity;
        public Outline Current { get; set; } = drawn;
        public EdgeModel? Model { get; private set; }

        /// <summary>The prior where it was in the previous frame, before this frame's drift and motion moved it.</summary>
        public Outline? Unmoved { get; set; }

        /// <summary>For a cluster outline made of outlined members: their indices (else null).</summary>
        public int[]? Members { get; set; }

        /// <summary>
        /// A cluster's projection as the union of its members' outlines (each counted once where they overlap); null
        /// when the union cannot be traced. Quality: the worst of the members'; σ: the members' σ combined as if
        /// independent (an upper bound: overlaps are counted in each).
        /// </summary>
        public ParticleMeasurement? MeasureUnion(ParticleMeasurement[] members, int frame)
        {
            var union = OutlineUnion.Union(members.Select(m => m.Outline.VerticesPx).ToArray());
            if (union is null) return null;
            Current = Current with { VerticesPx = union };
            var q = members.Any(m => m.Quality == TrackQuality.Weak) ? TrackQuality.Weak : TrackQuality.Ok;
            double sigma = Math.Sqrt(members.Sum(m => m.AreaSigmaPx * m.AreaSigmaPx));
            return new ParticleMeasurement(Current.Name, frame, Current, Current.AreaPx, sigma, q);
        }

        private IReadOnlyList<Point2d>? _approach;

        /// <summary>First frame: the drawn outline pulled onto the edge with a default edge model.</summary>
        public void Approach(ImageSampler image, TrackOptions options)
        {
            var model = new EdgeModel(1.2, 1.0, EquivalentRadiusPx(Drawn.VerticesPx), IsDarkerThanSurroundings(image, Drawn.VerticesPx));
            IReadOnlyList<Point2d> v = Drawn.VerticesPx;
            foreach (double search in new[] { options.FirstFrameSearchPx, options.FirstFrameSearchPx * 0.6, 3.0 })
            {
                v = ActiveOutline.Refine(image, v, model, search, FirstFrameSmoothing, Round).Vertices;
                model = model with { RimRadiusPx = EquivalentRadiusPx(v) };
            }
            _approach = v;
            Model = model;
        }

        /// <summary>
        /// The residual for each σ of <paramref name="sigmas"/> (rows) and mean free path of <see cref="MeanFreePathGridPx"/>
        /// (columns), the particle's absorption then being τ = 2R/λ.
        /// </summary>
        public double[][] ScoreGrid(ImageSampler image, IReadOnlyList<double> sigmas)
        {
            var rows = new double[sigmas.Count][];
            // Each σ is independent: in parallel too, so that a few particles still keep every core busy.
            Parallel.For(0, sigmas.Count, i => rows[i] = Score(image, MeanFreePathGridPx
                .Select(l => Model! with { BlurSigmaPx = sigmas[i], CentreOpticalThickness = Absorption(l) }).ToArray()).Select(s => s.Misfit).ToArray());
            return rows;
        }

        /// <summary>Optical thickness through the centre, 2R/λ, for a mean free path of <paramref name="meanFreePathPx"/>.</summary>
        private double Absorption(double meanFreePathPx) => 2 * Model!.RimRadiusPx / meanFreePathPx;

        /// <summary>First frame: this particle's absorption at the shared σ (and fringe, when one was chosen).</summary>
        public void ChooseAbsorption(ImageSampler image, double sigma, (double Strength, double WidthPx)? fringe = null)
        {
            var model = Model! with { BlurSigmaPx = sigma, FringeStrength = fringe?.Strength ?? 0, FringeWidthPx = fringe?.WidthPx ?? 0 };
            var row = Score(image, MeanFreePathGridPx.Select(l => model with { CentreOpticalThickness = Absorption(l) }).ToArray()).Select(s => s.Misfit).ToArray();
            int j = Array.IndexOf(row, row.Min());
            // No rim found with any absorption: the approach's is kept.
            Model = double.IsFinite(row[j]) ? model with { CentreOpticalThickness = Absorption(ParabolaMinimumLog(MeanFreePathGridPx, k => row[k], j)) } : model;
        }

        /// <summary>
        /// First frame: the outline located with the chosen model and its locating window, from the approached outline
        /// and from the drawn one. The approach's wide, deep search with the default model can be caught on structure
        /// inside a small particle's rim — a Bragg patch reaches 0.85 R, 2-3 px from the rim, and is a stronger edge than
        /// the faint rim beside it (simulated cluster, R ≈ 15 px: caught 2.4 px inside, −26 % area) — while the drawn
        /// outline lies within this search of the rim. Interior structure lies inside the rim and nothing of the
        /// particle outside it, so the outer of the two is kept, unless the edge was found less well around it (a
        /// drawn outline too far off for this search).
        /// </summary>
        public void Settle(ImageSampler image)
        {
            ActiveOutline.Pass Locate(IReadOnlyList<Point2d> start)
            {
                ActiveOutline.Pass pass = null!;
                foreach (double search in new[] { 3.0, 1.5 })
                {
                    pass = ActiveOutline.Refine(image, start, Model!, search, FinalSmoothing, Round, LocatingInnerPx(Model!));
                    start = pass.Vertices;
                }
                return pass;
            }
            var approached = Locate(_approach!);
            var drawn = Locate(Drawn.VerticesPx);
            bool outer = Math.Abs(Outline.SignedAreaPx(drawn.Vertices)) > Math.Abs(Outline.SignedAreaPx(approached.Vertices));
            var v = outer && drawn.SupportedFraction >= approached.SupportedFraction - SupportTolerance ? drawn.Vertices : approached.Vertices;
            Current = Current with { VerticesPx = v };
            _approach = null;
            _rims.Clear();
        }

        /// <summary>
        /// Fringe widths tried on the first frame, px (√(λ|Δf|): ~2-9 px for the defoci and pixel sizes in use); a
        /// fringe between two of them is modelled with the nearer, which moves the edge by up to ~0.3 px.
        /// </summary>
        public static readonly double[] FringeWidthGridPx = [2, 3, 4.5, 6, 7.5, 9];

        /// <summary>
        /// Fringe strengths c tried (&lt; 0 overfocus: a dark band outside the rim; &gt; 0 underfocus: a bright one). None
        /// weaker than 0.05: such a fringe (a band of a few % of the rim's contrast) moves the edge by ≲ 0.1 px, less than
        /// a model with two more parameters risks on texture it would fit instead (measured on simulated movies).
        /// </summary>
        public static readonly double[] FringeStrengthGrid = [0.05, 0.1, 0.2, 0.35, 0.6];

        /// <summary>The particle's scores without a fringe and with each fringe of the grid, per fringe width (its window).</summary>
        public sealed record FringeScores(RimSamples.RimScore[] InFocus, RimSamples.RimScore[][] Fringed);

        /// <summary>
        /// Scores of the chosen model without and with each fringe of the grid, at width w the first
        /// <paramref name="strongest"/>(w) strengths (the rest not found). The window reaches 2w beyond the edge, to hold
        /// the fringe, and is the same for both sides of every comparison.
        /// </summary>
        public FringeScores ScoreFringeGrid(ImageSampler image, Func<int, int> strongest)
        {
            int nw = FringeWidthGridPx.Length;
            var inFocus = new RimSamples.RimScore[nw];
            var fringed = new RimSamples.RimScore[nw][];
            Parallel.For(0, nw, w =>
            {
                double width = FringeWidthGridPx[w], outer = Math.Max(SelectionOuterPx, 2 * width);
                var scores = Score(image, [Model!, .. FringeStrengthGrid.Take(strongest(w)).Select(c => Model! with { FringeStrength = c, FringeWidthPx = width })], outer);
                inFocus[w] = scores[0];
                fringed[w] = [.. scores[1..], .. Enumerable.Repeat(RimSamples.RimScore.NotFound, FringeStrengthGrid.Length - strongest(w))];
            });
            return new FringeScores(inFocus, fringed);
        }

        /// <summary>
        /// Candidate edge models are judged on the approached outline's windows, sampled once per window length (and
        /// refined together: see <see cref="RimSamples.Score(ImageSampler, IReadOnlyList{EdgeModel}, double, bool)"/>).
        /// </summary>
        private RimSamples.RimScore[] Score(ImageSampler image, IReadOnlyList<EdgeModel> models, double outerPx = SelectionOuterPx)
        {
            RimSamples rim;
            lock (_rims)
                if (!_rims.TryGetValue(outerPx, out rim!))
                    _rims[outerPx] = rim = RimSamples.Take(image, _approach!, Model!.DarkParticle, SelectionSearchPx, SelectionInnerPx, outerPx);
            return rim.Score(image, models, FinalSmoothing, Round);
        }

        private readonly Dictionary<double, RimSamples> _rims = [];

        /// <summary>First frame, once every outline has started: a last pass with the neighbours' rims in view.</summary>
        public ParticleMeasurement Polish(ImageSampler image, int frame, IReadOnlyList<Neighbour> neighbours)
        {
            ActiveOutline.Pass pass = null!;
            var v = Current.VerticesPx;
            foreach (double search in new[] { 2.0, 1.0 })
            {
                pass = ActiveOutline.Refine(image, v, Model!, search, FinalSmoothing, Round, LocatingInnerPx(Model!), neighbours: neighbours);
                v = pass.Vertices;
            }
            return Measure(pass, frame);
        }

        /// <summary>Vertex of the parabola through the best grid point and its neighbours, in ln x.</summary>
        public static double ParabolaMinimumLog(double[] grid, Func<int, double> score, int best)
        {
            if (best == 0 || best == grid.Length - 1) return grid[best];
            double x0 = Math.Log(grid[best - 1]), x1 = Math.Log(grid[best]), x2 = Math.Log(grid[best + 1]);
            double y0 = score(best - 1), y1 = score(best), y2 = score(best + 1);
            double denom = (x0 - x1) * (x0 - x2) * (x1 - x2);
            double a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / denom;
            double b = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)) / denom;
            return a > 0 ? Math.Exp(Math.Clamp(-b / (2 * a), x0, x2)) : grid[best];
        }

        public ParticleMeasurement Follow(ImageSampler image, int frame, TrackOptions options, IReadOnlyList<Neighbour> neighbours)
        {
            var model = Model!;
            double radius = EquivalentRadiusPx(Current.VerticesPx);
            // A swelling particle keeps its silicon: the mass thickness through its centre, and with it the optical
            // thickness, falls as 1/R² (lithium adds a little mass back, which the absorption update below follows).
            // Without this the rim profile stays that of the darker particle for up to four frames of a fast rise.
            if (Math.Abs(radius / model.RimRadiusPx - 1) > 0.03)
                model = model with
                {
                    RimRadiusPx = radius,
                    CentreOpticalThickness = model.CentreOpticalThickness * Math.Pow(model.RimRadiusPx / radius, 2),
                };
            // Lithiation lightens particles: every few frames, let the absorption follow.
            if (++_framesFollowed % 4 == 0)
            {
                // The unchanged candidate is the model itself, so it keeps its tabulated profile (a copy would rebuild it).
                var candidates = new[] { 0.8, 1.0, 1.25 }.Select(f => f == 1 ? model : model with { CentreOpticalThickness = model.CentreOpticalThickness * f }).ToArray();
                var scores = ActiveOutline.Score(image, Current.VerticesPx, candidates, 2.0, innerPx: SelectionInnerPx, outerPx: 6, neighbours: neighbours);
                model = candidates[Array.IndexOf(scores, scores.Min())];
            }
            Model = model;
            double smoothing = Round ? RoundTrackingSmoothing : TrackingSmoothing;
            double inner = LocatingInnerPx(model);
            var pass = ActiveOutline.Refine(image, Current.VerticesPx, model, options.MaxEdgeStepPx, smoothing, Round, inner, neighbours: neighbours);
            if (pass.SupportedFraction < 0.6 && !pass.TouchesBorder)
            {
                // The rim can jump several px in one frame as lithium floods in, and a particle lost in an earlier
                // frame has kept swelling: search again twice as far, and keep whichever found more of the edge.
                var wide = ActiveOutline.Refine(image, Current.VerticesPx, model, 2 * options.MaxEdgeStepPx, smoothing, Round, inner, neighbours: neighbours);
                if (wide.SupportedFraction > pass.SupportedFraction) pass = wide;
                // Registration can be fooled (a featureless frame, a particle swelling through it): the prior where
                // the particle was in the previous frame, unmoved, is the other place to look.
                if (Unmoved is { } unmoved && Distance(unmoved.Centroid, Current.Centroid) > 1)
                {
                    var still = ActiveOutline.Refine(image, unmoved.VerticesPx, model, 2 * options.MaxEdgeStepPx, smoothing, Round, inner, neighbours: neighbours);
                    if (still.SupportedFraction > pass.SupportedFraction) pass = still;
                }
            }
            if (pass.SupportedFraction >= 0.25 && !pass.TouchesBorder)
            {
                // A swelling onset can move the rim further than one search reaches (the isolated scenario's rim jumps
                // ~6 px in a frame): while a polishing pass still moves the outline by most of its reach, the edge lies
                // further on, and the next pass starts from there.
                const double polish = 1.5;
                for (int k = 0; k < 3; k++)
                {
                    double before = EquivalentRadiusPx(pass.Vertices);
                    pass = ActiveOutline.Refine(image, pass.Vertices, model, polish, smoothing, Round, inner, neighbours: neighbours);
                    if (pass.SupportedFraction < 0.25 || pass.TouchesBorder || Math.Abs(EquivalentRadiusPx(pass.Vertices) - before) < 0.6 * polish) break;
                }
            }
            return Measure(pass, frame);
        }

        /// <summary>
        /// How far inside the edge the profiles of an outline already on its rim reach (polishing the first frame,
        /// following later ones): the rim's blurred rise (±2σ) and 2 px of the interior for its depth. The default
        /// window reaches 3σ + 3 px in, which is what capturing a rough drawn outline with a default model needs; once
        /// the model is chosen, that deeper interior adds no edge information and lets whatever lies inside the rim
        /// and is not the sphere's own √ profile — Bragg patches (up to 0.85 R from the centre), a neighbour's
        /// overlap, the support's mottling seen through a lightened particle — pull the edge: with the true model on
        /// noise-free frames of a crystalline particle (σ 1.6 px, three seeds), Bragg patches put the 3σ + 3 edge a
        /// median 0.8 px (up to 1.5) inside the true rim all round, the 2σ + 2 edge 0.3 px (up to 1.0).
        /// </summary>
        private static double LocatingInnerPx(EdgeModel model) => Math.Max(2 * model.BlurSigmaPx + 2, 3.5);

        /// <summary>Once the drawn outline has been pulled onto the edge, a round particle is held to its smooth shape.</summary>
        private double FinalSmoothing => Round ? RoundTrackingSmoothing : FirstFrameSmoothing;

        private static double Solidity(IReadOnlyList<Point2d> v)
        {
            var hull = Cv2.ConvexHull(v.Select(p => new Point2f((float)p.X, (float)p.Y)));
            double hullArea = Math.Abs(Outline.SignedAreaPx(hull.Select(p => new Point2d(p.X, p.Y)).ToArray()));
            return hullArea > 0 ? Math.Abs(Outline.SignedAreaPx(v)) / hullArea : 0;
        }

        private static double Distance(Point2d a, Point2d b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));

        private static double EquivalentRadiusPx(IReadOnlyList<Point2d> v) => Math.Sqrt(Math.Abs(Outline.SignedAreaPx(v)) / Math.PI);

        private ParticleMeasurement Measure(ActiveOutline.Pass pass, int frame)
        {
            TrackQuality q = pass.TouchesBorder ? TrackQuality.OutOfView
                : pass.SupportedFraction < 0.25 ? TrackQuality.Lost
                : pass.SupportedFraction < 0.6 ? TrackQuality.Weak
                : TrackQuality.Ok;
            // A lost or out-of-view particle keeps its prior (moved with the drift) so it can be picked up again.
            if (q is TrackQuality.Ok or TrackQuality.Weak) Current = Current with { VerticesPx = pass.Vertices };
            var outline = Current;
            bool measured = q is TrackQuality.Ok or TrackQuality.Weak;
            double area = measured ? outline.AreaPx : double.NaN;
            double sigma = measured
                ? outline.PerimeterPx * pass.EdgeScatterPx / Math.Sqrt(Math.Max(1, pass.SupportedFraction * pass.Nodes))
                : double.NaN;
            return new ParticleMeasurement(outline.Name, frame, outline, area, sigma, q);
        }

        /// <summary>Median signal just inside the outline against just outside: is the particle dark (bright field)?</summary>
        private static bool IsDarkerThanSurroundings(ImageSampler image, IReadOnlyList<Point2d> outline)
        {
            var nodes = ActiveOutline.Resample(outline, 2, 24, 512);
            var normals = ActiveOutline.OutwardNormals(nodes);
            var inside = new List<float>(); var outside = new List<float>();
            for (int i = 0; i < nodes.Length; i++)
                for (int s = 3; s <= 8; s++)
                {
                    var pi = new Point2d(nodes[i].X - s * normals[i].X, nodes[i].Y - s * normals[i].Y);
                    var po = new Point2d(nodes[i].X + s * normals[i].X, nodes[i].Y + s * normals[i].Y);
                    if (image.Contains(pi.X, pi.Y)) inside.Add(image.At(pi.X, pi.Y));
                    if (image.Contains(po.X, po.Y)) outside.Add(image.At(po.X, po.Y));
                }
            if (inside.Count == 0 || outside.Count == 0) return true;
            inside.Sort(); outside.Sort();
            return inside[inside.Count / 2] <= outside[outside.Count / 2];
        }
    }
}
