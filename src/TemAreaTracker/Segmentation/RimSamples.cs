using System.Collections.Concurrent;
using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// The edge windows of one outline's nodes, sampled once, on which candidate edge models are judged
/// (<see cref="Score(ImageSampler, IReadOnlyList{EdgeModel}, double, bool)"/>): by their rim's misfit about the smooth outline each model gives.
/// </summary>
/// <remarks>
/// Three things bias a plain residual toward soft rims under shot noise, each measured on simulated hard-rimmed
/// particles blurred by σ 3.3 px at 30 e/px, where a hard and a soft rim explain the data within ~0.1 % of the noise
/// while their edges lie a pixel apart (the median of free per-node fits, <see cref="ActiveOutline.Pass.MeanSse"/>,
/// chose rims +9 % too large in area): (1) a free edge per node fits that node's noise, and how much depends on the
/// profile — here the edges are those of one smooth outline, a few harmonics shared by all nodes; (2) the bright side
/// of a rim is the noisy one, so of the same samples a model whose edge column leans on the bright ones fits more
/// noise — the fitted noise, tr(H·Σ), is put back (Mallows' correction); (3) a free background slope inside the
/// particle passes for the deficit still rising inward of a soft rim — the background may slope only beyond the rim
/// (a neighbour's or the electrolyte's ramp, the illumination), where it is needed, and from the same point for every
/// candidate, the far end of the search range: hinged at each candidate's own edge, the slope's kink reshapes the
/// rim's outer flank differently for each, and a bright halo beyond the rim (real bright-field images) then passes for
/// a softer rim, whose edge lies at its foot, a px further out (hinged there, real particles came out +9 % in area
/// against their physical edge, now +1-4 %; simulated hard rims at 30 e/px 1.25 % → 0.9 % over ten seeds, fringed ones
/// 0.4-1.5 % → 0.5-1.4 %).
/// <para>Every model is judged on the same samples, the refinement's own windows, so that candidate models differ only
/// by their profile and where their outline crosses each window: comparisons on different samples carry their noise,
/// ~3 % of the score, while the rims to be told apart differ by ~0.1-2 %. Σ, the noise covariance along a window
/// (banded: interpolated samples 0.75 px apart share pixels), is measured without any model from neighbouring nodes
/// 2 px apart (independent noise, nearly the same signal).</para>
/// </remarks>
internal sealed class RimSamples
{
    /// <summary>Bands of the noise covariance along a window (0: variance), 4.5 px.</summary>
    private const int CovarianceBands = 6;

    private readonly IReadOnlyList<Point2d> _prior;
    private readonly double _searchPx, _innerPx, _outerPx, _s0;
    private readonly int _m;
    private readonly double[] _samples;
    // Nodes whose window lies in the frame, with no foreign body beyond and no diffraction contrast inside.
    private readonly bool[] _valid;
    // Row-major m × (CovarianceBands + 1): (var_j, cov_j,j+1, …).
    private readonly double[]? _covariance;
    private readonly double _independentFraction;
    // Scores already judged on these samples, by the model's parameters, smoothing and roundness.
    private readonly ConcurrentDictionary<(double, double, double, bool, double, double, double, bool), RimScore> _judged = new();

    private RimSamples(IReadOnlyList<Point2d> prior, double searchPx, double innerPx, double outerPx, double s0, int m,
        double[] samples, bool[] valid, double[]? covariance, double independentFraction)
    {
        (_prior, _searchPx, _innerPx, _outerPx, _s0, _m) = (prior, searchPx, innerPx, outerPx, s0, m);
        (_samples, _valid, _covariance, _independentFraction) = (samples, valid, covariance, independentFraction);
    }

