using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenCvSharp;
using TemAreaTracker.Measurement;
using TemAreaTracker.Tracking;

namespace TemAreaTracker.Reporting;

/// <summary>One frame's stage drift as run.json lists it.</summary>
/// <param name="Frame">Zero-based frame index.</param>
/// <param name="Dx">Drift in x in px.</param>
/// <param name="Dy">Drift in y in px.</param>
/// <param name="Method">How it was measured: reference, support, whole_frame or unmeasured.</param>
internal readonly record struct DriftRow(int Frame, double Dx, double Dy, string Method);

/// <summary>Everything run.json records of a finished track run.</summary>
internal sealed record RunRecord
{
    /// <summary>The movie tracked (its header; its frames are not read again).</summary>
    public required Movie Movie { get; init; }

    /// <summary>SHA-256 of the movie file or folder, or null when it could not be hashed.</summary>
    public required string? InputSha256 { get; init; }

    /// <summary>The user's calibration options.</summary>
    public required CalibrationRequest CalibrationRequest { get; init; }

    /// <summary>The calibration used and its sources.</summary>
    public required CalibrationResolution Calibration { get; init; }

    /// <summary>Where the outlines came from (a ROI file path or "auto").</summary>
    public required string OutlineSource { get; init; }

    /// <summary>SHA-256 of the ROI file, or null (detected outlines).</summary>
    public required string? OutlineSha256 { get; init; }

    /// <summary>The outlines tracked, in order.</summary>
    public required IReadOnlyList<Outline> Outlines { get; init; }

    /// <summary>Each outline's overlay colour as #rrggbb.</summary>
    public required IReadOnlyList<string> OutlineColours { get; init; }

    /// <summary>Frames read and tracked.</summary>
    public required int FramesRead { get; init; }

    /// <summary>Stage drift of every frame.</summary>
    public required IReadOnlyList<DriftRow> Drift { get; init; }

    /// <summary>Seconds per stage.</summary>
    public required IReadOnlyDictionary<string, double> TimingsS { get; init; }

    /// <summary>Everything the user was told.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>When the run started.</summary>
    public required DateTime StartedUtc { get; init; }

    /// <summary>The output folder (its final name).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>True when the outlines were detected (--auto).</summary>
    public required bool Auto { get; init; }

    /// <summary>True when an existing output folder was to be replaced (--force).</summary>
    public required bool Force { get; init; }

    /// <summary>Tracker knobs.</summary>
    public required TrackOptions TrackOptions { get; init; }

    /// <summary>Overlay video frame rate, or null when no overlay video was written.</summary>
    public required double? OverlayFps { get; init; }

    /// <summary>Longest side of the overlay video in px, or null when no overlay video was written.</summary>
    public required int? OverlayMaxSidePx { get; init; }

    /// <summary>Size of the overlay video's frames, or null.</summary>
    public required Size? OverlaySize { get; init; }

    /// <summary>Frames on the contact sheet.</summary>
    public required int ContactSheetFrames { get; init; }

    /// <summary>Further parameters (e.g. the command line).</summary>
    public required IReadOnlyDictionary<string, string?> Parameters { get; init; }

    /// <summary>The files written, in order.</summary>
    public required IReadOnlyList<string> Outputs { get; init; }
}

