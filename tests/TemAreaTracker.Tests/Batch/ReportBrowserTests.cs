using OpenCvSharp;
using PuppeteerSharp;
using TemAreaTracker.Pipeline.Batch;
using Xunit;

namespace TemAreaTracker.Tests.Batch;

/// <summary>
/// report.html opened in a real browser: Debian's Chromium (<c>/usr/bin/chromium</c>, installed by <c>.ci/run</c>) driven by
/// PuppeteerSharp. No console errors, every particle in the table, sorting works, the scrubber changes frame on keyboard
/// input, and a screenshot of the scrubber shows the outlines' colours over the gray frame.
/// </summary>
public sealed class ReportBrowserTests : IDisposable
{
    /// <summary>Debian's Chromium; browsers cannot be downloaded here.</summary>
    public const string Chromium = "/usr/bin/chromium";

    private readonly string _dir = Directory.CreateTempSubdirectory("temtrack-report-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static LaunchOptions Launch(string profile) => new()
    {
        ExecutablePath = Chromium,
        Headless = true,
        UserDataDir = profile,
        // As root Chromium needs --no-sandbox; the rest keeps it from reaching out or doing background work.
        Args = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    };

    [Fact]
    public async Task Report_InChromium_TableScrubberAndOutlineColours()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (scripts/ensure-deps.sh chromium, as .ci/run does)");
        string input = Path.Combine(_dir, "in");
        BatchFixtures.WriteMovie(Path.Combine(input, "chemical", "a.tif"), Path.Combine(input, "chemical", "a.zip"), seed: 1);
        BatchFixtures.WriteMovie(Path.Combine(input, "electro", "b.tif"), Path.Combine(input, "electro", "b.zip"), seed: 2);
        BatchFixtures.WriteCorruptTiff(Path.Combine(input, "electro", "bad.tif"));
        File.Copy(Path.Combine(input, "electro", "b.zip"), Path.Combine(input, "electro", "bad.zip"));
        string outDir = Path.Combine(_dir, "out");
        var batch = BatchPipeline.Run(input, outDir, new BatchOptions { Jobs = 2, BootstrapResamples = 20, WriteOverlayVideo = false });
        string report = Path.Combine(outDir, "report.html");
        var particles = batch.Report!.Summary.Select(r => $"{r.Movie}/{r.Particle}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, particles.Count);

        await using var browser = await Puppeteer.LaunchAsync(Launch(Path.Combine(_dir, "profile")));
        await using var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, e) => { if (e.Message.Type == ConsoleType.Error) errors.Add(e.Message.Text); };
        page.PageError += (_, e) => errors.Add(e.Message);
        // Self-contained: every request the page makes is the file itself or a data: URI (anything else is recorded and aborted).
        var external = new List<string>();
        await page.SetRequestInterceptionAsync(true);
        page.Request += async (_, e) =>
        {
            string url = e.Request.Url;
            if (url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal)) await e.Request.ContinueAsync();
            else { lock (external) external.Add(url); await e.Request.AbortAsync(); }
        };
        await page.SetViewportAsync(new ViewPortOptions { Width = 1400, Height = 1000 });
        await page.GoToAsync(new Uri(report).AbsoluteUri, WaitUntilNavigation.Load);

        // The table holds every particle.
        var rows = await page.EvaluateExpressionAsync<string[]>(
            "Array.from(document.querySelectorAll('#summary tbody tr')).map(r => r.cells[0].textContent + '/' + r.cells[2].textContent)");
        Assert.Equal(particles, rows.Order(StringComparer.Ordinal));
        // Sorting by D, descending after two clicks, puts the larger D first.
        await page.ClickAsync("#summary th:nth-child(7)");
        await page.ClickAsync("#summary th:nth-child(7)");
        var ds = await page.EvaluateExpressionAsync<double[]>(
            "Array.from(document.querySelectorAll('#summary tbody tr')).map(r => parseFloat(r.cells[6].textContent))");
        Assert.Equal(ds.OrderDescending(), ds);
        // The failed movie appears with its error.
        var failed = await page.EvaluateExpressionAsync<string>("document.querySelector('#failed tbody').textContent");
        Assert.Contains("electro__bad.tif", failed);

        // The scrubber changes frame on input (keyboard on the slider, as a reader would).
        var scrubber = await page.QuerySelectorAsync("section[data-movie='chemical__a.tif'] figure.scrubber");
        Assert.NotNull(scrubber);
        Assert.Equal("0", await scrubber.EvaluateFunctionAsync<string>("f => f.getAttribute('data-frame')"));
        string src0 = await scrubber.EvaluateFunctionAsync<string>("f => f.querySelector('img.frame').src");
        var slider = await scrubber.QuerySelectorAsync("input.scrub");
        await slider.FocusAsync();
        for (int i = 0; i < 9; i++) await page.Keyboard.PressAsync("ArrowRight");
        Assert.Equal("9", await scrubber.EvaluateFunctionAsync<string>("f => f.getAttribute('data-frame')"));
        Assert.NotEqual(src0, await scrubber.EvaluateFunctionAsync<string>("f => f.querySelector('img.frame').src"));
        Assert.StartsWith("frame 9", await scrubber.EvaluateFunctionAsync<string>("f => f.querySelector('.label').textContent"));
        Assert.Equal(1, await scrubber.EvaluateFunctionAsync<int>("f => f.querySelectorAll('svg polygon').length"));

        // A screenshot of the frame shows the outline's colour (run.json's colour of p1) over the gray movie.
        var stage = await scrubber.QuerySelectorAsync(".stage");
        byte[] png = await stage.ScreenshotDataAsync();
        using var shot = Cv2.ImDecode(png, ImreadModes.Color);
        string colour = await scrubber.EvaluateFunctionAsync<string>("f => f.querySelector('svg polygon').getAttribute('stroke')");
        Assert.Equal("#1f77b4", colour); // p1's colour in the overlay video and run.json
        int near = 0, coloured = 0;
        int shotRows = shot.Rows, shotCols = shot.Cols;
        for (int y = 0; y < shotRows; y++)
            for (int x = 0; x < shotCols; x++)
            {
                var p = shot.At<Vec3b>(y, x); // B, G, R
                if (Math.Abs(p.Item2 - 0x1f) + Math.Abs(p.Item1 - 0x77) + Math.Abs(p.Item0 - 0xb4) < 60) near++;
                if (Math.Max(p.Item0, Math.Max(p.Item1, p.Item2)) - Math.Min(p.Item0, Math.Min(p.Item1, p.Item2)) > 40) coloured++;
            }
        Assert.True(near > 100, $"only {near} px of the outline colour #1f77b4 in a {shot.Cols}x{shot.Rows} screenshot");
        Assert.True(near > 0.6 * coloured, $"{coloured} coloured px but only {near} of the outline's colour");

        Assert.True(errors.Count == 0, "console errors: " + string.Join(" | ", errors));
        Assert.True(external.Count == 0, "requests beyond the file: " + string.Join(" ", external));
    }
}
