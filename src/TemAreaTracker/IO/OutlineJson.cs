using System.Text.Json;
using System.Text.Json.Nodes;
using OpenCvSharp;

namespace TemAreaTracker.IO;

/// <summary>
/// Named outlines as JSON: <c>{"particles": [{"name": "p1", "polygon_px": [[x, y], ...], "frame": 0}]}</c>.
/// Coordinates in px with pixel centres at integers (as <see cref="Outline"/>); "frame" (zero-based) is optional.
/// </summary>
public static class OutlineJson
{
    /// <summary>Reads outlines from a JSON file.</summary>
    /// <exception cref="InvalidDataException">"&lt;path&gt;: not an outline JSON (…)" naming what is wrong.</exception>
    public static IReadOnlyList<Outline> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not an outline JSON (invalid JSON: {e.Message})", e);
        }
        if (root is not JsonObject top || top["particles"] is not JsonArray particles)
            throw new InvalidDataException($"{path}: not an outline JSON (expected an object with a \"particles\" array)");
        var result = new List<Outline>();
        for (int i = 0; i < particles.Count; i++)
        {
            string where = $"{path}: not an outline JSON (particles[{i}]";
            var p = particles[i] as JsonObject ?? throw new InvalidDataException($"{where} is not an object)");
            try
            {
                result.Add(ReadParticle(p, i, where));
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                // A value of the wrong JSON type ("name": 3, "x" for a coordinate): System.Text.Json says which.
                throw new InvalidDataException($"{where}: {e.Message})", e);
            }
        }
        if (result.Count == 0) throw new InvalidDataException($"{path}: not an outline JSON (\"particles\" is empty)");
        return result;
    }

    /// <summary>One entry of "particles"; <paramref name="where"/> opens its error messages.</summary>
    private static Outline ReadParticle(JsonObject p, int i, string where)
    {
        string name = p["name"]?.GetValue<string>() ?? $"p{i + 1}";
        if (p["polygon_px"] is not JsonArray poly)
            throw new InvalidDataException($"{where} '{name}' has no \"polygon_px\" array)");
        var pts = new List<Point2d>(poly.Count);
        foreach (var v in poly)
        {
            if (v is not JsonArray xy || xy.Count < 2)
                throw new InvalidDataException($"{where} '{name}': each vertex must be [x, y])");
            pts.Add(new Point2d(xy[0]!.GetValue<double>(), xy[1]!.GetValue<double>()));
        }
        if (pts.Count < 3) throw new InvalidDataException($"{where} '{name}' has {pts.Count} vertices; need at least 3)");
        int? frame = p["frame"] is JsonValue fv ? fv.GetValue<int>() : null;
        return new Outline(name, pts, frame);
    }

    /// <summary>Writes outlines as JSON (temporary file, then moved into place).</summary>
    public static void Write(string path, IEnumerable<Outline> outlines)
    {
        var arr = new JsonArray();
        foreach (var o in outlines)
        {
            var poly = new JsonArray();
            foreach (var v in o.VerticesPx) poly.Add(new JsonArray(Math.Round(v.X, 4), Math.Round(v.Y, 4)));
            var obj = new JsonObject { ["name"] = o.Name, ["polygon_px"] = poly };
            if (o.Frame is int f) obj["frame"] = f;
            arr.Add(obj);
        }
        var root = new JsonObject { ["particles"] = arr };
        string tmp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(tmp, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>Reads outlines from any supported file: a JSON outline file (by its ".json" extension or a leading '{'),
/// else an ImageJ .roi or RoiSet.zip.</summary>
public static class OutlineFile
{
    /// <summary>Reads <paramref name="path"/> as JSON outlines or ImageJ ROIs.</summary>
    /// <exception cref="InvalidDataException">One line naming the file and what is wrong with it.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IReadOnlyList<Outline> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return OutlineJson.Read(path);
        using (var fs = File.OpenRead(path))
        {
            int b;
            while ((b = fs.ReadByte()) is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF) { }
            if (b == '{') return OutlineJson.Read(path);
        }
        return ImageJRoi.Read(path);
    }
}
