namespace TemAreaTracker.Simulation;

/// <summary>Exact area of a union of discs (Green's theorem over the exposed arcs).</summary>
/// <remarks>
/// A = ½ ∮ (x dy − y dx) over the union's boundary, which is made of the arcs of each circle not covered by another
/// disc. For an arc of circle (cx, cy, r) from θ1 to θ2 the integral is
/// ½ [r² (θ2 − θ1) + r cx (sin θ2 − sin θ1) − r cy (cos θ2 − cos θ1)]. Holes enclosed by a ring of discs come out
/// right automatically (their boundary arcs run the other way). Exact to rounding.
/// </remarks>
internal static class CircleUnion
{
    /// <summary>Area of the union of discs (x, y, r), in the square of their unit.</summary>
    public static double Area(IReadOnlyList<(double X, double Y, double R)> discs)
    {
        double total = 0;
        var intervals = new List<(double A, double B)>();
        for (int i = 0; i < discs.Count; i++)
        {
            var (xi, yi, ri) = discs[i];
            if (!(ri > 0)) continue;
            bool hidden = false;
            intervals.Clear();
            for (int j = 0; j < discs.Count && !hidden; j++)
            {
                if (j == i) continue;
                var (xj, yj, rj) = discs[j];
                if (!(rj > 0)) continue;
                double dx = xj - xi, dy = yj - yi, d = Math.Sqrt(dx * dx + dy * dy);
                // Identical discs: keep the first only.
                if (d < 1e-12 && Math.Abs(ri - rj) < 1e-12) { if (j < i) hidden = true; continue; }
                if (d + ri <= rj) { hidden = true; continue; }   // i inside j
                if (d >= ri + rj || d + rj <= ri) continue;      // disjoint, or j inside i
                double alpha = Math.Atan2(dy, dx);
                double beta = Math.Acos(Math.Clamp((ri * ri + d * d - rj * rj) / (2 * ri * d), -1, 1));
                AddInterval(intervals, alpha - beta, alpha + beta);
            }
            if (hidden) continue;
            foreach (var (a, b) in ExposedArcs(intervals))
                total += 0.5 * (ri * ri * (b - a) + ri * xi * (Math.Sin(b) - Math.Sin(a)) - ri * yi * (Math.Cos(b) - Math.Cos(a)));
        }
        return total;
    }

    // Covered intervals are kept inside [0, 2π); one crossing 0 is split in two.
    private static void AddInterval(List<(double A, double B)> list, double a, double b)
    {
        const double TwoPi = 2 * Math.PI;
        double width = b - a;
        if (width >= TwoPi) { list.Add((0, TwoPi)); return; }
        a %= TwoPi; if (a < 0) a += TwoPi;
        double end = a + width;
        if (end <= TwoPi) list.Add((a, end));
        else { list.Add((a, TwoPi)); list.Add((0, end - TwoPi)); }
    }

    private static IEnumerable<(double A, double B)> ExposedArcs(List<(double A, double B)> covered)
    {
        if (covered.Count == 0) { yield return (0, 2 * Math.PI); yield break; }
        covered.Sort((p, q) => p.A.CompareTo(q.A));
        double pos = 0;
        foreach (var (a, b) in covered)
        {
            if (a > pos) yield return (pos, a);
            pos = Math.Max(pos, b);
        }
        if (pos < 2 * Math.PI) yield return (pos, 2 * Math.PI);
    }
}