    /// <summary>
    /// Samples the windows <see cref="ActiveOutline.Refine"/> uses for <paramref name="prior"/> with these lengths, in
    /// the signal of a particle of the given polarity.
    /// </summary>
    public static RimSamples Take(ImageSampler image, IReadOnlyList<Point2d> prior, bool darkParticle, double searchPx, double innerPx, double outerPx)
    {
        var nodes = PolygonGeometry.Resample(prior, ActiveOutline.NodeSpacingPx, minNodes: 24, maxNodes: 512);
        var normals = PolygonGeometry.OutwardNormals(nodes);
        int n = nodes.Length;
        double size = Math.Sqrt(Math.Abs(Outline.SignedAreaPx(nodes)) / Math.PI);
        var (s0, m) = ActiveOutline.Window(size, searchPx, innerPx, outerPx);
        var samples = new double[n * m];
        var valid = new bool[n];
        var beyond = new double[n];
        var step = new double[n];
        for (int i = 0; i < n; i++)
        {
            var (nx, ny, ux, uy) = (nodes[i].X, nodes[i].Y, normals[i].X, normals[i].Y);
            valid[i] = ActiveOutline.AllInside(image, nx, ny, ux, uy, s0, m);
            if (!valid[i])
            {
                (beyond[i], step[i]) = (double.NaN, double.NaN);
                continue;
            }
            var y = samples.AsSpan(i * m, m);
            image.Line(nx, ny, ux, uy, s0, EdgeProfileFit.SampleStepPx, negate: darkParticle, y);
            (beyond[i], step[i]) = ActiveOutline.WindowEnds(y);
        }
        // The same nodes Refine sets aside for a foreign body beyond them (raw samples, so for every model alike).
        var foreign = ActiveOutline.ForeignBodies(beyond, step);
        for (int i = 0; i < n; i++) valid[i] &= !foreign[i];
        SetAsideDarkInteriors(samples, valid, m);
        var covariance = WindowCovariance(samples, valid, m);
        double rho = 0;
        if (covariance is not null)
        {
            double var0 = 0;
            for (int j = 0; j < m; j++) var0 += covariance[j * (CovarianceBands + 1)];
            for (int b = 1; b <= CovarianceBands; b++)
            {
                double sum = 0;
                for (int j = 0; j + b < m; j++) sum += covariance[j * (CovarianceBands + 1) + b];
                rho += sum / (m - b) / (var0 / m);
            }
        }
        // Neighbouring samples' noise is correlated: the independent ones number N/(1 + 2Σ_b ρ_b).
        return new RimSamples(prior, searchPx, innerPx, outerPx, s0, m, samples, valid, covariance, 1 / Math.Max(1, 1 + 2 * rho));
    }

    /// <summary>A rim's misfit under one edge model.</summary>
    /// <param name="Misfit">Mean residual variance per sample, the fitted noise put back (signal units²); +∞ when the
    /// model found too little edge.</param>
    /// <param name="Samples">Independent samples it was judged on (nodes counted × window length, over the correlation
    /// of neighbouring samples), for likelihood comparisons.</param>
    public readonly record struct RimScore(double Misfit, int Samples)
    {
        public static RimScore NotFound => new(double.PositiveInfinity, 0);
    }

    /// <summary>
    /// How well <paramref name="model"/> explains the rim once the outline has settled on it: the outline is refined
    /// with the model (<see cref="ActiveOutline.Refine"/>), and every node is then fitted with its edge held where that
    /// smooth outline crosses its normal (background and amplitude free). Mean over the nodes of the particle's own rim
    /// of the residual variance with the noise the fit absorbed put back: the noise variance plus the model's misfit.
    /// </summary>
    /// <param name="image">The frame the samples were taken from.</param>
    /// <param name="model">Candidate edge model (of the polarity the samples were taken in).</param>
    /// <param name="smoothing">Bending penalty of the refinement.</param>
    /// <param name="round">Refine as a round particle.</param>
    public RimScore Score(ImageSampler image, EdgeModel model, double smoothing, bool round) => Score(image, [model], smoothing, round)[0];

    /// <summary>
    /// <see cref="Score(ImageSampler, EdgeModel, double, bool)"/> of each of <paramref name="models"/> (of one
    /// polarity), the results the same as one call each: the refinements share their window sampling
    /// (<see cref="ActiveOutline.RefineAll"/>).
    /// </summary>
    public RimScore[] Score(ImageSampler image, IReadOnlyList<EdgeModel> models, double smoothing, bool round)
    {
        var scores = new RimScore[models.Count];
        if (_covariance is null)
        {
            Array.Fill(scores, RimScore.NotFound);
            return scores;
        }
        // Model selection scores some models more than once (the absorption row at a σ of the blur grid, the in-focus
        // model beside each fringe): a model judged before on these samples is not refined again.
        var keys = models.Select(m => (m.BlurSigmaPx, m.CentreOpticalThickness, m.RimRadiusPx, m.DarkParticle, m.FringeStrength, m.FringeWidthPx, smoothing, round)).ToArray();
        var todo = Enumerable.Range(0, models.Count).Where(c => !_judged.TryGetValue(keys[c], out scores[c])).ToArray();
        if (todo.Length == 0) return scores;
        // Nodes with a foreign body beyond them are set aside (an empty neighbour list), so that the outline the model
        // is judged on is its own rim's, not pulled in by the electrolyte's ramp at a contact.
        var passes = ActiveOutline.RefineAll(image, _prior, todo.Select(c => models[c]).ToArray(), _searchPx, smoothing, round, _innerPx, _outerPx, neighbours: []);
        for (int k = 0; k < todo.Length; k++) _judged[keys[todo[k]]] = scores[todo[k]] = Judge(passes[k], models[todo[k]].Profile);
        return scores;
    }

