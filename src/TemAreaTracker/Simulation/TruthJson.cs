using System.Text.Json;
using System.Text.Json.Serialization;

namespace TemAreaTracker.Simulation;

/// <summary>
/// truth.json, the ground truth written beside a simulated movie (snake_case keys). Every ROI name in the movie's
/// RoiSet.zip is listed in <see cref="Rois"/> and appears in <see cref="Particles"/> or <see cref="Clusters"/>.
/// </summary>
internal sealed class TruthFile
{
    [JsonPropertyName("schema")] public int Schema { get; set; } = 1;
    [JsonPropertyName("generator")] public string Generator { get; set; } = "temtrack simulate";
    [JsonPropertyName("scenario")] public string Scenario { get; set; } = "";
    [JsonPropertyName("seed")] public int Seed { get; set; }
    /// <summary>Seed of noise, drift and flicker when it differs from <see cref="Seed"/>.</summary>
    [JsonPropertyName("noise_seed")] public int? NoiseSeed { get; set; }
    [JsonPropertyName("width_px")] public int WidthPx { get; set; }
    [JsonPropertyName("height_px")] public int HeightPx { get; set; }
    [JsonPropertyName("pixel_size_nm")] public double PixelSizeNm { get; set; }
    [JsonPropertyName("frame_interval_s")] public double FrameIntervalS { get; set; }
    [JsonPropertyName("frames")] public int Frames { get; set; }
    [JsonPropertyName("expansion_ratio")] public double ExpansionRatio { get; set; }
    [JsonPropertyName("time_s")] public double[] TimeS { get; set; } = [];
    /// <summary>Names of the outlines in RoiSet.zip.</summary>
    [JsonPropertyName("rois")] public string[] Rois { get; set; } = [];
    [JsonPropertyName("particles")] public List<TruthParticle> Particles { get; set; } = [];
    [JsonPropertyName("clusters")] public List<TruthCluster> Clusters { get; set; } = [];
    /// <summary>Stage drift per frame in px relative to frame 0: [dx, dy] (+x right, +y down).</summary>
    [JsonPropertyName("drift_px")] public double[][] DriftPx { get; set; } = [];
    /// <summary>Beam brightness per frame relative to nominal (flicker).</summary>
    [JsonPropertyName("brightness")] public double[] Brightness { get; set; } = [];
    [JsonPropertyName("scale_bar")] public TruthScaleBar? ScaleBar { get; set; }
    [JsonPropertyName("knobs")] public TruthKnobs Knobs { get; set; } = new();
    /// <summary>How cluster areas were computed.</summary>
    [JsonPropertyName("notes")] public string[] Notes { get; set; } = [];

    /// <summary>True area per frame in px² of a particle or cluster.</summary>
    public double[] AreaPx(string name) =>
        Particles.FirstOrDefault(p => p.Name == name)?.AreaPx ?? Clusters.FirstOrDefault(c => c.Name == name)?.AreaPx
        ?? throw new KeyNotFoundException($"truth.json has no particle or cluster named '{name}'");

    /// <summary>True area per frame in nm² of a particle or cluster.</summary>
    public double[] AreaNm2(string name) =>
        Particles.FirstOrDefault(p => p.Name == name)?.AreaNm2 ?? Clusters.FirstOrDefault(c => c.Name == name)?.AreaNm2
        ?? throw new KeyNotFoundException($"truth.json has no particle or cluster named '{name}'");
}

