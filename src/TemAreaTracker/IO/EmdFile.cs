using PureHDF;
using PureHDF.VOL.Native;

namespace TemAreaTracker.IO;

/// <summary>
/// An EMD (HDF5) file of either flavour: Thermo Fisher Velox (<c>/Data/Image/&lt;guid&gt;/Data</c>, <see cref="EmdMovie"/>)
/// or Berkeley/NCEM EMD 0.2 (groups with <c>emd_group_type = 1</c> holding <c>data</c> and <c>dim1..dimN</c>,
/// <see cref="BerkeleyEmdMovie"/>). Both share the .emd extension and the HDF5 signature, so only the layout tells them apart.
/// </summary>
internal static class EmdFile
{
    /// <summary>Format name for errors found before the flavour is known.</summary>
    public const string Format = "emd";

    /// <summary>Opens <paramref name="path"/> with the reader its layout calls for.</summary>
    /// <param name="path">The .emd/.h5 file.</param>
    /// <param name="dataset">Which image to read when the file holds several (a Velox image group or a Berkeley dataset
    /// name); null reads the first.</param>
    /// <exception cref="MovieFormatException">Not HDF5, neither layout, an unknown <paramref name="dataset"/>, or a corrupt file.</exception>
    public static Movie Open(string path, string? dataset)
    {
        NativeFile? h5 = null;
        try
        {
            h5 = H5File.OpenRead(path);
            if (h5.LinkExists(EmdMovie.ImageGroup)) return EmdMovie.Open(path, h5, dataset);
            var groups = BerkeleyEmdMovie.FindDatasets(h5);
            if (groups.Count > 0) return BerkeleyEmdMovie.Open(path, h5, groups, dataset);
            throw new MovieFormatException(path, Format,
                "HDF5 file with neither a Velox image (/Data/Image) nor a Berkeley EMD dataset (a group with emd_group_type = 1 holding 'data')");
        }
        catch (MovieFormatException)
        {
            h5?.Dispose();
            throw;
        }
        catch (Exception e)
        {
            // OutOfMemoryException included: only metadata is read here, and PureHDF sizes buffers from length fields in
            // the file, so a corrupt one asks for an impossible array; that is a damaged file, not a full machine.
            h5?.Dispose();
            throw new MovieFormatException(path, Format, $"cannot read HDF5 structure: {e.Message}", null, e);
        }
    }
}
