using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// Moves a prior outline onto a particle's own edge: each node searches along its normal for the sub-pixel edge
/// (<see cref="EdgeProfileFit"/>), and the node displacements are then smoothed as a periodic function of arc length
/// (penalised Fourier series, robust weights: <see cref="PeriodicSmoother"/>) so that nodes without a clear edge — a contact with a neighbour or the
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
            var fit = PeriodicSmoother.Fit(theta, radius, weight, smoothing, out scatter);
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
            var fit = PeriodicSmoother.Fit(theta, disp, weight, smoothing, out scatter);
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
        var nodes = PolygonGeometry.Resample(prior, NodeSpacingPx, minNodes: 24, maxNodes: 512);
        int n = nodes.Length;
        var normals = PolygonGeometry.OutwardNormals(nodes);
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
}