internal sealed class TruthParticle
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("r0_nm")] public double R0Nm { get; set; }
    [JsonPropertyName("r0_px")] public double R0Px { get; set; }
    /// <summary>L: path from the electrolyte contact to the particle's far side (2 R0 at the contact), or R0 for an isolated sphere.</summary>
    [JsonPropertyName("diffusion_length_nm")] public double DiffusionLengthNm { get; set; }
    [JsonPropertyName("d_cm2_s")] public double DCm2PerS { get; set; }
    [JsonPropertyName("d_nm2_s")] public double DNm2PerS { get; set; }
    [JsonPropertyName("t0_s")] public double T0S { get; set; }
    [JsonPropertyName("f_max")] public double FMax { get; set; }
    [JsonPropertyName("contact_loss_s")] public double? ContactLossS { get; set; }
    [JsonPropertyName("f_eq")] public double? FEq { get; set; }
    [JsonPropertyName("redistribution_d_nm2_s")] public double? RedistributionDNm2PerS { get; set; }
    [JsonPropertyName("crystalline")] public bool Crystalline { get; set; }
    [JsonPropertyName("fraction")] public double[] Fraction { get; set; } = [];
    [JsonPropertyName("radius_nm")] public double[] RadiusNm { get; set; } = [];
    [JsonPropertyName("area_nm2")] public double[] AreaNm2 { get; set; } = [];
    [JsonPropertyName("area_px")] public double[] AreaPx { get; set; } = [];
    [JsonPropertyName("centre_px")] public double[][] CentrePx { get; set; } = [];
    /// <summary>Per frame: the whole disc lies inside the frame.</summary>
    [JsonPropertyName("in_view")] public bool[] InView { get; set; } = [];
}

internal sealed class TruthCluster
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("members")] public string[] Members { get; set; } = [];
    [JsonPropertyName("area_nm2")] public double[] AreaNm2 { get; set; } = [];
    [JsonPropertyName("area_px")] public double[] AreaPx { get; set; } = [];
}

internal sealed class TruthScaleBar
{
    [JsonPropertyName("length_nm")] public double LengthNm { get; set; }
    [JsonPropertyName("length_px")] public int LengthPx { get; set; }
    [JsonPropertyName("label")] public string Label { get; set; } = "";
    /// <summary>[x, y, width, height] in px.</summary>
    [JsonPropertyName("rect_px")] public int[] RectPx { get; set; } = [];
}

/// <summary>The scenario's image-formation knobs, recorded so a movie can be regenerated or explained.</summary>
internal sealed class TruthKnobs
{
    [JsonPropertyName("dose_electrons_per_px")] public double? DoseElectronsPerPx { get; set; }
    [JsonPropertyName("blur_sigma_px")] public double BlurSigmaPx { get; set; }
    [JsonPropertyName("supersampling")] public int Supersampling { get; set; }
    [JsonPropertyName("drift_step_px")] public double DriftStepPx { get; set; }
    [JsonPropertyName("drift_velocity_px_per_frame")] public double[] DriftVelocityPxPerFrame { get; set; } = [];
    [JsonPropertyName("flicker_fraction")] public double FlickerFraction { get; set; }
    [JsonPropertyName("carbon_texture_strength")] public double CarbonTextureStrength { get; set; }
    [JsonPropertyName("illumination_falloff")] public double IlluminationFalloff { get; set; }
    [JsonPropertyName("si_mean_free_path_nm")] public double SiMeanFreePathNm { get; set; }
    [JsonPropertyName("bragg_strength")] public double BraggStrength { get; set; }
    [JsonPropertyName("background_level")] public double BackgroundLevel { get; set; }
    [JsonPropertyName("bit_depth")] public int BitDepth { get; set; }
    [JsonPropertyName("inverted")] public bool Inverted { get; set; }
    [JsonPropertyName("scale_bar")] public bool ScaleBar { get; set; }
    [JsonPropertyName("time_stamp")] public bool TimeStamp { get; set; }
    [JsonPropertyName("electrolyte_edge")] public string? ElectrolyteEdge { get; set; }
}

