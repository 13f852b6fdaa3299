using BitMiracle.LibTiff.Classic;

namespace TemAreaTracker.IO;

/// <summary>Opening a TIFF through LibTiff and walking its IFD chain, with LibTiff's failures turned into our errors.</summary>
internal static class TiffFile
{
    /// <summary>The format name TIFF errors and <see cref="Movie.Format"/> use.</summary>
    public const string Format = "tiff";

    /// <summary>Opens <paramref name="path"/> with LibTiff for reading.</summary>
    /// <exception cref="MovieFormatException">LibTiff cannot read its header.</exception>
    public static Tiff Open(string path)
    {
        TiffErrors.Install();
        TiffErrors.Clear();
        Tiff? t;
        try
        {
            t = Tiff.Open(path, "r");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new MovieFormatException(path, Format, $"not a readable TIFF: {e.Message}", 0, e);
        }
        return t ?? throw new MovieFormatException(path, Format, $"not a readable TIFF: {TiffErrors.Last ?? "bad header"}", 0);
    }

    /// <summary>Moves to the next IFD; false at the end of the chain and also when the next IFD cannot be read
    /// (a broken chain ends the movie rather than throwing).</summary>
    public static bool ReadNextDirectory(Tiff tif)
    {
        try
        {
            return tif.ReadDirectory();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }
}
