using TemAreaTracker.Reporting;
using TemAreaTracker.Fitting;
using TemAreaTracker.IO;
using TemAreaTracker.Plotting;

namespace TemAreaTracker.Pipeline;

/// <summary>Everything a compare run needs.</summary>
public sealed record CompareRequest
{
    /// <summary>fit.json of condition A, or a folder holding fit.json files at any depth.</summary>
    public required string A { get; init; }

    /// <summary>fit.json of condition B, or a folder holding fit.json files at any depth.</summary>
    public required string B { get; init; }

    /// <summary>Name of condition A.</summary>
    public string LabelA { get; init; } = "chemical";

    /// <summary>Name of condition B.</summary>
    public string LabelB { get; init; } = "electrochemical";

    /// <summary>Use this model's fits; null: each particle's best-ranked fit.</summary>
    public KineticModel? Model { get; init; }

    /// <summary>Output folder for compare.json, compare.png, compare.svg; must not exist unless <see cref="Overwrite"/>.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Replace an existing output folder (only once the new one is complete).</summary>
    public bool Overwrite { get; init; }
}

/// <summary>What a finished compare run produced.</summary>
/// <param name="OutputDirectory">The output folder (complete).</param>
/// <param name="Comparison">D of each condition and their ratio with its 95 % interval.</param>
public sealed record CompareResult(string OutputDirectory, RateComparison Comparison)
{
    /// <summary>Particles left out because their fit's D is not meaningful (fit.json <c>meaningful: false</c>, e.g. clusters), as "A: name".</summary>
    public IReadOnlyList<string> Withheld { get; init; } = [];
}

/// <summary>
/// The <c>compare</c> stage: the diffusivities of two conditions from their fit.json files, and their ratio with a 95 %
/// interval (the paper's Figure 4) → compare.json, compare.png/.svg.
/// </summary>
public static class ComparePipeline
{
    /// <summary>Output file names (a public contract).</summary>
    public const string CompareJsonFile = "compare.json", ComparePng = "compare.png", CompareSvg = "compare.svg";

    /// <summary>Everything a compare run writes into its folder (an unmarked folder holding only these may be replaced).</summary>
    public static IReadOnlyList<string> OutputFiles { get; } = [CompareJsonFile, ComparePng, CompareSvg];

    /// <summary>Runs the comparison.</summary>
    /// <exception cref="IOException">The output exists and <see cref="CompareRequest.Overwrite"/> is false, or writing failed.</exception>
    /// <exception cref="InvalidDataException">No fit.json, not a fit.json, or no particle with a diffusivity in a condition.</exception>
    /// <exception cref="RunInterruptedException"><paramref name="cancellationToken"/> was cancelled; nothing was written.</exception>
    public static CompareResult Run(CompareRequest request, CancellationToken cancellationToken = default)
    {
        var output = new OutputFolder(request.OutputDirectory, request.Overwrite, "compare", OutputFiles,
            [new CommandInput("input A", request.A), new CommandInput("input B", request.B)]);
        output.EnsureFree();
        var model = request.Model;
        var filesA = FitJsonReader.Find(request.A);
        var filesB = FitJsonReader.Find(request.B);
        var withheldA = new List<string>();
        var withheldB = new List<string>();
        var ratesA = FitJsonReader.ReadRates(filesA, model, withheldA);
        var ratesB = FitJsonReader.ReadRates(filesB, model, withheldB);
        if (ratesA.Count == 0) throw new InvalidDataException($"{request.A}: no particle with a diffusivity{(model is null ? "" : $" from the {model.Value.Name()} model")}");
        if (ratesB.Count == 0) throw new InvalidDataException($"{request.B}: no particle with a diffusivity{(model is null ? "" : $" from the {model.Value.Name()} model")}");
        var comparison = RateComparer.Compare(RateComparer.Summarize(request.LabelA, ratesA), RateComparer.Summarize(request.LabelB, ratesB));

        output.Write(tmp =>
        {
            CompareJson.Write(comparison, [filesA.Select(Path.GetFullPath).ToList(), filesB.Select(Path.GetFullPath).ToList()], Path.Combine(tmp, CompareJsonFile));
            ComparePlot.Save(comparison, Path.Combine(tmp, ComparePng), Path.Combine(tmp, CompareSvg));
        }, cancellationToken);
        return new CompareResult(output.FullPath, comparison)
        {
            Withheld = [.. withheldA.Select(n => $"{request.LabelA}: {n}"), .. withheldB.Select(n => $"{request.LabelB}: {n}")],
        };
    }
}
