namespace Cairn.Storage.Tests.Infrastructure;

/// <summary>A folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates a new empty folder.</summary>
    public TempDirectory(string tag = "storage")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cairn-{tag}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
