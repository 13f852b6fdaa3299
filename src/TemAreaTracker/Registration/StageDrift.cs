using OpenCvSharp;

namespace TemAreaTracker.Registration;

/// <summary>How a frame's stage drift was measured.</summary>
public enum DriftMethod
{
    /// <summary>The reference frame itself (drift zero by definition).</summary>
    Reference,

    /// <summary>On the specimen support around the particles (<see cref="StageDrift"/>'s own path).</summary>
    Support,

    /// <summary>
    /// Whole-frame normalised cross-correlation against a key frame: the support had no texture to register on (vacuum, liquid),
    /// so the particles are what is registered, and one that swells unevenly biases it.
    /// </summary>
    WholeFrame,

    /// <summary>Nothing could be registered: the previous frame's drift is repeated.</summary>
    Unmeasured,
}

/// <summary>A frame's stage drift.</summary>
/// <param name="Px">Drift relative to the reference frame in px: content at p in the reference is at p + drift in this
/// frame (+x right, +y down).</param>
/// <param name="Method">How it was measured.</param>
/// <param name="Patches">Support patches that agreed on it (0 unless <see cref="DriftMethod.Support"/>).</param>
public readonly record struct DriftEstimate(Point2d Px, DriftMethod Method, int Patches);

/// <summary>
/// Estimates stage drift frame by frame against the reference frame (usually frame 0), measured on the specimen support
/// around the outlined particles: textured patches of the support, each matched against its key appearance, in
/// consensus (<see cref="SupportPatches"/>). Where the support has no texture to register on, whole-frame normalised
/// cross-correlation against a key frame stands in (<see cref="WholeFrameDrift"/>, marked <see cref="DriftMethod.WholeFrame"/>).
/// </summary>
/// <remarks>
/// <para>Why the support: the particles swell, and a particle pressed against the electrolyte swells away from it, so
/// registering frames on the particles (as a whole-frame correlation does) follows the swelling; frame to frame, that
/// bias (about 0.5 px a frame on a swelling cluster) accumulates into tens of px. The support only moves with the
/// stage, and matching each patch against its key appearance, not the previous frame, keeps errors from accumulating.</para>
/// <para>Each frame: the patches are searched ±<see cref="SupportPatches.SearchPx"/> px around the previous frame's
/// drift; if they do not agree (a stage jump beyond the search, or no texture), ±<see cref="SupportPatches.WideSearchPx"/>
/// px, then around the whole-frame correlation's drift when it lies further still. A frame the support still cannot
/// measure keeps the previous frame's drift (<see cref="DriftMethod.Unmeasured"/>). After
/// <see cref="FailuresToPause"/> frames running without a support consensus the support is only tried again after a
/// pause (doubling from <see cref="FirstRetryFrames"/> to <see cref="MaxRetryFrames"/> frames), on patches chosen
/// afresh: a movie with no texture then costs the whole-frame correlation alone.</para>
/// </remarks>
public sealed class StageDrift : IDisposable
{
    /// <summary>
    /// Frames running without a support consensus after which the support is set aside, and the pause before it is
    /// tried again (doubling each time it still finds nothing, up to the last).
    /// </summary>
    private const int FailuresToPause = 4, FirstRetryFrames = 16, MaxRetryFrames = 256;

    /// <summary>Frames between refills of the support while it has fewer patches than it could use.</summary>
    private const int RefillFrames = 16;

    /// <summary>Frames between moves of the whole-frame key to a frame the support measured.</summary>
    private const int RekeyFrames = 32;

    private readonly SupportPatches _support;
    private readonly WholeFrameDrift _wholeFrame;
    private Point2d _last;
    private int _failures, _framesPaused, _retryFrames = FirstRetryFrames, _framesSinceRefill, _framesSinceRekey;

    /// <summary>
    /// Uses <paramref name="reference"/> (usually frame 0) as the zero of drift and chooses the support patches on it,
    /// clear of <paramref name="outlines"/> (the particles, in the reference's coordinates).
    /// </summary>
    /// <remarks>Frames must then be passed to <see cref="Estimate"/> in order.</remarks>
    public StageDrift(Frame reference, IReadOnlyList<Outline> outlines)
    {
        Width = reference.Width;
        Height = reference.Height;
        _support = new SupportPatches(Width, Height, reference.Pixels.Type(), outlines);
        _support.Refill(reference.Pixels, new Point2d(0, 0));
        _wholeFrame = new WholeFrameDrift(reference.Pixels, new Point2d(0, 0));
    }