    /// <summary>The rim's misfit about one model's refined outline (see <see cref="Score(ImageSampler, EdgeModel, double, bool)"/>).</summary>
    private RimScore Judge(ActiveOutline.Pass pass, RimProfile profile)
    {
        if (pass is not { NodeEdgesPx: { } edges, OwnRimNodes: { } own }) return RimScore.NotFound;
        var score = new List<double>(_valid.Length);
        Span<double> d = stackalloc double[_m];
        Span<double> g = stackalloc double[_m];
        for (int i = 0; i < _valid.Length; i++)
        {
            if (!_valid[i] || !own[i]) continue;
            double v = FixedEdgeMisfit(_samples.AsSpan(i * _m, _m), _covariance!, _s0, edges[i], _searchPx, profile, d, g);
            if (double.IsFinite(v)) score.Add(v);
        }
        if (score.Count == 0) return RimScore.NotFound;
        // Mean, not median: a smooth function of the model (the median steps from one node to another), with the few
        // nodes far off the rest (a Bragg patch at the rim, a contact the foreign-body test missed) capped at 3× the median.
        score.Sort();
        double cap = 3 * score[score.Count / 2], sum = 0;
        foreach (double v in score) sum += Math.Min(v, cap);
        return new RimScore(sum / score.Count, (int)(score.Count * _m * _independentFraction));
    }

    /// <summary>
    /// Sets aside (valid = false) the nodes whose window's inner quarter holds more deficit than the rim's typical one
    /// by over 3 robust standard deviations: a Bragg patch or other diffraction contrast inside the particle, which no
    /// mass-thickness rim explains and which would pass for a softer rim (a deficit still rising inward).
    /// </summary>
    private static void SetAsideDarkInteriors(double[] samples, bool[] valid, int m)
    {
        int q = Math.Max(2, m / 4);
        var inner = new double[valid.Length];
        var list = new List<double>();
        for (int i = 0; i < valid.Length; i++)
        {
            if (!valid[i]) continue;
            double sum = 0;
            for (int j = 0; j < q; j++) sum += samples[i * m + j];
            inner[i] = sum / q;
            list.Add(inner[i]);
        }
        if (list.Count < 8) return;
        list.Sort();
        double median = list[list.Count / 2];
        var dev = list.Select(v => Math.Abs(v - median)).Order().ToList();
        double limit = median + 3 * 1.4826 * dev[dev.Count / 2];
        for (int i = 0; i < valid.Length; i++) if (valid[i] && inner[i] > limit) valid[i] = false;
    }

    /// <summary>
    /// Noise covariance between window positions j and j + b (b ≤ <see cref="CovarianceBands"/>), from the differences
    /// d[i,j] = y[i,j] − y[i+1,j] of neighbouring nodes' samples: the variance as the median of d²/2 over node pairs
    /// divided by 0.455 (the median of χ²₁), the covariances as the mean of d[i,j]·d[i,j+b]/2 over the pairs whose
    /// differences at both positions are typical (d² within 6× the variance: a rim crossing the window at an angle, a
    /// Bragg patch, do not count). Null with fewer than 8 pairs.
    /// </summary>
    private static double[]? WindowCovariance(double[] samples, bool[] valid, int m)
    {
        int n = valid.Length, w = CovarianceBands + 1;
        var pairs = new List<int>(n);
        for (int i = 0; i < n; i++) if (valid[i] && valid[(i + 1) % n]) pairs.Add(i);
        if (pairs.Count < 8) return null;
        var d = new double[pairs.Count * m];
        for (int k = 0; k < pairs.Count; k++)
        {
            int i = pairs[k], next = (i + 1) % n;
            for (int j = 0; j < m; j++) d[k * m + j] = samples[i * m + j] - samples[next * m + j];
        }
        var variance = new double[m];
        var d2 = new double[pairs.Count];
        for (int j = 0; j < m; j++)
        {
            for (int k = 0; k < pairs.Count; k++) d2[k] = 0.5 * d[k * m + j] * d[k * m + j];
            Array.Sort(d2);
            variance[j] = d2[d2.Length / 2] / 0.455;
        }
        var cov = new double[m * w];
        for (int j = 0; j < m; j++)
        {
            cov[j * w] = variance[j];
            for (int b = 1; b <= CovarianceBands && j + b < m; b++)
            {
                double sum = 0;
                int count = 0;
                for (int k = 0; k < pairs.Count; k++)
                {
                    double a0 = d[k * m + j], a1 = d[k * m + j + b];
                    if (a0 * a0 > 6 * variance[j] || a1 * a1 > 6 * variance[j + b]) continue;
                    sum += 0.5 * a0 * a1;
                    count++;
                }
                cov[j * w + b] = count > 0 ? sum / count : 0;
            }
        }
        return cov;
    }

