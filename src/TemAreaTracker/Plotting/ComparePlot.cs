using ScottPlot;
using TemAreaTracker.Fitting;

namespace TemAreaTracker.Plotting;

/// <summary>
/// Figure 4 style comparison: each particle's D with its 95 % interval (log scale), grouped by condition, with each
/// condition's geometric-mean D and its interval as a band behind the points.
/// </summary>
public static class ComparePlot
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
            }
        }
        plot.Axes.Bottom.SetTicks([0, 1], [$"{c.A.Label} (n={c.A.Particles.Count})", $"{c.B.Label} (n={c.B.Particles.Count})"]);
        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = v => $"1e{v:0.#}",
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
        };
        plot.Axes.Left.TickGenerator = ticks;
        plot.YLabel("D (cm²/s)");
        plot.Axes.SetLimitsX(-0.6, 1.6);
        plot.Title($"D_{c.A.Label}/D_{c.B.Label} = {c.Ratio:F2} [{c.RatioCi95.Lo:F2}, {c.RatioCi95.Hi:F2}]");
        return plot;
    }
}