    /// <summary>Size of the reference frame, px (every frame must have it).</summary>
    public int Width { get; }

    /// <inheritdoc cref="Width"/>
    public int Height { get; }

    /// <summary>Drift of <paramref name="frame"/> relative to the reference, and how it was measured.</summary>
    /// <exception cref="ArgumentException">The frame's size is not the reference's.</exception>
    public DriftEstimate Estimate(Frame frame)
    {
        if (frame.Width != Width || frame.Height != Height)
            throw new ArgumentException($"frame {frame.Index} is {frame.Width}x{frame.Height} px ≠ reference {Width}x{Height} px", nameof(frame));
        var pixels = frame.Pixels;
        bool trySupport = _failures < FailuresToPause;
        var support = trySupport ? _support.Measure(pixels, _last) : null;
        // A jump of the stage beyond the usual search: the patches searched three times as far.
        if (support is null && trySupport && _support.Count >= SupportPatches.MinAgreeing)
            support = _support.Measure(pixels, _last, SupportPatches.WideSearchPx);
        (Point2d Drift, bool Stale)? whole = null;
        if (support is null)
        {
            whole = _wholeFrame.Measure(pixels);
            // Further still: the patches searched where the whole frame says the stage went.
            if (trySupport && whole is var (w, _) && Math.Max(Math.Abs(w.X - _last.X), Math.Abs(w.Y - _last.Y)) > SupportPatches.WideSearchPx / 2.0)
                support = _support.Measure(pixels, w);
        }

        DriftEstimate result;
        if (support is var (drift, agreeing))
        {
            result = new DriftEstimate(drift, DriftMethod.Support, agreeing);
            _failures = 0;
            _retryFrames = FirstRetryFrames;
            // Retired patches are replaced at once; free places the frame had no texture for are looked at again now and then.
            if (_support.Settle(drift) > 0 || ++_framesSinceRefill >= RefillFrames)
            {
                _support.Refill(pixels, drift);
                _framesSinceRefill = 0;
            }
            // The whole-frame key is kept recent (and at a drift the support measured), ready for frames the support cannot measure.
            if (++_framesSinceRekey >= RekeyFrames)
            {
                _wholeFrame.Rekey(pixels, drift);
                _framesSinceRekey = 0;
            }
        }
        else
        {
            // While the support is in use, a frame it cannot measure (shot noise outvoting weak texture) takes the
            // whole-frame correlation only within the patches' usual search of the previous drift: it registers the
            // particles, and can be off by tens of px (a false peak, 11-20 px, on the pair at PSF σ 1.6 px, dose 300)
            // where the patches, searched ±24 px, found no such step. Else the previous drift is kept, and the next
            // frame is measured against the keys again. Without a support (none found, or paused) the whole frame stands in.
            bool supportInUse = trySupport && _support.Count >= SupportPatches.MinAgreeing;
            bool plausible = whole is var (wp, _) && (!supportInUse || Math.Max(Math.Abs(wp.X - _last.X), Math.Abs(wp.Y - _last.Y)) <= SupportPatches.SearchPx);
            result = whole is var (w, _) && plausible ? new DriftEstimate(w, DriftMethod.WholeFrame, 0) : new DriftEstimate(_last, DriftMethod.Unmeasured, 0);
            // With no support to go by, the whole-frame key follows the movie (else it stays at a frame the support measured).
            if (!trySupport && whole is (_, true)) _wholeFrame.Rekey(pixels, result.Px);
            if (trySupport)
            {
                _support.Settle(null);
                if (++_failures >= FailuresToPause) _framesPaused = 0;
            }
            else if (++_framesPaused >= _retryFrames)
            {
                // Try the support again on patches chosen now; back off further if it still finds no texture.
                _support.Clear();
                _support.Refill(pixels, result.Px);
                _failures = FailuresToPause - 1;
                _framesPaused = 0;
                _retryFrames = Math.Min(2 * _retryFrames, MaxRetryFrames);
            }
        }
        _last = result.Px;
        return result;
    }

    public void Dispose()
    {
        _support.Dispose();
        _wholeFrame.Dispose();
    }
}
