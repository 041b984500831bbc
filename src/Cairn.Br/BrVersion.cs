using System.Reflection;

namespace Cairn.Br;

/// <summary>This br's version: what backupmeta's <c>br_version</c> records and what store versions are checked against.</summary>
public static class BrVersion
{
    /// <summary>The release this br follows (the store and pd versions it was built with).</summary>
    public const string Release = "5.1.0";

    /// <summary>
    /// The build text stored in backupmeta's <c>br_version</c>: BR's layout (name, then <c>Key: value</c> lines) with
    /// our own values.
    /// </summary>
    public static string BuildInfo { get; } = CreateBuildInfo();

    private static string CreateBuildInfo()
    {
        var assembly = typeof(BrVersion).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        var commit = plus >= 0 ? informational[(plus + 1)..] : "unknown";
        return $"Cairn BR\nRelease Version: v{Release}\nGit Commit Hash: {commit}\nRuntime: .NET {Environment.Version}";
    }
}