/// <summary>Reads and writes truth.json.</summary>
internal static class TruthJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The file form of <paramref name="truth"/>; <paramref name="roiNames"/> = the outlines written beside it.</summary>
    public static TruthFile ToFile(GroundTruth truth, IEnumerable<string> roiNames)
    {
        var s = truth.Scenario;
        return new TruthFile
        {
            Scenario = s.Name, Seed = s.Seed, NoiseSeed = s.NoiseSeed, WidthPx = s.Width, HeightPx = s.Height,
            PixelSizeNm = s.PixelSizeNm, FrameIntervalS = s.FrameIntervalS, Frames = s.Frames, ExpansionRatio = s.ExpansionRatio,
            TimeS = truth.TimeS,
            Rois = roiNames.ToArray(),
            Particles = truth.Particles.Select((p, i) => new TruthParticle
            {
                Name = p.Name, R0Nm = p.R0Nm, R0Px = p.R0Nm / s.PixelSizeNm,
                DiffusionLengthNm = p.Kinetics.DiffusionLengthNm,
                DCm2PerS = p.Kinetics.DiffusivityNm2PerS * 1e-14, DNm2PerS = p.Kinetics.DiffusivityNm2PerS,
                T0S = p.Kinetics.OnsetS, FMax = p.Kinetics.MaxFraction,
                ContactLossS = p.Kinetics.ContactLossS,
                FEq = p.Kinetics.ContactLossS is null ? null : p.Kinetics.EquilibriumFraction,
                RedistributionDNm2PerS = p.Kinetics.ContactLossS is null ? null : p.Kinetics.RedistributionDiffusivityNm2PerS ?? p.Kinetics.DiffusivityNm2PerS,
                Crystalline = s.Particles[i].Crystalline,
                Fraction = p.Fraction, RadiusNm = p.RadiusNm, AreaNm2 = p.AreaNm2, AreaPx = p.AreaPx,
                CentrePx = p.CentrePx.Select(c => new[] { c.X, c.Y }).ToArray(),
                InView = p.InView,
            }).ToList(),
            Clusters = truth.Clusters.Select(c => new TruthCluster
            {
                Name = c.Name, Members = c.Members.ToArray(), AreaNm2 = c.AreaNm2, AreaPx = c.AreaPx,
            }).ToList(),
            DriftPx = truth.DriftPx.Select(d => new[] { d.X, d.Y }).ToArray(),
            Brightness = truth.Brightness,
            ScaleBar = truth.ScaleBar is { } b
                ? new TruthScaleBar { LengthNm = b.LengthNm, LengthPx = b.LengthPx, Label = b.Label, RectPx = [b.Rect.X, b.Rect.Y, b.Rect.Width, b.Rect.Height] }
                : null,
            Knobs = new TruthKnobs
            {
                DoseElectronsPerPx = double.IsFinite(s.DoseElectronsPerPx) && s.DoseElectronsPerPx > 0 ? s.DoseElectronsPerPx : null,
                BlurSigmaPx = s.BlurSigmaPx, Supersampling = s.Supersampling, DriftStepPx = s.DriftStepPx,
                DriftVelocityPxPerFrame = [s.DriftVelocityXPxPerFrame, s.DriftVelocityYPxPerFrame],
                FlickerFraction = s.FlickerFraction, CarbonTextureStrength = s.CarbonTextureStrength,
                IlluminationFalloff = s.IlluminationFalloff, SiMeanFreePathNm = s.SiMeanFreePathNm, BraggStrength = s.BraggStrength,
                BackgroundLevel = s.BackgroundLevel, BitDepth = s.BitDepth, Inverted = s.Inverted, ScaleBar = s.ScaleBar, TimeStamp = s.TimeStamp,
                ElectrolyteEdge = s.Electrolyte?.Edge.ToString().ToLowerInvariant(),
            },
            Notes =
            [
                "area of a particle = pi R^2 of its whole projected disc, also where it lies over a neighbour",
                "area of a cluster = exact area of the union of its members' discs (circle-union by Green's theorem)",
                "coordinates in px with pixel centres at integers; ImageJ ROI coordinates are these + 0.5",
                "centre_px includes stage drift; drift_px[k] = position in frame k minus position in frame 0",
            ],
        };
    }

    /// <summary>Writes truth.json (temporary file, then moved into place).</summary>
    public static void Write(string path, GroundTruth truth, IEnumerable<string> roiNames)
    {
        string tmp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(tmp, JsonSerializer.Serialize(ToFile(truth, roiNames), Options));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads a truth.json.</summary>
    /// <exception cref="InvalidDataException">"&lt;path&gt;: not a truth.json (…)".</exception>
    public static TruthFile Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TruthFile>(File.ReadAllText(path), Options)
                   ?? throw new InvalidDataException($"{path}: not a truth.json (empty)");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a truth.json ({e.Message})", e);
        }
    }
}