    /// <summary>
    /// Misfit of y(s) = b0 + b1·max(s − s_b, 0) + a·D(e − s), a ≥ 0, with the edge e held fixed, over samples y[j] at
    /// s = s0 + j·<see cref="EdgeProfileFit.SampleStepPx"/>: (SSE + tr(H·Σ))/m, the residual with the noise the fit
    /// absorbed put back (H the hat matrix, Σ the banded noise covariance), i.e. an unbiased estimate of the mean noise
    /// variance plus the model's own misfit. The background's slope starts at s_b = <paramref name="slopeFromPx"/>,
    /// beyond any candidate's edge: inside, a free slope would mimic a soft rim's deficit still rising inward.
    /// <paramref name="d"/> and <paramref name="g"/> are scratch space.
    /// </summary>
    private static double FixedEdgeMisfit(ReadOnlySpan<double> y, double[] covariance, double s0, double e, double slopeFromPx,
        RimProfile profile, Span<double> d, Span<double> g)
    {
        int m = y.Length, w = CovarianceBands + 1;
        double W = m, S = 0, SS = 0, Y = 0, SY = 0, YY = 0, D = 0, DS = 0, DD = 0, DY = 0;
        for (int j = 0; j < m; j++)
        {
            double s = s0 + j * EdgeProfileFit.SampleStepPx, v = y[j];
            double dj = d[j] = profile[e - s];
            double gj = g[j] = Math.Max(s - slopeFromPx, 0);
            S += gj; SS += gj * gj; Y += v; SY += gj * v; YY += v * v;
            D += dj; DS += dj * gj; DD += dj * dj; DY += dj * v;
        }
        Span<double> a = [W, S, D, S, SS, DS, D, DS, DD];
        Span<double> inv = stackalloc double[9];
        double sse = double.NaN;
        bool edge = EdgeProfileFit.Invert3(a, inv);
        if (edge)
        {
            double c0 = inv[0] * Y + inv[1] * SY + inv[2] * DY, c1 = inv[3] * Y + inv[4] * SY + inv[5] * DY, c2 = inv[6] * Y + inv[7] * SY + inv[8] * DY;
            edge = c2 > 0; // wrong polarity: no edge of this particle here, the background alone
            sse = YY - (c0 * Y + c1 * SY + c2 * DY);
        }
        double det = W * SS - S * S;
        if (!edge)
        {
            if (!(det > 0)) return double.NaN;
            double h0 = (SS * Y - S * SY) / det, h1 = (W * SY - S * Y) / det;
            sse = YY - (h0 * Y + h1 * SY);
        }
        // tr(H·Σ) = Σ_j Σ_k H_jk Σ_kj over the bands of Σ; H_jk = x_jᵀ(XᵀX)⁻¹x_k, x = (1, g, D) or (1, g).
        double i00 = inv[0], i01 = inv[1], i02 = inv[2], i11 = inv[4], i12 = inv[5], i22 = inv[8];
        double leverage = 0;
        for (int j = 0; j < m; j++)
        {
            double gj = g[j], dj = d[j];
            for (int b = 0; b <= CovarianceBands && j + b < m; b++)
            {
                int k = j + b;
                double gk = g[k], dk = d[k];
                double h = edge
                    ? i00 + i01 * (gj + gk) + i02 * (dj + dk) + i11 * gj * gk + i12 * (gj * dk + gk * dj) + i22 * dj * dk
                    : (SS - S * (gj + gk) + W * gj * gk) / det;
                leverage += (b == 0 ? 1 : 2) * h * covariance[j * w + b];
            }
        }
        return (Math.Max(sse, 0) + leverage) / m;
    }
}
