namespace Cairn.Testing;

/// <summary>A fresh directory under the system temp folder, removed with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates a new empty folder; <paramref name="tag"/> names it so that a leftover shows which test made it.</summary>
    public TempDirectory(string tag = "test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cairn-{tag}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <summary>A path inside the folder (not created).</summary>
    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Deletes a folder and everything in it; one that is already gone is fine. A few retries cover a process that
    /// was just stopped and is still releasing its files.
    /// </summary>
    public static void Delete(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 3)
            {
                Thread.Sleep(100);
            }
            catch (IOException)
            {
                // A folder left in the temp area is not the test's failure; the test's own assertions have spoken.
                return;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Delete(Path);
}
