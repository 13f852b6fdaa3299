using ScottPlot;
using TemAreaTracker.Fitting;

namespace TemAreaTracker.Plotting;

/// <summary>
/// Figure 4 style comparison: each particle's D with its 95 % interval (log scale), grouped by condition, with each
/// condition's geometric-mean D and its interval as a band behind the points.
/// </summary>
internal static class ComparePlot
{
    /// <summary>Draws <paramref name="comparison"/> to PNG and SVG.</summary>
    public static void Save(RateComparison comparison, string pngPath, string svgPath, int widthPx = 700, int heightPx = 550)
    {
        var plot = Build(comparison);
        PanelRenderer.SavePng([plot], [1.0], pngPath, widthPx, heightPx);
        PanelRenderer.SaveSvg([plot], [1.0], svgPath, widthPx, heightPx);
    }

    private static Plot Build(RateComparison c)
    {
        Fonts.Default = "DejaVu Sans";
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var conditions = new[] { c.A, c.B };
        var ys = new List<double>();
        for (int k = 0; k < 2; k++)
        {
            var cond = conditions[k];
            var color = palette.GetColor(k);
            // Condition mean and interval as a band.
            double lo = Math.Log10(cond.Ci95Cm2PerS.Lo), hi = Math.Log10(cond.Ci95Cm2PerS.Hi), m = Math.Log10(cond.DCm2PerS);
            var band = plot.Add.Rectangle(k - 0.35, k + 0.35, lo, hi);
            band.FillStyle.Color = color.WithAlpha(0.15);
            band.LineStyle.Width = 0;
            var mean = plot.Add.Line(k - 0.35, m, k + 0.35, m);
            mean.Color = color;
            mean.LineWidth = 2;
            ys.AddRange([lo, hi, m]);
            int n = cond.Particles.Count;
            for (int i = 0; i < n; i++)
            {
                var p = cond.Particles[i];
                double x = k + (n == 1 ? 0 : -0.25 + 0.5 * i / (n - 1));
                double y = Math.Log10(p.DCm2PerS);
                double plo = p.Ci95Cm2PerS.Lo > 0 ? Math.Log10(p.Ci95Cm2PerS.Lo) : y - 1;
                double phi = double.IsFinite(p.Ci95Cm2PerS.Hi) ? Math.Log10(p.Ci95Cm2PerS.Hi) : y + 1;
                var bar = plot.Add.Line(x, plo, x, phi);
                bar.Color = color;
                bar.LineWidth = 1.5f;
                var dot = plot.Add.ScatterPoints(new[] { x }, new[] { y });
                dot.Color = color;
                dot.MarkerSize = 8;
                // Each point named, so a reader can find the particle in the fit outputs.
                var label = plot.Add.Text(p.Particle, x + 0.03, y);
                label.LabelFontSize = 12;
                label.LabelFontColor = color.Darken(0.3);
                label.LabelAlignment = Alignment.MiddleLeft;
                ys.AddRange([y, plo, phi]);
            }
        }
        plot.Axes.Bottom.SetTicks([0, 1], [$"{c.A.Label} (n={c.A.Particles.Count})", $"{c.B.Label} (n={c.B.Particles.Count})"]);
        var finite = ys.Where(double.IsFinite).ToList();
        double yMin = finite.Count > 0 ? finite.Min() : -13, yMax = finite.Count > 0 ? finite.Max() : -11;
        double pad = Math.Max(0.05, 0.08 * (yMax - yMin));
        (yMin, yMax) = (yMin - pad, yMax + pad);
        var (positions, labels) = LogTicks(yMin, yMax);
        plot.Axes.Left.SetTicks(positions, labels);
        plot.Axes.SetLimits(-0.6, 1.6, yMin, yMax);
        plot.YLabel("D (cm²/s, log scale)");
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "particle D and its 95% CI", MarkerShape = MarkerShape.FilledCircle, MarkerColor = Colors.Gray, MarkerSize = 8, LineColor = Colors.Gray, LineWidth = 1.5f });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "condition's geometric-mean D", LineColor = Colors.Gray, LineWidth = 2 });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "its 95% CI", FillColor = Colors.Gray.WithAlpha(0.25), LineWidth = 0 });
        // Below the axes: inside, it would cover a band or a point wherever it went.
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.Legend.ShadowColor = Colors.Transparent;
        plot.ShowLegend(Edge.Bottom);
        plot.Title($"D_{c.A.Label}/D_{c.B.Label} = {c.Ratio:F2} [{c.RatioCi95.Lo:F2}, {c.RatioCi95.Hi:F2}]");
        return plot;
    }

    /// <summary>
    /// Ticks for a log10 axis spanning <paramref name="log10Min"/>..<paramref name="log10Max"/>: decades (or 1-3, 1-2-5)
    /// when it spans a decade or more; within a narrower range, evenly stepped values (1, 2 or 5 × 10^k apart), so even
    /// a range inside one decade has several labelled ticks.
    /// </summary>
    internal static (double[] Positions, string[] Labels) LogTicks(double log10Min, double log10Max)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        double span = log10Max - log10Min;
        var positions = new List<double>();
        var labels = new List<string>();
        if (span > 0.6)
        {
            int[] mantissas = span > 3 ? [1] : span > 1.5 ? [1, 3] : [1, 2, 5];
            for (int e = (int)Math.Floor(log10Min) - 1; e <= (int)Math.Ceiling(log10Max); e++)
                foreach (int m in mantissas)
                {
                    double v = Math.Log10(m) + e;
                    if (v < log10Min || v > log10Max) continue;
                    positions.Add(v);
                    labels.Add(string.Create(inv, $"{m}e{e}"));
                }
            return ([.. positions], [.. labels]);
        }
        double lo = Math.Pow(10, log10Min), hi = Math.Pow(10, log10Max);
        double raw = (hi - lo) / 6, mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 5, 10 }.Select(f => f * mag).First(x => x >= raw);
        // Digits enough that neighbouring labels differ: the step's decade relative to the largest value.
        int digits = Math.Max(0, (int)Math.Floor(Math.Log10(hi)) - (int)Math.Floor(Math.Log10(step)));
        string format = "0." + new string('#', digits) + "e0";
        for (double v = Math.Ceiling(lo / step) * step; v <= hi; v += step)
        {
            positions.Add(Math.Log10(v));
            labels.Add(v.ToString(format, inv));
        }
        return ([.. positions], [.. labels]);
    }
}
