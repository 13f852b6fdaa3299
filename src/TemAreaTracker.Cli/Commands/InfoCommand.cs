using System.ComponentModel;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using TemAreaTracker.IO;

namespace TemAreaTracker.Cli.Commands;

/// <summary>
/// <c>temtrack info FILE [--json]</c>: what a movie or microscope file holds (frames, size, dtype, calibration and where it
/// came from, metadata worth seeing), read from its header without decoding frames.
/// </summary>
internal sealed class InfoCommand(IAnsiConsole console) : Command<InfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description(MovieFormats.Description)]
        public string Path { get; init; } = "";

        [CommandOption("--json")]
        [Description("Print one JSON object (frames, width, height, dtype, pixel_size_nm, pixel_size_source, frame_interval_s, frame_interval_source, …); null where unknown.")]
        public bool Json { get; init; }

        [CommandOption("--read-all")]
        [Description("Also decode every frame: counts readable frames and reports where a truncated or damaged file stops.")]
        public bool ReadAll { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Path) ? ValidationResult.Error("info needs a FILE") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var movie = MovieReader.Open(settings.Path);
        int? framesRead = null;
        if (settings.ReadAll)
        {
            framesRead = 0;
            foreach (var f in movie.ReadFrames())
            {
                f.Dispose();
                framesRead++;
            }
        }
        if (settings.Json)
        {
            var o = Describe(movie);
            if (framesRead is int nr)
            {
                o["frames_read"] = nr;
                o["stopped_early"] = movie.StoppedEarly;
            }
            string json = JsonSerializer.Serialize(o, new JsonSerializerOptions
            {
                WriteIndented = true,
                Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep µ, Å readable; output is not HTML
            });
            // Raw writer: Spectre would wrap long lines at the console width and break the JSON.
            console.Profile.Out.Writer.WriteLine(json);
            console.Profile.Out.Writer.Flush();
            return 0;
        }

        var cal = movie.Calibration;
        var t = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn(System.IO.Path.GetFileName(settings.Path.TrimEnd('/', '\\')));
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("format", movie.Format);
        Row("frames", movie.FrameCount?.ToString(CultureInfo.InvariantCulture) ?? "unknown (only reading to the end tells)");
        Row("size", $"{movie.Width} x {movie.Height} px");
        Row("dtype", movie.DataType);
        Row("pixel size", cal.PixelWidthNm is double w
            ? (cal.PixelHeightNm is double h && Math.Abs(h - w) > 1e-9 * w ? F($"{w:G6} x {h:G6} nm") : F($"{w:G6} nm")) + $"  ({cal.PixelSizeSource})"
            : "unknown: areas in px² unless --pixel-size-nm or --scale-bar-nm is given");
        Row("frame interval", cal.FrameIntervalS is double s
            ? F($"{s:G6} s") + $"  ({cal.FrameIntervalSource}{(cal.FrameIntervalSource == "container-fps" ? ": container frame rate, may be sped up" : "")})"
            : "unknown: pass --frame-interval-s");
        if (framesRead is int read)
            Row("frames read", movie.StoppedEarly is { } why ? $"{read}: {why}" : $"{read}, all readable");
        if (movie.Intensity is { } ic) Row("value calibration", F($"value = {ic.Offset} + {ic.Scale}·raw") + (ic.Unit is null ? "" : $" ({ic.Unit})"));
        console.Write(t);
        if (movie.Metadata.Count > 0)
        {
            var m = new Table().Border(TableBorder.Simple).AddColumn("tag").AddColumn("value");
            foreach (var (k, v) in movie.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).Take(80))
                m.AddRow(new Text(k), new Text(v.Length > 100 ? v[..100] + "…" : v));
            console.Write(m);
        }
        return 0;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>The --json object; keys are a contract (snake_case, null where unknown).</summary>
    internal static Dictionary<string, object?> Describe(Movie movie)
    {
        var c = movie.Calibration;
        return new Dictionary<string, object?>
        {
            ["path"] = movie.SourcePath,
            ["format"] = movie.Format,
            ["frames"] = movie.FrameCount,
            ["width"] = movie.Width,
            ["height"] = movie.Height,
            ["dtype"] = movie.DataType,
            ["pixel_size_nm"] = c.NmPerPixel,
            ["pixel_width_nm"] = c.PixelWidthNm,
            ["pixel_height_nm"] = c.PixelHeightNm,
            ["pixel_size_source"] = c.PixelWidthNm is null ? null : c.PixelSizeSource,
            ["frame_interval_s"] = c.FrameIntervalS,
            ["frame_interval_source"] = c.FrameIntervalS is null ? null : c.FrameIntervalSource,
            ["value_calibration"] = movie.Intensity is { } ic
                ? new Dictionary<string, object?> { ["offset"] = ic.Offset, ["scale"] = ic.Scale, ["unit"] = ic.Unit }
                : null,
            ["metadata"] = movie.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value),
        };
    }
}
