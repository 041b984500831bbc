namespace Cairn.Br.Tests.Cli;

/// <summary>
/// A one-store playground loaded with database <c>shop</c> (2 sysbench tables) and one backup of it made by
/// <c>br backup full</c> (and a raw one), taken once; each test copies the backup folder and damages or edits its copy.
/// </summary>
public sealed class BackupFolderFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("br-backup-folder");
    private Playground? _playground;

    /// <summary>The playground's pd address.</summary>
    public string Pd => (_playground ?? throw new InvalidOperationException("the playground did not start")).Pd;

    /// <summary>The folder holding the backup (do not change it: copy it with <see cref="CopyTo"/>).</summary>
    public string Backup => _dir.Sub("backup");

    /// <summary>A raw backup (<c>br backup raw</c> of the whole raw key space) of the same cluster.</summary>
    public string RawBackup => _dir.Sub("raw");

    public async Task InitializeAsync()
    {
        _playground = await Playground.StartAsync(1);
        await _playground.CairnAsync(TimeSpan.FromMinutes(3), "workload", "sysbench", "--pd", Pd, "--db", "shop", "--tables", "2", "--rows", "500");
        var (exit, stdout, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(3), "backup", "full", "-u", Pd, "-s", Backup, "--log-file", _dir.Sub("backup.log"));
        Assert.True(exit == 0, $"br backup full exited with {exit}:\n{stdout}\n{stderr}");
        var raw = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(3), "backup", "raw", "-u", Pd, "-s", RawBackup, "--log-file", _dir.Sub("raw.log"));
        Assert.True(raw.ExitCode == 0, $"br backup raw exited with {raw.ExitCode}:\n{raw.StandardOutput}\n{raw.StandardError}");
    }

    /// <summary>Copies the backup (or <paramref name="source"/>) to <paramref name="target"/> (created) and returns it.</summary>
    public string CopyTo(string target, string? source = null)
    {
        source ??= Backup;
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return target;
    }

    public async Task DisposeAsync()
    {
        if (_playground is not null)
        {
            await _playground.DisposeAsync();
        }

        _dir.Dispose();
    }
}
