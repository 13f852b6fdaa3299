using System.Reflection;

namespace TemAreaTracker;

/// <summary>The tool's version, as <c>temtrack --version</c> prints it and run.json records it.</summary>
public static class ToolVersion
{
    /// <summary>Release, then "+" and the commit it was built from (e.g. "0.1.0+d8a8508…"): results name the code that made them.</summary>
    public static string Current { get; } =
        typeof(ToolVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ToolVersion).Assembly.GetName().Version?.ToString() ?? "unknown";
}
