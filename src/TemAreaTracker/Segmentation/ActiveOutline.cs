using System.Numerics;
using System.Numerics.Tensors;
using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// Moves a prior outline onto a particle's own edge: each node searches along its normal for the sub-pixel edge
/// (<see cref="EdgeProfileFit"/>), and the node displacements are then smoothed as a periodic function of arc length
/// (penalised Fourier series, robust weights) so that nodes without a clear edge — a contact with a neighbour or the
/// electrolyte, a Bragg patch at the rim — follow their neighbours instead of jumping.
/// </summary>
internal static class ActiveOutline
{
    /// <summary>Result of one refinement pass.</summary>
    /// <param name="Vertices">New outline, px.</param>
    /// <param name="SupportedFraction">Fraction of nodes where an edge of the right sign was found, among those not set
    /// aside because a foreign body lies beyond them.</param>
    /// <param name="EdgeScatterPx">Robust scatter of node edges about the smooth outline, px.</param>
    /// <param name="TouchesBorder">The outline comes within <see cref="BorderMarginPx"/> of the frame's edge, where the
    /// particle may be cut by it (no area can be measured).</param>
    /// <param name="MeanSse">Median residual variance of the node fits (for model selection; the median so that
    /// contacts, Bragg patches and other odd nodes do not choose the model).</param>
    /// <param name="Nodes">Number of nodes.</param>
    /// <param name="NodeEdgesPx">Where the smooth outline, before its curvature shift, crosses each node's normal: the
    /// 1-D model's edge offset at every node of the prior (null when too little edge was found to smooth).</param>
    /// <param name="OwnRimNodes">The nodes <paramref name="MeanSse"/> is judged on: fitted, with no neighbour's rim or
    /// foreign body in their window (null with <paramref name="NodeEdgesPx"/>).</param>
    public sealed record Pass(Point2d[] Vertices, double SupportedFraction, double EdgeScatterPx, bool TouchesBorder, double MeanSse, int Nodes,
        double[]? NodeEdgesPx = null, bool[]? OwnRimNodes = null);

    /// <summary>Node spacing along the outline, px.</summary>
    public const double NodeSpacingPx = 2.0;

    /// <summary>Significance (Δχ²) above which a node's edge counts as found.</summary>
    private const double MinSignificance = 9;

    /// <summary>Relative weight of a node whose profile a neighbour's rim crosses.</summary>
    private const double ContestedWeight = 0.3;

    /// <param name="image">The frame.</param>
    /// <param name="prior">Outline to start from (px).</param>
    /// <param name="model">The particle's edge model.</param>
    /// <param name="searchPx">How far along each normal the edge is sought.</param>
    /// <param name="smoothing">Bending penalty λ on node displacements (or, for round particles, on the radius).</param>
    /// <param name="round">
    /// True for a single, roughly round particle: the outline is fitted as a smooth radius function r(θ) about its
    /// centre, so contacts with neighbours or the electrolyte, where no clean edge is seen, are bridged by the shape
    /// of the rest of the rim instead of being flattened. False for a cluster outline (its notches are real).
    /// </param>
    /// <param name="innerPx">Profile length inside the edge (default from σ).</param>
    /// <param name="outerPx">Profile length outside the edge (default from σ).</param>
    /// <param name="neighbours">Neighbouring particles whose rims may cross the profiles. When given (even empty), nodes
    /// with an unmodelled foreign body beyond them are set aside; without (capturing a drawn outline, before the
    /// neighbours are known) they are kept.</param>
    public static Pass Refine(ImageSampler image, IReadOnlyList<Point2d> prior, EdgeModel model, double searchPx,
        double smoothing, bool round = false, double? innerPx = null, double? outerPx = null, IReadOnlyList<Neighbour>? neighbours = null) =>
        Smooth(image, FitNodes(image, prior, [model], searchPx, innerPx, outerPx, neighbours, displacements: true)[0], model, smoothing, round);

