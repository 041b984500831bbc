using System.Globalization;

namespace Cairn.Testing.Faults;

/// <summary>
/// A small tmpfs mounted on a folder, for a disk that fills: <see cref="ResizeAsync"/> shrinks or grows it while it is
/// in use, and dispose unmounts it. Mounting needs root (or CAP_SYS_ADMIN); <see cref="TryMountAsync"/> says why it
/// could not instead of throwing, so a test can skip with that reason.
/// </summary>
public sealed class Tmpfs : IAsyncDisposable
{
    private bool _mounted = true;

    private Tmpfs(string path) => Path = path;

    /// <summary>The folder the tmpfs is mounted on.</summary>
    public string Path { get; }

    private static readonly Lazy<string?> ProbeResult = new(Probe);

    /// <summary>Null when this machine lets the tests mount a tmpfs (checked once, by mounting one); else why not.</summary>
    public static string? Refusal => ProbeResult.Value;

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> on <paramref name="path"/> (created if missing); the refusal's message when mount fails.</summary>
    public static async Task<(Tmpfs? Mount, string? Refusal)> TryMountAsync(string path, long bytes)
    {
        Directory.CreateDirectory(path);
        var (exit, stdout, stderr) = await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", Size(bytes), "tmpfs", path], TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return exit == 0 ? (new Tmpfs(path), null) : (null, $"mount -t tmpfs on {path} was refused (exit {exit}): {(stderr + stdout).Trim()}");
    }

    /// <summary>Changes the size limit; files already written stay (a limit below them is refused by the kernel).</summary>
    public async Task ResizeAsync(long bytes)
    {
        var (exit, stdout, stderr) = await ProcessRunner.RunAsync("mount", ["-o", "remount," + Size(bytes), Path], TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new InvalidOperationException($"remount of {Path} to {bytes} bytes failed (exit {exit}): {(stderr + stdout).Trim()}");
        }
    }

    /// <summary>Unmounts it now (lazily, so a process still holding a file in it does not block the test).</summary>
    public async Task UnmountAsync()
    {
        if (!_mounted)
        {
            return;
        }

        _mounted = false;
        await ProcessRunner.RunAsync("umount", ["-l", Path], TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await UnmountAsync().ConfigureAwait(false);

    private static string? Probe()
    {
        var dir = new TempDirectory("tmpfs-probe");
        try
        {
            var (mount, refusal) = TryMountAsync(dir.Path, 64 * 1024).GetAwaiter().GetResult();
            mount?.UnmountAsync().GetAwaiter().GetResult();
            return refusal;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return $"mount cannot be run here: {e.Message}";
        }
        finally
        {
            dir.Dispose();
        }
    }

    private static string Size(long bytes) => "size=" + bytes.ToString(CultureInfo.InvariantCulture);
}
