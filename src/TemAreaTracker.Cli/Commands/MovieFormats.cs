namespace TemAreaTracker.Cli.Commands;

/// <summary>The movie formats every verb that takes a movie reads (one wording for all help texts).</summary>
internal static class MovieFormats
{
    /// <summary>Help text for a MOVIE argument.</summary>
    public const string Description =
        "Movie: AVI/MP4/MOV (and other video containers), TIFF stacks (8/16/32-bit, ImageJ hyperstacks), a folder of PNG/TIFF/JPEG/BMP frames, Gatan DM3/DM4 (stacks and in-situ frame folders), FEI/TIA SER (+EMI), Velox and Berkeley EMD (HDF5), MRC.";
}
