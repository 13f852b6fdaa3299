using ScottPlot;
using TemAreaTracker.Measurement;

namespace TemAreaTracker.Plotting;

/// <summary>
/// The area-vs-time figure (the paper's Figure 2f): projected area of each particle against time, one colour per
/// particle (the overlay's colours), gaps where a particle was out of view or lost.
/// </summary>
internal static class AreaPlot
{
    /// <summary>Draws the figure.</summary>
    /// <param name="rows">Rows of every particle (any order).</param>
    /// <param name="particleOrder">Particle names in outline order (fixes the colours).</param>
    /// <param name="calibrated">True: areas in nm²; false: px².</param>
    /// <param name="timeIsFrameIndex">True when no frame interval is known (the x axis counts frames).</param>
    /// <param name="title">Figure title.</param>
    public static Plot Create(IEnumerable<ParticleAreaRow> rows, IReadOnlyList<string> particleOrder, bool calibrated, bool timeIsFrameIndex, string title = "Projected area vs time")
    {
        Fonts.Default = "DejaVu Sans"; // no fonts otherwise on a bare Linux box (ScottPlot draws no text)
        var plot = new Plot();
        var byParticle = rows.GroupBy(r => r.Particle).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Frame).ToList());
        for (int i = 0; i < particleOrder.Count; i++)
        {
            if (!byParticle.TryGetValue(particleOrder[i], out var list)) continue;
            var color = OverlayStyle.ParticleColor(i);
            bool legendDone = false;
            // One scatter per run of measured frames, so a lost stretch shows as a gap rather than a bridging line.
            foreach (var run in Runs(list))
            {
                var sc = plot.Add.Scatter(run.Select(r => r.TimeS).ToArray(), run.Select(r => calibrated ? r.AreaNm2 : r.AreaPx).ToArray());
                sc.Color = color;
                sc.LineWidth = 2;
                sc.MarkerSize = run.Count > 150 ? 0 : 5;
                if (!legendDone) { sc.LegendText = particleOrder[i]; legendDone = true; }
            }
        }
        plot.Title(title);
        plot.XLabel(timeIsFrameIndex ? "Frame (no frame interval known: 1 frame = 1 s)" : "Time (s)");
        plot.YLabel(calibrated ? "Projected area (nm²)" : "Projected area (px², no pixel size)");
        plot.Axes.Title.Label.FontSize = 22;
        plot.Axes.Title.Label.Bold = true;
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            axis.Label.FontSize = 18;
            axis.Label.Bold = false;
            axis.TickLabelStyle.FontSize = 15;
        }
        plot.Legend.FontSize = 15;
        plot.Legend.Alignment = Alignment.UpperLeft;
        plot.ShowLegend();
        plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.1);
        return plot;
    }

    /// <summary>Saves the figure as PNG and SVG (same size).</summary>
    public static void Save(Plot plot, string pngPath, string svgPath, int widthPx = 900, int heightPx = 560)
    {
        plot.SavePng(pngPath, widthPx, heightPx);
        plot.SaveSvg(svgPath, widthPx, heightPx);
    }

    private static IEnumerable<List<ParticleAreaRow>> Runs(List<ParticleAreaRow> rows)
    {
        var run = new List<ParticleAreaRow>();
        foreach (var r in rows)
        {
            if (r.HasArea) { run.Add(r); continue; }
            if (run.Count > 0) yield return run;
            run = [];
        }
        if (run.Count > 0) yield return run;
    }
}
