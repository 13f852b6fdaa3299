using System.Globalization;
using TemAreaTracker.Reporting;
using TemAreaTracker.Fitting;
using TemAreaTracker.IO;
using TemAreaTracker.Measurement;
using TemAreaTracker.Plotting;

namespace TemAreaTracker.Pipeline;

/// <summary>
/// The <c>fit</c> stage: area curves → one model (or every uptake model, ranked) per particle → fit.json, fit.csv,
/// fit.png/.svg, with the cluster's contact-loss policy and the optional lithium-conservation check.
/// </summary>
public static class FitPipeline
{
    /// <summary>Output file names (a public contract).</summary>
    public const string FitJsonFile = "fit.json", FitCsv = "fit.csv", FitPng = "fit.png", FitSvg = "fit.svg";

    /// <summary>Everything a fit run writes into its folder (an unmarked folder holding only these may be replaced).</summary>
    public static IReadOnlyList<string> OutputFiles { get; } = [FitJsonFile, FitCsv, FitPng, FitSvg];

    /// <summary>Runs the fit.</summary>
    /// <exception cref="FileNotFoundException">The areas.csv does not exist.</exception>
    /// <exception cref="IOException">The output exists and <see cref="FitRequest.Overwrite"/> is false, or writing failed.</exception>
    /// <exception cref="InvalidDataException">
    /// An unreadable areas.csv, an unknown particle, too few points for the model, or a contact-loss time that is needed
    /// but cannot be found; the message names the file.
    /// </exception>
    /// <exception cref="RunInterruptedException"><paramref name="cancellationToken"/> was cancelled; nothing was written.</exception>
    public static FitResult Run(FitRequest request, CancellationToken cancellationToken = default)
    {
        string input = request.AreasCsv;
        if (request.Areas is null && !File.Exists(input)) throw new FileNotFoundException($"{input}: file not found", input);
        var output = new OutputFolder(request.OutputDirectory, request.Overwrite, "fit", OutputFiles,
            File.Exists(input) ? [new CommandInput("areas.csv", input)] : null);
        output.EnsureFree();

        var data = request.Areas ?? Read(input);
        var series = data.Series.ToList();
        if (request.Particle is string id)
        {
            series = series.Where(x => x.Particle == id).ToList();
            if (series.Count == 0)
                throw new InvalidDataException($"{input}: no particle '{id}' (particles: {string.Join(", ", data.Series.Select(x => x.Particle))})");
        }

        var options = request.Options with { Cancellation = cancellationToken };
        bool all = request.Model is null;
        KineticModel single = request.Model ?? KineticModel.SphereDiffusion;

        // A cluster loses contact once: without a given contact-loss time, the earliest sustained contraction of any
        // particle marks it for all (particles that swell during redistribution never contract themselves).
        double? clusterContactLossS = null;
        if (!all && single == KineticModel.Redistribution && request.Options.ContactLossS is null)
        {
            clusterContactLossS = series.Select(DiffusionFitter.DetectContactLossS).Where(t => t is not null).Min();
            if (clusterContactLossS is null)
                throw new InvalidDataException($"{input}: no particle shows a sustained contraction, so the contact-loss time is unknown; pass --contact-loss-s");
            options = options with { ContactLossS = clusterContactLossS };
        }

        var fits = new List<DiffusionFit>();
        var rankings = new List<ModelRanking>();
        foreach (var p in series)
        {
            try
            {
                if (all)
                {
                    var pf = DiffusionFitter.FitAll(p, options);
                    fits.AddRange(pf);
                    rankings.Add(Rank(pf));
                }
                else
                {
                    var fit = DiffusionFitter.Fit(p, single, options);
                    if (clusterContactLossS is double tc)
                        fit = fit with { Warnings = [$"contact loss at {tc.ToString("G4", CultureInfo.InvariantCulture)} s detected as the start of sustained contraction in this cluster; pass --contact-loss-s if it is known", .. fit.Warnings] };
                    fits.Add(fit);
                }
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{input}: {e.Message}" + (request.Particle is null && series.Count > 1 ? " (use --particle to fit the others)" : ""), e);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw new RunInterruptedException($"interrupted while fitting {p.Particle}", cancellationToken);
            }
        }

        ConservationCheck? conservation = null;
        if (request.Conservation)
        {
            double? start = request.Options.ContactLossS ?? series.Select(DiffusionFitter.DetectContactLossS).Where(t => t is not null).Min();
            if (start is null)
                throw new InvalidDataException($"{input}: --conservation needs the contact-loss time and no particle contracts; pass --contact-loss-s");
            try { conservation = LithiumConservation.Check(series, start.Value); }
            catch (ArgumentException e) { throw new InvalidDataException($"{input}: {e.Message}", e); }
        }

        var shown = all ? rankings.Select(r => fits.First(f => f.Particle == r.Particle && f.Model == r.Best)).ToList() : fits;
        var report = new FitReport(Path.GetFullPath(input), fits, rankings, conservation, data.SkippedRows, data.SkippedByParticle);
        output.Write(tmp =>
        {
            FitJson.Write(report, Path.Combine(tmp, FitJsonFile));
            FitJson.WriteCsv(fits, Path.Combine(tmp, FitCsv));
            FitPlot.Save(shown, Path.Combine(tmp, FitPng), Path.Combine(tmp, FitSvg), all && rankings.Count > 0 ? rankings.Max(r => r.Ranking.Count) : 0);
        }, cancellationToken);
        return new FitResult(output.FullPath, fits, rankings, shown, conservation, data.SkippedRows);
    }

    /// <summary>The models of one particle ranked, saying which uptake models had too few points to be fitted.</summary>
    private static ModelRanking Rank(IReadOnlyList<DiffusionFit> particleFits)
    {
        var ranking = ModelSelection.Rank(particleFits);
        var skipped = KineticModels.Uptake.Where(m => particleFits.All(f => f.Model != m)).Select(m => m.Name()).ToList();
        return skipped.Count > 0
            ? ranking with { Verdict = $"{ranking.Verdict} (not fitted, too few points for their parameters: {string.Join(", ", skipped)})" }
            : ranking;
    }

    private static AreaCurves Read(string path)
    {
        var csv = AreaCsvReader.Read(path);
        return new AreaCurves(csv.Series, csv.SkippedRows, csv.SkippedByParticle);
    }
}
