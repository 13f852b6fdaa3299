namespace TemAreaTracker.Tracking;

/// <summary>
/// What outlines must be to be tracked, in one place: what the <see cref="Tracker"/> needs of any outline (library callers
/// included), and what a run checks against its first frame, naming the file the outlines came from.
/// </summary>
internal static class OutlineValidation
{
    /// <summary>At least one outline, each with 3 or more vertices and 4 px² or more (the tracker's constructor).</summary>
    /// <exception cref="ArgumentException">No outlines, or an empty one.</exception>
    public static void RequireTrackable(IReadOnlyList<Outline> outlines)
    {
        if (outlines.Count == 0) throw new ArgumentException("no outlines to track", nameof(outlines));
        foreach (var o in outlines)
            if (o.VerticesPx.Count < 3 || o.AreaPx < 4)
                throw new ArgumentException($"outline '{o.Name}' is empty ({o.VerticesPx.Count} vertices, {o.AreaPx:0.#} px²)", nameof(outlines));
    }

    /// <summary>
    /// Empty, degenerate, duplicate-named or wholly-outside outlines are errors (naming <paramref name="source"/>, the
    /// ROI file); an outline partly outside the <paramref name="widthPx"/> × <paramref name="heightPx"/> frame is a
    /// warning (its particle will be flagged out_of_view).
    /// </summary>
    /// <exception cref="InvalidDataException">An outline that cannot be tracked in this frame.</exception>
    public static void CheckInFrame(IReadOnlyList<Outline> outlines, int widthPx, int heightPx, string source, List<string> warnings)
    {
        if (outlines.Count == 0) throw new InvalidDataException($"{source}: holds no outlines");
        var seen = new HashSet<string>();
        foreach (var o in outlines)
        {
            if (!seen.Add(o.Name)) throw new InvalidDataException($"{source}: two outlines are named '{o.Name}'; names must be unique");
            if (o.VerticesPx.Count < 3 || !(o.AreaPx > 0.5) || o.VerticesPx.Any(v => !double.IsFinite(v.X) || !double.IsFinite(v.Y)))
                throw new InvalidDataException($"{source}: outline '{o.Name}' is empty ({o.VerticesPx.Count} vertices, {o.AreaPx:0.##} px^2)");
            double minX = o.VerticesPx.Min(v => v.X), maxX = o.VerticesPx.Max(v => v.X);
            double minY = o.VerticesPx.Min(v => v.Y), maxY = o.VerticesPx.Max(v => v.Y);
            string box = $"x {minX:0.#}..{maxX:0.#}, y {minY:0.#}..{maxY:0.#}";
            if (maxX < -0.5 || maxY < -0.5 || minX > widthPx - 0.5 || minY > heightPx - 0.5)
                throw new InvalidDataException($"{source}: outline '{o.Name}' ({box}) lies outside the {widthPx}x{heightPx} px frame");
            if (minX < -0.5 || minY < -0.5 || maxX > widthPx - 0.5 || maxY > heightPx - 0.5)
                warnings.Add($"{source}: outline '{o.Name}' ({box}) runs past the edge of the {widthPx}x{heightPx} px frame");
        }
    }
}