    /// <summary>
    /// <see cref="Refine"/> of the same prior with each of several candidate models, the results the same as one
    /// <see cref="Refine"/> each: every node's window is sampled and prepared once and fitted with every model's
    /// profile (model selection refines one outline with dozens of models). The models must look at the same window,
    /// as for <see cref="Score(ImageSampler, IReadOnlyList{Point2d}, IReadOnlyList{EdgeModel}, double, double?, double?, IReadOnlyList{Neighbour})"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The models differ in polarity or window.</exception>
    public static Pass[] RefineAll(ImageSampler image, IReadOnlyList<Point2d> prior, IReadOnlyList<EdgeModel> models, double searchPx,
        double smoothing, bool round = false, double? innerPx = null, double? outerPx = null, IReadOnlyList<Neighbour>? neighbours = null)
    {
        var fits = FitNodes(image, prior, models, searchPx, innerPx, outerPx, neighbours, displacements: true);
        var passes = new Pass[fits.Length];
        for (int c = 0; c < fits.Length; c++) passes[c] = Smooth(image, fits[c], models[c], smoothing, round);
        return passes;
    }

    /// <summary>The new outline from one model's node fits: the node edges smoothed (see <see cref="Refine"/>).</summary>
    private static Pass Smooth(ImageSampler image, NodeFits fits, EdgeModel model, double smoothing, bool round)
    {
        var (nodes, normals, disp, weight, border, size) = (fits.Nodes, fits.Normals, fits.Displacement, fits.Weight, fits.TouchesBorder, fits.SizePx);
        int n = nodes.Length;
        double sigma = model.BlurSigmaPx;
        int supported = 0;
        foreach (double w in weight) if (w > 0) supported++;
        // Nodes set aside for a foreign body are bridged, like contested ones, not missing: support is counted among
        // the rest, so that a particle pressed against the electrolyte is not taken for one losing its edge.
        double supportedFraction = (double)supported / Math.Max(1, n - fits.SetAside);
        double typicalSse = fits.MedianNoiseVariance;
        // Too little rim found while part of it was cut from view by the border: the particle is likelier leaving the
        // frame than lost.
        if (supported < Math.Max(6, n / 5))
            return new Pass(nodes, supportedFraction, double.NaN, border || fits.Clipped > 0, typicalSse, n);

        // Profiles are modelled in 1-D, but the PSF also blurs along the curved rim: to second order that moves the
        // apparent edge of a convex rim of radius ρ inward by σ²/(2ρ) (Gaussian blur ≈ f + σ²/2·∇²f, ∇²f = f'' + f'/ρ).
        double curvatureShift = sigma * sigma / (2 * Math.Max(size, 3));
        var result = new Point2d[n];
        var nodeEdges = new double[n];
        double scatter;
        if (round)
        {
            // Edge points in polar form about the prior's centre; r(θ) smoothed with the bending penalty on r itself.
            var c = new Outline("", nodes).Centroid;
            var theta = new double[n];
            var radius = new double[n];
            for (int i = 0; i < n; i++)
            {
                double ex = nodes[i].X + disp[i] * normals[i].X - c.X, ey = nodes[i].Y + disp[i] * normals[i].Y - c.Y;
                theta[i] = Math.Atan2(ey, ex);
                radius[i] = Math.Sqrt(ex * ex + ey * ey);
            }
            var fit = SmoothPeriodic(theta, radius, weight, smoothing, out scatter);
            for (int i = 0; i < n; i++)
            {
                double th = 2 * Math.PI * i / n, r = fit(th) + curvatureShift;
                result[i] = new Point2d(c.X + r * Math.Cos(th), c.Y + r * Math.Sin(th));
                // Along the node's own normal: solve |p(t) − c| = r(θ(t)) for p(t) = node + t·normal (Newton; the
                // normal is close to radial, so the radius grows at about unit rate along it).
                double t = disp[i];
                for (int it = 0; it < 3; it++)
                {
                    double px = nodes[i].X + t * normals[i].X - c.X, py = nodes[i].Y + t * normals[i].Y - c.Y;
                    double rho = Math.Sqrt(px * px + py * py);
                    double rate = rho > 0 ? (px * normals[i].X + py * normals[i].Y) / rho : 1;
                    t -= (rho - fit(Math.Atan2(py, px))) / Math.Max(rate, 0.3);
                }
                nodeEdges[i] = t;
            }
        }
        else
        {
            var theta = Enumerable.Range(0, n).Select(i => 2 * Math.PI * i / n).ToArray();
            var fit = SmoothPeriodic(theta, disp, weight, smoothing, out scatter);
            for (int i = 0; i < n; i++)
            {
                nodeEdges[i] = fit(theta[i]);
                double d = nodeEdges[i] + curvatureShift;
                result[i] = new Point2d(nodes[i].X + d * normals[i].X, nodes[i].Y + d * normals[i].Y);
            }
        }
        // Bridged nodes by the border (their windows cut) must not carry the outline past it.
        double margin = BorderMarginPx(model);
        foreach (var v in result) border |= !image.ContainsWithin(v.X, v.Y, margin);
        return new Pass(result, supportedFraction, scatter, border, typicalSse, n, nodeEdges, fits.OwnRim);
    }

