using ScottPlot;
using SkiaSharp;
using TemAreaTracker.Fitting;

namespace TemAreaTracker.Plotting;

/// <summary>
/// The fit figure: measured areas (points) and model curves (lines) against time, one colour per particle, D with its
/// 95 % interval in the legend; residuals (nm²) in a panel underneath on the same time axis.
/// </summary>
internal static class FitPlot
{
    /// <summary>Draws <paramref name="fits"/> (one per particle: pass the chosen model of each) to PNG and SVG.</summary>
    public static void Save(IReadOnlyList<DiffusionFit> fits, string pngPath, string svgPath, int widthPx = 900, int heightPx = 700)
    {
        var (top, bottom) = Build(fits);
        PanelRenderer.SavePng([top, bottom], [0.7, 0.3], pngPath, widthPx, heightPx);
        PanelRenderer.SaveSvg([top, bottom], [0.7, 0.3], svgPath, widthPx, heightPx);
    }

    private static (Plot Top, Plot Bottom) Build(IReadOnlyList<DiffusionFit> fits)
    {
        Fonts.Default = "DejaVu Sans";
        var palette = new ScottPlot.Palettes.Category10();
        var top = new Plot();
        var bottom = new Plot();
        double tMin = fits.Min(f => f.TimeS[0]), tMax = fits.Max(f => f.TimeS[^1]);
        for (int i = 0; i < fits.Count; i++)
        {
            var f = fits[i];
            var color = palette.GetColor(i);
            var pts = top.Add.ScatterPoints(f.TimeS.ToArray(), f.AreaNm2.ToArray());
            pts.Color = color;
            pts.MarkerSize = 5;
            var dense = Enumerable.Range(0, 400).Select(j => f.TimeS[0] + (f.TimeS[^1] - f.TimeS[0]) * j / 399.0).ToArray();
            var line = top.Add.ScatterLine(dense, f.PredictAreaNm2(dense));
            line.Color = color;
            line.LineWidth = 2;
            line.LegendText = Legend(f);
            var res = bottom.Add.ScatterPoints(f.TimeS.ToArray(), f.TimeS.Select((_, k) => f.AreaNm2[k] - f.ModelAreaNm2[k]).ToArray());
            res.Color = color;
            res.MarkerSize = 4;
        }
        var zero = bottom.Add.HorizontalLine(0);
        zero.Color = Colors.Gray;
        zero.LinePattern = LinePattern.Dashed;
        top.YLabel("projected area (nm²)");
        top.Title(fits.Count == 1 ? $"{fits[0].Particle}: {fits[0].Model.Name()} fit" : $"{fits[0].Model.Name()} fits");
        // Swelling curves start low and end high, so the upper left is where the data leave room.
        top.ShowLegend(Alignment.UpperLeft);
        // With many particles the legend is large: let the data it covers show through.
        top.Legend.BackgroundColor = Colors.White.WithAlpha(0.6);
        top.Legend.ShadowColor = Colors.Transparent;
        bottom.XLabel("time (s)");
        bottom.YLabel("residual (nm²)");
        double pad = 0.02 * (tMax - tMin);
        top.Axes.SetLimitsX(tMin - pad, tMax + pad);
        bottom.Axes.SetLimitsX(tMin - pad, tMax + pad);
        // Same fixed padding on both panels so the time axes line up.
        top.Layout.Fixed(new PixelPadding(90, 20, 30, 40));
        bottom.Layout.Fixed(new PixelPadding(90, 20, 50, 10));
        return (top, bottom);
    }

    /// <summary>Legend text: particle, model and D [lo, hi] cm²/s (or the front velocity for the interface model).</summary>
    public static string Legend(DiffusionFit f)
    {
        if (!f.Model.HasDiffusivity())
        {
            var v = f.FrontVelocityCi95NmPerS ?? new Interval(double.NaN, double.NaN);
            return $"{f.Particle} ({f.Model.Name()}): v = {f.FrontVelocityNmPerS:G3} nm/s [{v.Lo:G3}, {v.Hi:G3}]";
        }
        var ci = f.Ci95Cm2PerS;
        string d = f.Model is KineticModel.ShellDiffusion or KineticModel.Mixed ? "D*" : "D";
        return $"{f.Particle} ({f.Model.Name()}): {d} = {f.DiffusivityCm2PerS:0.00e0} [{ci.Lo:0.0e0}, {ci.Hi:0.0e0}] cm²/s";
    }
}

/// <summary>Stacks several ScottPlot plots vertically on one canvas (PNG via a raster surface, SVG via SkiaSharp's SVG canvas).</summary>
internal static class PanelRenderer
{
    public static void SavePng(IReadOnlyList<Plot> plots, IReadOnlyList<double> fractions, string path, int width, int height)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        Draw(surface.Canvas, plots, fractions, width, height);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    public static void SaveSvg(IReadOnlyList<Plot> plots, IReadOnlyList<double> fractions, string path, int width, int height)
    {
        using (var file = File.Create(path))
        {
            using var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), file);
            Draw(canvas, plots, fractions, width, height);
        }
    }

    private static void Draw(SKCanvas canvas, IReadOnlyList<Plot> plots, IReadOnlyList<double> fractions, int width, int height)
    {
        canvas.Clear(SKColors.White);
        double y = 0;
        for (int i = 0; i < plots.Count; i++)
        {
            double h = fractions[i] * height;
            plots[i].RenderManager.ClearCanvasBeforeEachRender = false;
            plots[i].Render(canvas, new PixelRect(0, width, (float)(y + h), (float)y));
            y += h;
        }
    }
}
