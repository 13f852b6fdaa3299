using OpenCvSharp;

namespace TemAreaTracker.Simulation;

/// <summary>
/// Outlines like a microscopist draws them on the first frame: a polygon of 30-60 vertices following the particle
/// (or the cluster's union of discs), grown or shrunk by up to a couple of pixels and wavering smoothly by about 1 px.
/// </summary>
internal static class HandOutlines
{
    /// <summary>
    /// One outline per name in the scenario's <see cref="SimulationScenario.OutlinedNames"/> (default: every particle,
    /// then every cluster), drawn around the true shapes of frame <paramref name="frame"/>, in camera px.
    /// </summary>
    /// <param name="truth">Ground truth of the scenario.</param>
    /// <param name="frame">Frame the outlines are drawn on (their <see cref="Outline.Frame"/>).</param>
    /// <param name="maxOffsetPx">Largest systematic grow (+) or shrink (−) of an outline in px.</param>
    public static IReadOnlyList<Outline> Draw(GroundTruth truth, int frame = 0, double maxOffsetPx = 2.0)
    {
        var s = truth.Scenario;
        var names = s.OutlinedNames ?? s.Particles.Select(p => p.Name).Concat(s.Clusters.Select(c => c.Name)).ToArray();
        var rnd = new SimRandom(s.Seed, 40);
        var result = new List<Outline>();
        foreach (var name in names)
        {
            var members = s.Clusters.FirstOrDefault(c => c.Name == name)?.Members ?? [name];
            var discs = members.Select(m => truth.Particles.First(p => p.Name == m))
                .Select(p => (p.CentrePx[frame].X, p.CentrePx[frame].Y, p.RadiusNm[frame] / s.PixelSizeNm)).ToList();
            result.Add(new Outline(name, Trace(discs, rnd, maxOffsetPx), frame));
        }
        return result;
    }

    private static Point2d[] Trace(List<(double X, double Y, double R)> discs, SimRandom rnd, double maxOffsetPx)
    {
        // Rasterise the union at 8× and take its outer contour: works for any cluster shape, not only star-shaped ones.
        const int U = 8;
        double x0 = discs.Min(d => d.X - d.R) - 4, y0 = discs.Min(d => d.Y - d.R) - 4;
        double x1 = discs.Max(d => d.X + d.R) + 4, y1 = discs.Max(d => d.Y + d.R) + 4;
        int mw = (int)Math.Ceiling((x1 - x0) * U), mh = (int)Math.Ceiling((y1 - y0) * U);
        using var mask = new Mat(mh, mw, MatType.CV_8UC1, Scalar.All(0));
        var row = new byte[mw];
        for (int j = 0; j < mh; j++)
        {
            double y = y0 + (j + 0.5) / U;
            for (int i = 0; i < mw; i++)
            {
                double x = x0 + (i + 0.5) / U;
                byte v = 0;
                foreach (var d in discs)
                    if ((x - d.X) * (x - d.X) + (y - d.Y) * (y - d.Y) < d.R * d.R) { v = 255; break; }
                row[i] = v;
            }
            System.Runtime.InteropServices.Marshal.Copy(row, 0, mask.Data + j * (int)mask.Step(), mw);
        }
        Cv2.FindContours(mask, out Point[][] contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxNone);
        var c = contours.OrderByDescending(k => k.Length).First()
            .Select(p => new Point2d(x0 + (p.X + 0.5) / U, y0 + (p.Y + 0.5) / U)).ToArray();

        // Resample evenly by arc length.
        var cum = new double[c.Length + 1];
        for (int i = 0; i < c.Length; i++) cum[i + 1] = cum[i] + Dist(c[i], c[(i + 1) % c.Length]);
        double perimeter = cum[^1];
        int n = Math.Clamp((int)Math.Round(perimeter / 4), 30, 60);
        var pts = new Point2d[n];
        for (int k = 0, seg = 0; k < n; k++)
        {
            double target = perimeter * k / n;
            while (cum[seg + 1] < target) seg++;
            double u = (target - cum[seg]) / Math.Max(1e-12, cum[seg + 1] - cum[seg]);
            var a = c[seg]; var b = c[(seg + 1) % c.Length];
            pts[k] = new Point2d(a.X + u * (b.X - a.X), a.Y + u * (b.Y - a.Y));
        }

        // Offset along the outward normal: a steady grow/shrink plus a smooth waver (harmonics 2-6) and a little tremor.
        double signedArea = 0;
        for (int i = 0; i < n; i++) { var p = pts[i]; var q = pts[(i + 1) % n]; signedArea += p.X * q.Y - q.X * p.Y; }
        double sign = signedArea > 0 ? 1 : -1;
        double grow = rnd.Uniform(-0.5 * maxOffsetPx, maxOffsetPx);
        var harmonics = Enumerable.Range(2, 5).Select(h => (h, amp: 0.7 * rnd.NextNormal() / Math.Sqrt(h), ph: rnd.Uniform(0, 2 * Math.PI))).ToArray();
        var outPts = new Point2d[n];
        for (int i = 0; i < n; i++)
        {
            var prev = pts[(i - 1 + n) % n]; var next = pts[(i + 1) % n];
            double tx = next.X - prev.X, ty = next.Y - prev.Y, len = Math.Sqrt(tx * tx + ty * ty);
            double nx = sign * ty / len, ny = -sign * tx / len;
            double s = 2 * Math.PI * i / n;
            double off = grow + harmonics.Sum(hh => hh.amp * Math.Cos(hh.h * s + hh.ph)) + 0.25 * rnd.NextNormal();
            outPts[i] = new Point2d(pts[i].X + off * nx, pts[i].Y + off * ny);
        }
        return outPts;
    }

    private static double Dist(Point2d a, Point2d b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
}