    /// <summary>
    /// How well <paramref name="model"/> explains the edge around <paramref name="prior"/>: the median residual variance
    /// of the node fits, i.e. <see cref="Pass.MeanSse"/> of <see cref="Refine"/> with the same arguments, without
    /// smoothing a new outline that model selection would throw away.
    /// </summary>
    public static double Score(ImageSampler image, IReadOnlyList<Point2d> prior, EdgeModel model, double searchPx,
        double? innerPx = null, double? outerPx = null, IReadOnlyList<Neighbour>? neighbours = null) =>
        FitNodes(image, prior, [model], searchPx, innerPx, outerPx, neighbours, displacements: false)[0].MedianNoiseVariance;

    /// <summary>
    /// <see cref="Score(ImageSampler, IReadOnlyList{Point2d}, EdgeModel, double, double?, double?, IReadOnlyList{Neighbour})"/>
    /// of several candidate models at once: each node's window is sampled once and fitted with every model's profile.
    /// The models must look at the same window (same polarity; give <paramref name="innerPx"/> and
    /// <paramref name="outerPx"/>, else the window depends on each model's blur).
    /// </summary>
    /// <exception cref="ArgumentException">The models differ in polarity or window.</exception>
    public static double[] Score(ImageSampler image, IReadOnlyList<Point2d> prior, IReadOnlyList<EdgeModel> models, double searchPx,
        double? innerPx = null, double? outerPx = null, IReadOnlyList<Neighbour>? neighbours = null) =>
        FitNodes(image, prior, models, searchPx, innerPx, outerPx, neighbours, displacements: false).Select(f => f.MedianNoiseVariance).ToArray();

    /// <summary>Every node's edge fit of one pass with one model (before smoothing).</summary>
    // SetAside: nodes given no weight because a foreign body lies beyond them (ForeignBodies) or their window reaches
    // past the frame's border (Clipped, of them); MedianNoiseVariance:
    // the median residual variance over the nodes of the particle's own, uncrowded rim (OwnRim).
    private sealed record NodeFits(Point2d[] Nodes, Point2d[] Normals, double[] Displacement, double[] Weight, bool TouchesBorder,
        double SizePx, int SetAside, int Clipped, double MedianNoiseVariance, bool[] OwnRim);

