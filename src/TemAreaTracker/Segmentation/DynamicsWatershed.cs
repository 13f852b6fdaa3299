namespace TemAreaTracker.Segmentation;

/// <summary>
/// Watershed of a height map from its significant maxima only: a maximum starts a region when its dynamic (how far one
/// must descend from it before reaching ground that leads to a higher maximum) is at least h, h-maxima in effect,
/// without the reconstruction step.
/// </summary>
/// <remarks>
/// Pixels are flooded from the top down (union-find over 8-neighbours). Where two basins meet at level v, the one
/// with the lower peak p is merged into the other when p − v &lt; h(p), and stays its own region otherwise; the pixel
/// joins the basin of its highest flooded neighbour. On a distance transform this splits touching discs at their neck and leaves
/// a disc with a ragged rim, or an elongated particle, whole. Grimaud (1992), "New measure of contrast: the dynamics",
/// doi:10.1117/12.60650; Soille, Morphological Image Analysis (2003), §6.3.
/// </remarks>
internal static class DynamicsWatershed
{
    /// <summary>
    /// Labels (1, 2, …; 0 off the mask) of the significant basins of <paramref name="height"/> over the pixels where it is
    /// &gt; 0, and the peak height of each label (index 0 unused).
    /// </summary>
    /// <param name="height">Height map, row-major; ≤ 0 = not part of any region.</param>
    /// <param name="width">Map width in px.</param>
    /// <param name="minDynamic">h as a function of a basin's peak height.</param>
    public static (int[] Labels, float[] Peaks) Label(float[] height, int width, Func<float, float> minDynamic)
    {
        int n = height.Length, rows = n / width;
        int count = 0;
        for (int i = 0; i < n; i++) if (height[i] > 0) count++;
        var order = new int[count];
        var keys = new float[count];
        for (int i = 0, k = 0; i < n; i++)
            if (height[i] > 0) { order[k] = i; keys[k] = -height[i]; k++; }
        Array.Sort(keys, order);

        var parent = new int[n];
        Array.Fill(parent, -1); // −1 = not flooded yet
        var peak = new float[n];
        int Find(int i)
        {
            while (parent[i] != i) { parent[i] = parent[parent[i]]; i = parent[i]; }
            return i;
        }
        Span<int> roots = stackalloc int[8];
        foreach (int p in order)
        {
            int x = p % width, y = p / width;
            int nr = 0, steepest = -1;
            float steepestHeight = float.MinValue;
            for (int dy = -1; dy <= 1; dy++)
            {
                int yy = y + dy;
                if (yy < 0 || yy >= rows) continue;
                for (int dx = -1; dx <= 1; dx++)
                {
                    int xx = x + dx;
                    if ((dx == 0 && dy == 0) || xx < 0 || xx >= width) continue;
                    int q = yy * width + xx;
                    if (parent[q] < 0) continue;
                    if (height[q] > steepestHeight) { steepestHeight = height[q]; steepest = q; }
                    int r = Find(q);
                    bool dup = false;
                    for (int k = 0; k < nr && !dup; k++) dup = roots[k] == r;
                    if (!dup) roots[nr++] = r;
                }
            }
            if (nr == 0) { parent[p] = p; peak[p] = height[p]; continue; }
            // Basins that are not significant merge into the neighbour basin with the highest peak; the pixel then joins
            // the basin of its highest neighbour (steepest ascent), so a contested rim goes to the hill it leans on.
            int top = roots[0];
            for (int k = 1; k < nr; k++) if (peak[roots[k]] > peak[top]) top = roots[k];
            float level = height[p];
            for (int k = 0; k < nr; k++)
            {
                int r = roots[k];
                if (r != top && peak[r] - level < minDynamic(peak[r])) parent[r] = top;
            }
            parent[p] = Find(steepest);
        }

        var labels = new int[n];
        var id = new Dictionary<int, int>();
        var peaks = new List<float> { 0 };
        for (int i = 0; i < n; i++)
        {
            if (parent[i] < 0) continue;
            int r = Find(i);
            if (!id.TryGetValue(r, out int l)) { l = id.Count + 1; id[r] = l; peaks.Add(peak[r]); }
            labels[i] = l;
        }
        return (labels, peaks.ToArray());
    }
}