/// <summary>Writes <c>run.json</c>: what was tracked, how, with which calibration and drift, what it took and what went wrong.</summary>
internal static class RunJson
{
    /// <summary>Writes <paramref name="run"/> to <paramref name="path"/> (indented, a final newline).</summary>
    public static void Write(string path, RunRecord run) =>
        File.WriteAllText(path, Build(run).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    /// <summary>The JSON document (keys in the order of the file).</summary>
    public static JsonObject Build(RunRecord r)
    {
        var movie = r.Movie;
        string version = ToolVersion.Current;
        var c = r.Calibration.Calibration;
        var parameters = new JsonObject
        {
            ["pixel_size_nm"] = N(r.CalibrationRequest.PixelSizeNm),
            ["frame_interval_s"] = N(r.CalibrationRequest.FrameIntervalS),
            ["scale_bar_nm"] = N(r.CalibrationRequest.ScaleBarNm),
            ["auto"] = r.Auto,
            ["force"] = r.Force,
            ["track_options"] = JsonSerializer.SerializeToNode(r.TrackOptions),
            ["overlay_fps"] = r.OverlayFps,
            ["overlay_max_side_px"] = r.OverlayMaxSidePx,
            ["overlay_size_px"] = r.OverlaySize is Size os ? new JsonArray(os.Width, os.Height) : null,
            ["contact_sheet_frames"] = r.ContactSheetFrames,
        };
        foreach (var (k, v) in r.Parameters) parameters[k] = v;
        return new JsonObject
        {
            ["tool"] = new JsonObject { ["name"] = "temtrack", ["version"] = version, ["command"] = "track" },
            ["started_utc"] = r.StartedUtc.ToString("O", CultureInfo.InvariantCulture),
            ["finished_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["output"] = r.OutputDirectory,
            ["input"] = new JsonObject
            {
                ["path"] = Path.GetFullPath(movie.SourcePath),
                ["format"] = movie.Format,
                ["sha256"] = r.InputSha256,
                ["width_px"] = movie.Width,
                ["height_px"] = movie.Height,
                ["dtype"] = movie.DataType,
                ["frames_declared"] = movie.FrameCount,
                ["frames_read"] = r.FramesRead,
                ["stopped_early"] = movie.StoppedEarly,
            },
            ["outlines"] = new JsonObject
            {
                ["source"] = r.OutlineSource,
                ["sha256"] = r.OutlineSha256,
                ["particles"] = new JsonArray(r.Outlines.Select((x, i) => (JsonNode)new JsonObject
                {
                    ["name"] = x.Name,
                    ["colour"] = r.OutlineColours[i],
                    ["vertices"] = x.VerticesPx.Count,
                    ["area_px"] = N(x.AreaPx),
                }).ToArray()),
            },
            ["calibration"] = new JsonObject
            {
                ["pixel_width_nm"] = N(c.PixelWidthNm),
                ["pixel_height_nm"] = N(c.PixelHeightNm),
                ["pixel_size_source"] = c.PixelSizeSource,
                ["file_pixel_size_nm"] = N(movie.Calibration.PixelWidthNm),
                ["frame_interval_s"] = N(c.FrameIntervalS),
                ["frame_interval_source"] = c.FrameIntervalSource,
                ["file_frame_interval_s"] = N(movie.Calibration.FrameIntervalS),
                ["time_is_frame_index"] = r.Calibration.TimeIsFrameIndex,
                ["area_unit"] = r.Calibration.IsSpatiallyCalibrated ? "nm^2" : "px^2",
                ["scale_bar"] = r.Calibration.ScaleBar is ScaleBar b
                    ? new JsonObject
                    {
                        ["length_px"] = b.LengthPx, ["left_edge_px"] = b.LeftEdgePx, ["right_edge_px"] = b.RightEdgePx,
                        ["centre_y_px"] = b.CentreYPx, ["thickness_px"] = b.ThicknessPx, ["corner"] = b.Corner.ToString(),
                        ["bright"] = b.IsBright, ["length_nm"] = N(r.CalibrationRequest.ScaleBarNm),
                    }
                    : null,
            },
            ["parameters"] = parameters,
            ["drift_px"] = new JsonObject
            {
                ["frame"] = new JsonArray(r.Drift.Select(d => (JsonNode)d.Frame).ToArray()),
                ["dx"] = new JsonArray(r.Drift.Select(d => N(d.Dx)).ToArray()),
                ["dy"] = new JsonArray(r.Drift.Select(d => N(d.Dy)).ToArray()),
                ["method"] = new JsonArray(r.Drift.Select(d => (JsonNode)d.Method).ToArray()),
            },
            ["timings_s"] = new JsonObject(r.TimingsS.Select(kv => KeyValuePair.Create(kv.Key, N(kv.Value)))),
            ["frames_per_s"] = N(r.FramesRead / Math.Max(1e-9, r.TimingsS.GetValueOrDefault("stream_s"))),
            ["warnings"] = new JsonArray(r.Warnings.Select(w => (JsonNode)w).ToArray()),
            ["outputs"] = new JsonArray(r.Outputs.Select(f => (JsonNode)f).ToArray()),
        };
    }

    // JSON has no NaN: unknown numbers are null.
    private static JsonNode? N(double? v) => v is double d && double.IsFinite(d) ? JsonValue.Create(d) : null;
}