    /// <summary>The node fits of each model (displacements and weights only when asked for).</summary>
    private static NodeFits[] FitNodes(ImageSampler image, IReadOnlyList<Point2d> prior, IReadOnlyList<EdgeModel> models, double searchPx,
        double? innerPx, double? outerPx, IReadOnlyList<Neighbour>? neighbours, bool displacements)
    {
        if (models.Count == 0) throw new ArgumentException("no models", nameof(models));
        var nodes = Resample(prior, NodeSpacingPx, minNodes: 24, maxNodes: 512);
        int n = nodes.Length;
        var normals = OutwardNormals(nodes);
        double size = Math.Sqrt(Math.Abs(Outline.SignedAreaPx(nodes)) / Math.PI);
        (double S0, int M) WindowOf(EdgeModel model) => Window(size, searchPx,
            innerPx ?? Math.Max(3 * model.BlurSigmaPx + 3, 5), outerPx ?? 3 * model.BlurSigmaPx + 2.5);
        var (s0, m) = WindowOf(models[0]);
        bool dark = models[0].DarkParticle;
        int k = models.Count;
        // Every node's window has the same s0 and length: the edge column is tabulated once for all of them.
        var columns = new EdgeColumnTable[k];
        for (int c = 0; c < k; c++)
        {
            if (WindowOf(models[c]) != (s0, m) || models[c].DarkParticle != dark)
                throw new ArgumentException("the models look at different windows or polarities", nameof(models));
            columns[c] = models[c].Profile.Columns(s0, m, EdgeProfileFit.MaxOffsetPx(searchPx));
        }
        var disp = displacements ? new double[k][] : null;
        var weight = displacements ? new double[k][] : null;
        for (int c = 0; displacements && c < k; c++) { disp![c] = new double[n]; weight![c] = new double[n]; }
        // Residual variance of model c's fit at node i, at c·n + i (NaN: not fitted, or contested by a neighbour's rim).
        var sse = new double[k * n];
        Array.Fill(sse, double.NaN);
        // Per node, model-free: mean signal at the window's far end, and the step from its inner end to there (NaN
        // where a neighbour's rim is modelled or the window left the frame).
        var beyond = new double[n];
        var step = new double[n];
        Array.Fill(beyond, double.NaN);
        Array.Fill(step, double.NaN);
        bool border = false;
        int clipped = 0;
        double borderMargin = BorderMarginPx(models[0]);
        Span<double> y = stackalloc double[m];
        Span<double> rival = stackalloc double[m];
        int stride = columns[0].Stride;
        Span<double> yBuffer = stackalloc double[stride];
        Span<double> rivalBuffer = stackalloc double[stride];
        double sLast = s0 + (m - 1) * EdgeProfileFit.SampleStepPx;
        for (int i = 0; i < n; i++)
        {
            // The window is a straight segment and the frame convex: both ends inside (by more than rounding) means
            // every sample is; only windows ending at the border are checked sample by sample.
            var (nx, ny, ux, uy) = (nodes[i].X, nodes[i].Y, normals[i].X, normals[i].Y);
            if (!(image.ContainsWithin(nx + s0 * ux, ny + s0 * uy, 1e-6) && image.ContainsWithin(nx + sLast * ux, ny + sLast * uy, 1e-6))
                && !AllInside(image, nx, ny, ux, uy, s0, m))
            {
                // A window that only reaches past the border is set aside and bridged like a contact, so that a particle
                // a few px from the frame's edge (fully in view) is still measured; an outline at the border is not.
                if (image.ContainsWithin(nx, ny, borderMargin)) clipped++;
                else border = true;
                continue;
            }
            image.Line(nx, ny, ux, uy, s0, EdgeProfileFit.SampleStepPx, negate: dark, y);
            bool contested = RivalColumn(nodes[i], normals[i], s0, neighbours, dark, rival);
            if (!contested) (beyond[i], step[i]) = WindowEnds(y);
            var window = new EdgeProfileFit.NodeWindow(y, contested ? rival : default, columns[0], yBuffer, rivalBuffer);
            for (int c = 0; c < k; c++)
            {
                var r = EdgeProfileFit.Fit(in window, columns[c], searchPx);
                if (!contested) sse[c * n + i] = r.NoiseVariance;
                if (displacements && r.Significance >= MinSignificance)
                {
                    disp![c][i] = r.OffsetPx;
                    // Where a neighbour's rim crosses the profile the edge is contested: it counts, but less than a clean one.
                    weight![c][i] = Math.Min(1, r.Significance / (4 * MinSignificance)) * (contested ? ContestedWeight : 1);
                }
            }
        }
        var foreign = ForeignBodies(beyond, step);
        // Only once neighbours are modelled: while a drawn outline is first captured, every neighbour is an unmodelled
        // dark body too, and setting those nodes aside leaves a crowded particle too little rim to be pulled in by.
        int setAside = clipped;
        if (neighbours is not null)
            for (int i = 0; i < n; i++)
            {
                if (!foreign[i]) continue;
                setAside++;
                for (int c = 0; displacements && c < k; c++) weight![c][i] = 0;
            }
        var result = new NodeFits[k];
        for (int c = 0; c < k; c++)
        {
            // The typical fit is judged on the particle's own, uncrowded rim: where a neighbour or a foreign body lies
            // beyond the edge, no edge model of this particle fits, and such nodes would choose the model.
            var modelSse = sse.AsSpan(c * n, n);
            var ownRim = new bool[n];
            int count = 0;
            for (int i = 0; i < n; i++) if (ownRim[i] = double.IsFinite(modelSse[i]) && !foreign[i]) count++;
            if (count < 8) for (int i = 0; i < n; i++) ownRim[i] = double.IsFinite(modelSse[i]);
            var own = new List<double>(n);
            for (int i = 0; i < n; i++) if (ownRim[i]) own.Add(modelSse[i]);
            double typicalSse = own.Count > 0 ? RobustStats.UpperMedian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(own)) : double.PositiveInfinity;
            result[c] = new NodeFits(nodes, normals, displacements ? disp![c] : [], displacements ? weight![c] : [], border, size, setAside, clipped, typicalSse, ownRim);
        }
        return result;
    }

    /// <summary>
    /// How close to the frame's edge an outline may come and still be measured: one PSF σ (at least 1 px), within
    /// which the blurred rim's outer half, and possibly the particle itself, is cut by the border.
    /// </summary>
    public static double BorderMarginPx(EdgeModel model) => Math.Max(model.BlurSigmaPx, 1);

    /// <summary>
    /// A node's profile window for an outline of equivalent radius <paramref name="sizePx"/>: its first sample's
    /// offset along the normal (px, negative: inside) and its number of samples.
    /// </summary>
    internal static (double S0, int M) Window(double sizePx, double searchPx, double innerPx, double outerPx)
    {
        // Do not reach across the particle: the far side of a small particle is another edge.
        double inner = Math.Min(Math.Min(innerPx, Math.Max(0.6 * sizePx - searchPx, 2.5)), EdgeModel.MaxInsidePx - 2 * searchPx);
        double s0 = -(searchPx + inner);
        return (s0, (int)Math.Floor((searchPx + outerPx - s0) / EdgeProfileFit.SampleStepPx) + 1);
    }

    /// <summary>Every sample of the window from <paramref name="s0"/> (m samples) along the normal lies in the frame.</summary>
    internal static bool AllInside(ImageSampler image, double nx, double ny, double ux, double uy, double s0, int m)
    {
        for (int j = 0; j < m; j++)
        {
            double s = s0 + j * EdgeProfileFit.SampleStepPx;
            if (!image.Contains(nx + s * ux, ny + s * uy)) return false;
        }
        return true;
    }

    /// <summary>
    /// Beyond a particle's edge lies the support, as bright all round the particle as the carbon's mottling and the
    /// illumination's slow fall-off allow. Where the far end of a node's window is darker than that by more than
    /// <see cref="ForeignContrast"/> times the particle's own contrast (the typical step from the window's inner end
    /// to its far end), something no tracked outline explains lies there — the electrolyte body, whose √-ramp rim the
    /// edge model takes for this particle's and so pulls the edge inward by px; an untraced particle; a label — and
    /// the node's edge is not this particle's alone: it is set aside (true entries) and the shape of the rest of the
    /// rim bridges it. Both measures are raw samples, the same whatever edge model is being tried, so that model
    /// selection compares every candidate on the same nodes. Reference: the brightest quarter of the nodes, so that
    /// the rule holds while up to three quarters of the rim is crowded.
    /// </summary>
    internal static bool[] ForeignBodies(double[] beyond, double[] step)
    {
        var foreign = new bool[beyond.Length];
        if (RobustStats.OfFinite(beyond, count => count / 4, atLeast: 8) is not { } reference) return foreign;
        double limit = ForeignContrast * (RobustStats.OfFinite(step, count => count / 2) ?? double.NaN);
        if (!(limit > 0)) return foreign;
        for (int i = 0; i < beyond.Length; i++) foreign[i] = beyond[i] - reference > limit;
        return foreign;
    }

    /// <summary>
    /// Darkening beyond a node, relative to the particle's own contrast, that marks a foreign body: more than the
    /// particle itself absorbs at its rim, as a thick body (the electrolyte, a label) does; a neighbour of the same kind
    /// stays below it (a lower limit, 0.3, also set aside untraced neighbours on real images and grew their outlines).
    /// </summary>
    private const double ForeignContrast = 1.0;

    /// <summary>Samples averaged at each end of a window (2.25 px): at the far end they lie beyond any edge the search can find.</summary>
    private const int EndSamples = 4;

    /// <summary>A window's mean signal at its far end, and the step from its inner end to there (for <see cref="ForeignBodies"/>).</summary>
    internal static (double Beyond, double Step) WindowEnds(ReadOnlySpan<double> y)
    {
        double beyond = Mean(y[^EndSamples..]);
        return (beyond, Mean(y[..EndSamples]) - beyond);
    }

    private static double Mean(ReadOnlySpan<double> v)
    {
        double sum = 0;
        foreach (double x in v) sum += x;
        return sum / v.Length;
    }

    /// <summary>
    /// The rim deficit of the neighbour (if any) whose outline this node's window crosses, sampled along the window;
    /// false when no neighbour comes within reach.
    /// </summary>
    private static bool RivalColumn(Point2d node, Point2d normal, double s0, IReadOnlyList<Neighbour>? neighbours, bool dark, Span<double> column)
    {
        if (neighbours is null || neighbours.Count == 0) return false;
        bool any = false;
        column.Clear();
        foreach (var nb in neighbours)
        {
            // Same polarity as ours: a dark neighbour lowers intensity inside it, and the signal is sign-flipped alike.
            if (nb.Model.DarkParticle != dark) continue;
            double reach = 5 * nb.Model.BlurSigmaPx + 1;
            for (int j = 0; j < column.Length; j++)
            {
                double s = s0 + j * EdgeProfileFit.SampleStepPx;
                double depth = nb.DepthInside(node.X + s * normal.X, node.Y + s * normal.Y);
                if (depth < -reach) continue;
                column[j] += nb.Model.Profile[depth];
                any = true;
            }
        }
        return any;
    }

    /// <summary>
    /// Penalised robust Fourier fit of a periodic function f(θ) to values v at angles θ: minimises
    /// Σ wᵢ ρ(vᵢ − f(θᵢ)) + λ Σw Σ k⁴ (aₖ² + bₖ²) with Tukey's ρ by iteratively reweighted least squares.
    /// The k⁴ penalty is a bending energy: high harmonics (node noise, contact dents) are damped, while the mean
    /// (uniform swelling) and k = 1 (a shift) are free.
    /// </summary>
    internal static Func<double, double> SmoothPeriodic(double[] theta, double[] v, double[] w0, double smoothing, out double scatter)
    {
        int n = v.Length;
        // The bending penalty makes harmonics above ~16 negligible for any smoothing used here.
        int K = Math.Min(16, (n - 1) / 2);
        int p = 2 * K + 1;
        // Harmonics up to 2K per node: the first p columns are the basis; all of them give the weighted trigonometric
        // moments Cₘ = Σ wᵢ cos mθᵢ, Sₘ = Σ wᵢ sin mθᵢ (m ≤ 2K), from which every entry of XᵀWX follows by the
        // product-to-sum identities — n·4K products per iteration instead of n·p²/2.
        int q = 4 * K + 1;
        // Pooled: n·q doubles is over the large-object threshold for big outlines, and this runs ~10 times a frame.
        var X = System.Buffers.ArrayPool<double>.Shared.Rent(n * q);
        for (int i = 0; i < n; i++) Harmonics(theta[i], 2 * K, X.AsSpan(i * q, q));
        var w = (double[])w0.Clone();
        var coef = new double[p];
        var A = new double[p * p];
        var b = new double[p];
        var f = new double[n];
        var C = new double[2 * K + 1];
        var S = new double[2 * K + 1];
        var res = new double[n];
        scatter = double.NaN;
        // M[t] = Σ wᵢ·hₜ(θᵢ) over all q harmonics: M₀ = Σw, M₂ₘ₋₁ = Cₘ, M₂ₘ = Sₘ (one contiguous, vectorised row update per node).
        var M = new double[q];
        for (int iter = 0; iter < 4; iter++)
        {
            Array.Clear(b); Array.Clear(M);
            for (int i = 0; i < n; i++)
            {
                double wi = w[i];
                if (wi <= 0) continue;
                var h = X.AsSpan(i * q, q);
                AddScaled(b, h[..p], wi * v[i]);
                AddScaled(M, h, wi);
            }
            double sw = M[0];
            C[0] = sw;
            for (int m = 1; m <= 2 * K; m++) { C[m] = M[2 * m - 1]; S[m] = M[2 * m]; }
            // Basis r: 0 → 1, 2k−1 → cos kθ, 2k → sin kθ.
            for (int r = 0; r < p; r++)
            {
                int j = (r + 1) / 2; bool js = r > 0 && r % 2 == 0;
                for (int c = r; c < p; c++)
                {
                    int k = (c + 1) / 2; bool ks = c > 0 && c % 2 == 0;
                    int d = Math.Abs(j - k), e = j + k;
                    double val;
                    if (!js && !ks) val = 0.5 * (C[d] + C[e]);
                    else if (js && ks) val = 0.5 * (C[d] - C[e]);
                    else if (!js) val = 0.5 * (S[e] - Math.Sign(j - k) * S[d]); // cos jθ · sin kθ
                    else val = 0.5 * (S[e] - Math.Sign(k - j) * S[d]);          // sin jθ · cos kθ
                    A[r * p + c] = val;
                    A[c * p + r] = val;
                }
            }
            for (int k = 1; k <= K; k++)
            {
                double pen = smoothing * sw * Math.Pow(k, 4) + 1e-9 * sw;
                A[(2 * k - 1) * p + 2 * k - 1] += pen; A[2 * k * p + 2 * k] += pen;
            }
            A[0] += 1e-9 * sw;
            if (!SmallLinearSolve.Solve(A, b, coef, p)) break;
            int nres = 0;
            for (int i = 0; i < n; i++)
            {
                double fi = TensorPrimitives.Dot(X.AsSpan(i * q, p), coef);
                f[i] = fi;
                if (w0[i] > 0) res[nres++] = Math.Abs(v[i] - fi);
            }
            double mad = nres > 0 ? RobustStats.UpperMedian(res.AsSpan(0, nres)) * 1.4826 : 0;
            scatter = mad;
            double c4 = 4.685 * Math.Max(mad, 0.05);
            for (int i = 0; i < n; i++)
            {
                if (w0[i] <= 0) continue;
                double u = (v[i] - f[i]) / c4;
                w[i] = Math.Abs(u) >= 1 ? 0 : w0[i] * (1 - u * u) * (1 - u * u);
            }
        }
        System.Buffers.ArrayPool<double>.Shared.Return(X);
        var a = coef;
        // The series summed as the harmonics come (the same recurrence and order as Harmonics, so the same values),
        // without a buffer: a round outline's smoothing evaluates it four times a node.
        return th =>
        {
            double c1 = Math.Cos(th), s1 = Math.Sin(th), c = c1, s = s1;
            double sum = 0;
            sum += a[0];
            for (int k = 1; k <= K; k++)
            {
                sum += a[2 * k - 1] * c;
                sum += a[2 * k] * s;
                (c, s) = (c * c1 - s * s1, s * c1 + c * s1);
            }
            return sum;
        };
    }

    /// <summary>
    /// acc += x · f, element by element (each the same product then sum as TensorPrimitives.MultiplyAdd, unfused): a
    /// plain vector loop, since for rows of a few dozen values the library call's set-up cost as much as the sums.
    /// </summary>
    private static void AddScaled(Span<double> acc, ReadOnlySpan<double> x, double f)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vf = new Vector<double>(f);
            for (; j <= acc.Length - Vector<double>.Count; j += Vector<double>.Count)
                (new Vector<double>(x[j..]) * vf + new Vector<double>(acc[j..])).CopyTo(acc[j..]);
        }
        for (; j < acc.Length; j++) acc[j] = x[j] * f + acc[j];
    }

    /// <summary>(1, cos θ, sin θ, cos 2θ, sin 2θ, …, cos Kθ, sin Kθ) by the angle-addition recurrence (two trig calls, not 2K).</summary>
    private static void Harmonics(double theta, int K, Span<double> h)
    {
        h[0] = 1;
        if (K == 0) return;
        double c1 = Math.Cos(theta), s1 = Math.Sin(theta), c = c1, s = s1;
        for (int k = 1; k <= K; k++)
        {
            h[2 * k - 1] = c; h[2 * k] = s;
            (c, s) = (c * c1 - s * s1, s * c1 + c * s1);
        }
    }

    /// <summary>Evenly spaced points along a closed polygon.</summary>
    internal static Point2d[] Resample(IReadOnlyList<Point2d> poly, double spacingPx, int minNodes, int maxNodes)
    {
        int n = poly.Count;
        var cum = new double[n + 1];
        for (int i = 0; i < n; i++)
        {
            var a = poly[i]; var b = poly[(i + 1) % n];
            cum[i + 1] = cum[i] + Math.Sqrt((b.X - a.X) * (b.X - a.X) + (b.Y - a.Y) * (b.Y - a.Y));
        }
        double total = cum[n];
        int count = Math.Clamp((int)Math.Round(total / spacingPx), minNodes, maxNodes);
        var result = new Point2d[count];
        int seg = 0;
        for (int k = 0; k < count; k++)
        {
            double t = total * k / count;
            while (seg < n - 1 && cum[seg + 1] < t) seg++;
            double len = cum[seg + 1] - cum[seg];
            double f = len > 0 ? (t - cum[seg]) / len : 0;
            var a = poly[seg]; var b = poly[(seg + 1) % n];
            result[k] = new Point2d(a.X + f * (b.X - a.X), a.Y + f * (b.Y - a.Y));
        }
        return result;
    }

    /// <summary>Unit outward normals from a smoothed tangent (neighbours ±2), whatever the polygon's orientation.</summary>
    internal static Point2d[] OutwardNormals(Point2d[] nodes)
    {
        int n = nodes.Length;
        double orientation = Math.Sign(Outline.SignedAreaPx(nodes));
        if (orientation == 0) orientation = 1;
        var normals = new Point2d[n];
        for (int i = 0; i < n; i++)
        {
            var a = nodes[(i - 2 + n) % n]; var a1 = nodes[(i - 1 + n) % n];
            var b = nodes[(i + 2) % n]; var b1 = nodes[(i + 1) % n];
            double tx = (b.X - a.X) + 2 * (b1.X - a1.X), ty = (b.Y - a.Y) + 2 * (b1.Y - a1.Y);
            double len = Math.Sqrt(tx * tx + ty * ty);
            if (len == 0) { normals[i] = new Point2d(0, 0); continue; }
            // With y down, a counter-clockwise-in-math (positive shoelace) polygon has its outside to the right of travel.
            normals[i] = new Point2d(orientation * ty / len, -orientation * tx / len);
        }
        return normals;
    }
}
