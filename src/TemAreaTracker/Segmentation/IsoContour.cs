using OpenCvSharp;

namespace TemAreaTracker.Segmentation;

/// <summary>
/// Sub-pixel outline of a pixel set by marching squares: the zero crossing of a signed field, positive on the set,
/// negative off it, interpolated linearly between pixel centres.
/// </summary>
/// <remarks>
/// A cell whose diagonal corners are positive and the other two negative (a saddle) is split so that the two positive
/// corners stay apart: the contours bound 4-connected sets. The crossings lie strictly inside cell edges (the field is
/// never 0: callers give non-zero values), so two loops never touch and every loop is a simple polygon.
/// Lorensen &amp; Cline (1987), doi:10.1145/37402.37422, in two dimensions.
/// </remarks>
internal static class IsoContour
{
    /// <summary>
    /// The longest closed loop of the zero level of <paramref name="field"/> (row-major, <paramref name="width"/> ×
    /// <paramref name="height"/>, non-zero everywhere), as vertices in px of the field's own grid (pixel centres at
    /// integers) plus (<paramref name="offsetX"/>, <paramref name="offsetY"/>), clockwise on screen (positive
    /// <see cref="Outline.SignedAreaPx"/>); empty when the field has no crossing. A pixel beyond the field takes minus
    /// the magnitude of its nearest pixel in the field, so a set reaching the field's edge is closed half a pixel beyond it.
    /// </summary>
    public static Point2d[] OuterLoop(float[] field, int width, int height, double offsetX = 0, double offsetY = 0)
    {
        // Cells span pixel centres (i − 1, j − 1) … (i, j) for i in 0..width, j in 0..height: a frame of negative
        // pixels round the field closes every loop.
        float At(int x, int y) => x < 0 || y < 0 || x >= width || y >= height
            ? -Math.Abs(field[Math.Clamp(y, 0, height - 1) * width + Math.Clamp(x, 0, width - 1)])
            : field[y * width + x];
        int cw = width + 1, ch = height + 1;
        // Edge ids: horizontal edge between pixels (x, y) and (x + 1, y) for x in −1..width−1, y in −1..height;
        // vertical edge between (x, y) and (x, y + 1).
        int HId(int x, int y) => (y + 1) * (width + 1) + (x + 1);
        int hCount = (height + 2) * (width + 1);
        int VId(int x, int y) => hCount + (y + 1) * (width + 2) + (x + 1);
        Point2d Cross(int edge)
        {
            int x, y; bool horizontal = edge < hCount;
            if (horizontal) { y = edge / (width + 1) - 1; x = edge % (width + 1) - 1; }
            else { int e = edge - hCount; y = e / (width + 2) - 1; x = e % (width + 2) - 1; }
            float a = At(x, y), b = horizontal ? At(x + 1, y) : At(x, y + 1);
            double t = a / (double)(a - b);
            return horizontal ? new Point2d(x + t + offsetX, y + offsetY) : new Point2d(x + offsetX, y + t + offsetY);
        }

        // next[edge] = the edge the contour leaves by, walking with the positive side on the right (clockwise on screen).
        var next = new Dictionary<int, int>();
        for (int j = 0; j < ch; j++)
            for (int i = 0; i < cw; i++)
            {
                int x0 = i - 1, y0 = j - 1;
                // Corners: a = (x0, y0) top-left, b = (x0+1, y0) top-right, c = (x0+1, y0+1) bottom-right, d = (x0, y0+1) bottom-left.
                bool a = At(x0, y0) > 0, b = At(x0 + 1, y0) > 0, c = At(x0 + 1, y0 + 1) > 0, d = At(x0, y0 + 1) > 0;
                int code = (a ? 1 : 0) | (b ? 2 : 0) | (c ? 4 : 0) | (d ? 8 : 0);
                if (code is 0 or 15) continue;
                int top = HId(x0, y0), bottom = HId(x0, y0 + 1), left = VId(x0, y0), right = VId(x0 + 1, y0);
                // Walk so that the positive corners are on the right-hand side of travel (screen coordinates, y down).
                switch (code)
                {
                    case 1: next[left] = top; break;          // a
                    case 2: next[top] = right; break;         // b
                    case 3: next[left] = right; break;        // a b
                    case 4: next[right] = bottom; break;      // c
                    case 5: next[left] = top; next[right] = bottom; break; // a c (kept apart)
                    case 6: next[top] = bottom; break;        // b c
                    case 7: next[left] = bottom; break;       // a b c
                    case 8: next[bottom] = left; break;       // d
                    case 9: next[bottom] = top; break;        // a d
                    case 10: next[top] = right; next[bottom] = left; break; // b d (kept apart)
                    case 11: next[bottom] = right; break;     // a b d
                    case 12: next[right] = left; break;       // c d
                    case 13: next[right] = top; break;        // a c d
                    case 14: next[top] = left; break;         // b c d
                }
            }

        var seen = new HashSet<int>();
        List<int>? best = null;
        double bestArea = 0;
        foreach (int start in next.Keys)
        {
            if (seen.Contains(start)) continue;
            var loop = new List<int>();
            int e = start;
            while (seen.Add(e))
            {
                loop.Add(e);
                if (!next.TryGetValue(e, out e)) break;
            }
            if (e != start || loop.Count < 3) continue;
            var pts = loop.Select(Cross).ToArray();
            double area = Outline.SignedAreaPx(pts);
            if (Math.Abs(area) > bestArea) { bestArea = Math.Abs(area); best = loop; }
        }
        if (best is null) return [];
        var result = best.Select(Cross).ToArray();
        if (Outline.SignedAreaPx(result) < 0) Array.Reverse(result);
        return result;
    }
}
