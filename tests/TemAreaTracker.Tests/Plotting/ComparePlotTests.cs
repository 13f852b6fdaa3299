using TemAreaTracker.Fitting;
using TemAreaTracker.Plotting;
using Xunit;

namespace TemAreaTracker.Tests.Plotting;

public class ComparePlotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("temtrack-cmpplot-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [Theory]
    [InlineData(5e-13, 1.4e-12)]   // less than half a decade, crossing a decade boundary (sample movie 03)
    [InlineData(1.21e-12, 1.33e-12)] // a few per cent
    [InlineData(3e-14, 8e-12)]     // several decades
    [InlineData(2e-13, 1.9e-12)]   // about one decade
    public void LogTicks_LabelSeveralDistinctValuesInsideTheRange(double lo, double hi)
    {
        var (positions, labels) = ComparePlot.LogTicks(Math.Log10(lo), Math.Log10(hi));
        Assert.InRange(positions.Length, 3, 12);
        Assert.All(positions, p => Assert.InRange(p, Math.Log10(lo), Math.Log10(hi)));
        Assert.Equal(labels.Length, labels.Distinct().Count());
        // Each label reads back as the value at its position (to its printed precision).
        for (int i = 0; i < positions.Length; i++)
        {
            double v = double.Parse(labels[i], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(Math.Abs(Math.Log10(v) - positions[i]), 0, 0.02);
        }
    }

    [Fact]
    public void CompareFigure_HasLegendAndParticleLabels()
    {
        ConditionRate Cond(string label, params (string Name, double D)[] ps) => RateComparer.Summarize(label,
            ps.Select(p => new ParticleRate(p.Name, p.D, new Interval(p.D * 0.9, p.D * 1.1))).ToList());
        var cmp = RateComparer.Compare(Cond("chemical", ("p1", 9e-13), ("p2", 8.5e-13)), Cond("electrochemical", ("q1", 1.27e-12), ("q2", 1.29e-12)));
        string png = Path.Combine(_dir, "c.png"), svg = Path.Combine(_dir, "c.svg");
        ComparePlot.Save(cmp, png, svg);
        string text = File.ReadAllText(svg);
        foreach (var label in new[] { "q1", "q2", "p1", "95% CI", "geometric-mean", "1.2e-12" })
            Assert.Contains(label, text);
    }
}
