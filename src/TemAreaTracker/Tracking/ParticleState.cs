using OpenCvSharp;
using TemAreaTracker.Segmentation;

namespace TemAreaTracker.Tracking;

/// <summary>
/// One outline through the movie: as drawn, where it is now, its edge model, and how its edge is found. First frame:
/// approached from the drawn outline with a default model (<see cref="Approach"/>), its model chosen with the others'
/// (<see cref="EdgeModelChoice"/>), settled (<see cref="Settle"/>) and polished with its neighbours in view
/// (<see cref="Polish"/>); later frames: followed from the moved prior (<see cref="Follow"/>), or, for a cluster
/// outline made of its members, their union (<see cref="MeasureUnion"/>).
/// </summary>
internal sealed class ParticleState(Outline drawn)
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
    public const double SelectionOuterPx = 6; // EdgeModelChoice widens it to hold a fringe
    private const double SelectionSearchPx = 2;
    // Two settled outlines whose supported fractions differ by less than this found the edge equally well.
    private const double SupportTolerance = 0.05;
    private int _framesFollowed;

    public Outline Drawn { get; } = drawn;
    public bool Round { get; } = Solidity(drawn.VerticesPx) >= RoundSolidity;
    public Outline Current { get; set; } = drawn;

    /// <summary>The edge model: a default one once approached, then the one <see cref="EdgeModelChoice"/> chose, then followed.</summary>
    public EdgeModel? Model { get; set; }

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
    /// Candidate edge models are judged on the approached outline's windows, sampled once per window length (and
    /// refined together: see <see cref="RimSamples.Score(ImageSampler, IReadOnlyList{EdgeModel}, double, bool)"/>).
    /// </summary>
    public RimSamples.RimScore[] Score(ImageSampler image, IReadOnlyList<EdgeModel> models, double outerPx = SelectionOuterPx)
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

    /// <summary>A later frame: the edge found from the moved prior, the model following the particle's swelling.</summary>
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
        var nodes = PolygonGeometry.Resample(outline, 2, 24, 512);
        var normals = PolygonGeometry.OutwardNormals(nodes);
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
