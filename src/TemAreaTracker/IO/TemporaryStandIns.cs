// ============================================================================================
// TEMPORARY STAND-INS — DELETE THIS FILE AT MERGE.
// Minimal placeholders for members written by other helpers (movie readers, ImageJ ROI I/O,
// particle detection) so that the track pipeline compiles meanwhile. Nothing tests their behaviour.
// ============================================================================================
using OpenCvSharp;

namespace TemAreaTracker.IO
{
    /// <summary>TEMPORARY STAND-IN (see file header).</summary>
    public static class MovieReader
    {
        /// <summary>TEMPORARY STAND-IN: the real reader opens AVI/MP4/TIFF/image folders.</summary>
        public static Movie Open(string path) =>
            throw new NotImplementedException($"{path}: movie readers have not landed yet (temporary stand-in)");
    }

    /// <summary>TEMPORARY STAND-IN (see file header).</summary>
    public static class ImageJRoi
    {
        /// <summary>TEMPORARY STAND-IN: the real reader reads .roi, RoiSet.zip and JSON outlines.</summary>
        public static IReadOnlyList<Outline> Read(string path) =>
            throw new NotImplementedException($"{path}: ImageJ ROI reader has not landed yet (temporary stand-in)");

        /// <summary>TEMPORARY STAND-IN: writes nothing but an empty zip so the pipeline's file list is complete.</summary>
        public static void WriteZip(string path, IEnumerable<Outline> outlines)
        {
            using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create);
            foreach (var o in outlines)
            {
                var entry = zip.CreateEntry($"{o.Frame ?? 0:D4}-{o.Name}.txt");
                using var w = new StreamWriter(entry.Open());
                foreach (var v in o.VerticesPx) w.WriteLine($"{v.X} {v.Y}");
            }
        }
    }
}

namespace TemAreaTracker.Segmentation
{
    /// <summary>TEMPORARY STAND-IN (see file header).</summary>
    public static class ParticleDetector
    {
        /// <summary>TEMPORARY STAND-IN: the real detector finds every particle in the first frame.</summary>
        public static IReadOnlyList<Outline> Detect(Frame firstFrame) =>
            throw new NotImplementedException("particle detection has not landed yet (temporary stand-in)");
    }
}
