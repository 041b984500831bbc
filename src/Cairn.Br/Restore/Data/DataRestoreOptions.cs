namespace Cairn.Br.Restore.Data;

/// <summary>How the data of a restore is put into the cluster (br-spec §d.10–12).</summary>
public sealed record DataRestoreOptions
{
    /// <summary>File groups downloaded and ingested at once (br's <c>--concurrency</c>).</summary>
    public int Concurrency { get; init; } = 128;

    /// <summary>Download speed limit per store in bytes per second; 0 = none (br's <c>--ratelimit</c>).</summary>
    public ulong RateLimitBytesPerSecond { get; init; }

    /// <summary>Neighbouring ranges of one table and index are merged while their bytes stay at or under this.</summary>
    public ulong MergeMaxBytes { get; init; } = 96UL * 1024 * 1024;

    /// <summary>Neighbouring ranges of one table and index are merged while their keys stay at or under this.</summary>
    public ulong MergeMaxKvs { get; init; } = 960_000;

    /// <summary>How often the stores are told again to stay in import mode (they fall back to normal after their own TTL).</summary>
    public TimeSpan SwitchModeInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the restore waits for pd to finish scattering the new regions before it goes on.</summary>
    public TimeSpan ScatterWait { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>The retry budget of one file group (region changes, busy or unreachable stores) before it fails.</summary>
    public TimeSpan ImportRetryBudget { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Timeout of one Download, Ingest or SwitchMode call.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The key of an encrypted backup, sent in every DownloadRequest; null for a plaintext backup.</summary>
    public Rpc.Backup.CipherInfo? Cipher { get; init; }
}
