namespace TemAreaTracker.Tracking;

/// <summary>Knobs of <see cref="Tracker"/>; the defaults are what the accuracy tests use.</summary>
public sealed record TrackOptions
{
    /// <summary>How far (px) an edge may move between frames, beyond drift, before it is searched for no further.</summary>
    public double MaxEdgeStepPx { get; init; } = 4;

    /// <summary>How far (px) the first frame's edge may lie from the drawn outline (hand outlines are rough).</summary>
    public double FirstFrameSearchPx { get; init; } = 8;

    /// <summary>Correct stage drift by registering each frame to the reference.</summary>
    public bool CorrectDrift { get; init; } = true;
}
