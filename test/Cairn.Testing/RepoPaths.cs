namespace Cairn.Testing;

/// <summary>Finds files of the repository from the test's output folder.</summary>
public static class RepoPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries holding Cairn.slnx.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A script under scripts/.</summary>
    public static string Script(string name) => Path.Combine(Root, "scripts", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cairn.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"cannot find the repository root (Cairn.slnx) above {AppContext.BaseDirectory}");
    }
}
