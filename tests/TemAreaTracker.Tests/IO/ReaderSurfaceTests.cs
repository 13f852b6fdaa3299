using TemAreaTracker.IO;
using Xunit;

namespace TemAreaTracker.Tests.IO;

/// <summary>The readers are an implementation detail of <see cref="MovieReader.Open"/>: callers see a <see cref="Movie"/>.</summary>
public class ReaderSurfaceTests
{
    [Fact]
    public void EveryIoReader_IsInternal_ReachedOnlyThroughMovieReader()
    {
        var readers = typeof(MovieReader).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(MovieReader).Namespace && typeof(Movie).IsAssignableFrom(t))
            .ToList();
        Assert.Equal(8, readers.Count);
        Assert.All(readers, t => Assert.False(t.IsPublic, $"{t.Name} is public"));
    }

    [Fact]
    public void Open_TiffStack_ReportsItsHeaderThroughMovie()
    {
        string dir = Directory.CreateTempSubdirectory("reader-header-").FullName;
        try
        {
            string path = Path.Combine(dir, "stack.tif");
            using (var w = MovieWriter.Create(path, MovieFileFormat.Tiff, 40, 30, 16, 3, pixelSizeNm: 2.5, frameIntervalS: 0.5))
                for (int k = 0; k < 3; k++)
                    using (var f = new Frame(k, new OpenCvSharp.Mat(30, 40, OpenCvSharp.MatType.CV_16UC1, new OpenCvSharp.Scalar(100 * k))))
                        w.Write(f);

            using var movie = MovieReader.Open(path);
            Assert.Equal((path, "tiff", 40, 30, 3, "uint16"), (movie.SourcePath, movie.Format, movie.Width, movie.Height, movie.FrameCount, movie.DataType));
            Assert.Equal(2.5, movie.Calibration.PixelWidthNm!.Value, 6);
            Assert.Equal(0.5, movie.Calibration.FrameIntervalS!.Value, 6);
            Assert.Equal("3", movie.Metadata["tiff.pages"]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
