using OpenCvSharp;
using TemAreaTracker.Registration;
using TemAreaTracker.Segmentation;

namespace TemAreaTracker.Tracking;

/// <summary>
/// Follows outlines through a movie one frame at a time (streaming: memory does not grow with movie length).
/// </summary>
/// <remarks>
/// Each frame: stage drift against frame 0 (<see cref="StageDrift"/>); each outline, moved by the drift since the
/// previous frame, is the shape prior from which its nodes search along their normals for the particle's own
/// sub-pixel edge (<see cref="ActiveOutline"/>). On the first frame the drawn outline is refined from afar and the
/// particle's edge model (sphere rim or step, PSF σ, dark or bright) is chosen by least squares.
/// </remarks>
/// <example>
/// <code>
/// var tracker = new Tracker(outlines, new TrackOptions());
/// foreach (var frame in movie.ReadFrames()) using (frame) { var r = tracker.Process(frame); ... }
/// </code>
/// </example>
public sealed class Tracker : IDisposable
{
    private readonly TrackOptions _options;
    private readonly ParticleState[] _particles;
    private StageDrift? _drift;
    private Point2d _lastDrift;

    /// <summary>Starts tracking from <paramref name="outlines"/> drawn on the first frame (or on their own frame when set).</summary>
    public Tracker(IReadOnlyList<Outline> outlines, TrackOptions? options = null)
    {
        if (outlines.Count == 0) throw new ArgumentException("no outlines to track", nameof(outlines));
        foreach (var o in outlines)
            if (o.VerticesPx.Count < 3 || o.AreaPx < 4)
                throw new ArgumentException($"outline '{o.Name}' is empty ({o.VerticesPx.Count} vertices, {o.AreaPx:0.#} px²)", nameof(outlines));
        _options = options ?? new TrackOptions();
        _particles = outlines.Select(o => new ParticleState(o)).ToArray();
    }

    /// <summary>Edge model chosen for each particle on its first frame (null before then).</summary>
    public IReadOnlyList<EdgeModel?> EdgeModels => _particles.Select(p => p.Model).ToArray();

    /// <summary>Measures every started outline in <paramref name="frame"/> (frames must come in order).</summary>
    public FrameResult Process(Frame frame)
    {
        Point2d drift;
        if (_drift is null)
        {
            _drift = new StageDrift(frame);
            drift = new Point2d(0, 0);
        }
        else drift = _options.CorrectDrift ? _drift.Estimate(frame) : new Point2d(0, 0);
        var step = new Point2d(drift.X - _lastDrift.X, drift.Y - _lastDrift.Y);
        _lastDrift = drift;

        using var image = new ImageSampler(frame);
        foreach (var p in _particles)
            if (p.Model is not null) p.Current = p.Current.Translate(step.X, step.Y);

        var results = new ParticleMeasurement?[_particles.Length];
        Parallel.For(0, _particles.Length, i =>
        {
            var p = _particles[i];
            int start = p.Drawn.Frame ?? 0;
            if (frame.Index < start) return;
            results[i] = p.Model is null ? p.Start(image, frame.Index, _options) : p.Follow(image, frame.Index, _options);
        });
        return new FrameResult(frame.Index, drift, results.Where(r => r is not null).Select(r => r!).ToArray());
    }

    /// <summary>Tracks a whole frame sequence (streams; disposes each frame after use).</summary>
    public static IEnumerable<FrameResult> Track(IEnumerable<Frame> frames, IReadOnlyList<Outline> outlines, TrackOptions? options = null)
    {
        using var tracker = new Tracker(outlines, options);
        foreach (var frame in frames)
            using (frame)
                yield return tracker.Process(frame);
    }

    public void Dispose() => _drift?.Dispose();

    private sealed class ParticleState(Outline drawn)
    {
        private const double FirstFrameSmoothing = 2e-6;
        private const double TrackingSmoothing = 1e-5;
        private static readonly double[] BlurGridPx = [0.5, 0.7, 1.0, 1.4, 2.0, 2.8];

        public Outline Drawn { get; } = drawn;
        public Outline Current { get; set; } = drawn;
        public EdgeModel? Model { get; private set; }

        public ParticleMeasurement Start(ImageSampler image, int frame, TrackOptions options)
        {
            var model = EdgeModel.Default(IsDarkerThanSurroundings(image, Drawn.VerticesPx));
            IReadOnlyList<Point2d> v = Drawn.VerticesPx;
            ActiveOutline.Pass? pass = null;
            foreach (double search in new[] { options.FirstFrameSearchPx, options.FirstFrameSearchPx * 0.6, 3.0 })
            {
                pass = ActiveOutline.Refine(image, v, model, search, FirstFrameSmoothing);
                v = pass.Vertices;
            }
            Model = ChooseEdgeModel(image, v, model);
            foreach (double search in new[] { 3.0, 1.5 })
            {
                pass = ActiveOutline.Refine(image, v, Model!, search, FirstFrameSmoothing);
                v = pass.Vertices;
            }
            return Measure(pass!, frame);
        }

        /// <summary>
        /// The edge shape and PSF σ that explain this particle's edge profiles best (least mean residual with the same
        /// windows for every candidate); σ is refined between grid points by a parabola in ln σ.
        /// </summary>
        private static EdgeModel ChooseEdgeModel(ImageSampler image, IReadOnlyList<Point2d> v, EdgeModel model)
        {
            double Score(EdgeModel m) => ActiveOutline.Refine(image, v, m, 2.0, FirstFrameSmoothing, innerPx: 8, outerPx: 7).MeanSse;
            EdgeModel best = model;
            double bestScore = double.PositiveInfinity;
            double[] bestCurve = [];
            int bestIndex = 0;
            foreach (var shape in new[] { EdgeShape.SphereRim, EdgeShape.Step })
            {
                var curve = BlurGridPx.Select(sigma => Score(model with { Shape = shape, BlurSigmaPx = sigma })).ToArray();
                int i = Array.IndexOf(curve, curve.Min());
                if (curve[i] < bestScore) { bestScore = curve[i]; best = model with { Shape = shape, BlurSigmaPx = BlurGridPx[i] }; bestCurve = curve; bestIndex = i; }
            }
            if (bestIndex > 0 && bestIndex < BlurGridPx.Length - 1)
            {
                double x0 = Math.Log(BlurGridPx[bestIndex - 1]), x1 = Math.Log(BlurGridPx[bestIndex]), x2 = Math.Log(BlurGridPx[bestIndex + 1]);
                double y0 = bestCurve[bestIndex - 1], y1 = bestCurve[bestIndex], y2 = bestCurve[bestIndex + 1];
                double denom = (x0 - x1) * (x0 - x2) * (x1 - x2);
                double a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / denom;
                double b = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)) / denom;
                if (a > 0) best = best with { BlurSigmaPx = Math.Exp(Math.Clamp(-b / (2 * a), x0, x2)) };
            }
            return best;
        }

        public ParticleMeasurement Follow(ImageSampler image, int frame, TrackOptions options)
        {
            var pass = ActiveOutline.Refine(image, Current.VerticesPx, Model!, options.MaxEdgeStepPx, TrackingSmoothing);
            if (pass.SupportedFraction >= 0.25 && !pass.TouchesBorder)
                pass = ActiveOutline.Refine(image, pass.Vertices, Model!, 1.5, TrackingSmoothing);
            return Measure(pass, frame);
        }

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
