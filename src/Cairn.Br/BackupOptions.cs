using Cairn.Br.Filter;
using Cairn.Rpc.Backup;
using Cairn.Storage;

namespace Cairn.Br;

/// <summary>Everything one backup job needs; validated by <see cref="BackupJob.RunAsync"/> before anything is written.</summary>
public sealed record BackupOptions
{
    /// <summary>pd addresses (<c>host:port</c>); the first that answers is used.</summary>
    public required IReadOnlyList<string> PdAddresses { get; init; }

    /// <summary>The storage URL the backup is written to (<c>local://</c>, <c>s3://</c>, <c>azure://</c>, <c>gcs://</c>, …).</summary>
    public required string Storage { get; init; }

    /// <summary>Storage settings from flags and environment (endpoints, credentials); the URL's query overrides them.</summary>
    public StorageOpenOptions StorageOptions { get; init; } = StorageOpenOptions.Default;

    /// <summary>What is backed up.</summary>
    public BackupKind Kind { get; init; } = BackupKind.Full;

    /// <summary>Which tables (full/db/table backups); <see langword="null"/> means every table (<c>*.*</c>).</summary>
    public TableFilter? Filter { get; init; }

    /// <summary>
    /// The databases a <see cref="BackupKind.Database"/> backup names; each must exist at the snapshot. When
    /// <see cref="Filter"/> is null the filter is built from them.
    /// </summary>
    public IReadOnlyList<string>? Databases { get; init; }

    /// <summary>
    /// The tables a <see cref="BackupKind.Table"/> backup names; each must exist at the snapshot. When
    /// <see cref="Filter"/> is null the filter is built from them.
    /// </summary>
    public IReadOnlyList<(string Database, string Table)>? Tables { get; init; }

    /// <summary>Filter rules are matched case-sensitively (only for the filter built from <see cref="Databases"/>/<see cref="Tables"/>).</summary>
    public bool CaseSensitive { get; init; }

    /// <summary>The raw range (raw backups only).</summary>
    public RawBackupRange? Raw { get; init; }

    /// <summary>The snapshot timestamp; 0 means a fresh timestamp from pd (minus <see cref="TimeAgo"/>).</summary>
    public ulong BackupTs { get; init; }

    /// <summary>Back up the snapshot this long before now (ignored when <see cref="BackupTs"/> is set).</summary>
    public TimeSpan TimeAgo { get; init; }

    /// <summary>Start of an incremental backup: versions committed after it are backed up; 0 for a full backup.</summary>
    public ulong LastBackupTs { get; init; }

    /// <summary>
    /// The storage URL of the previous backup of the chain (<c>--incremental-from</c>), read with
    /// <see cref="StorageOptions"/>: its <c>end_version</c> becomes <see cref="LastBackupTs"/> (which, if also given,
    /// must be equal). <see langword="null"/> when not used.
    /// </summary>
    public string? IncrementalFrom { get; init; }

    /// <summary>TTL of the service GC safepoint that protects the snapshot while the job runs.</summary>
    public TimeSpan GcTtl { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Upload rate limit per store, bytes per second; 0 means unlimited.</summary>
    public long RateLimitBytesPerSecond { get; init; }

    /// <summary>How many ranges are backed up at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>SST block compression the stores use.</summary>
    public CompressionType Compression { get; init; } = CompressionType.Zstd;

    /// <summary>Compression level passed to the stores (0 = the algorithm's default).</summary>
    public int CompressionLevel { get; init; }

    /// <summary>Verify every table's checksum (coprocessor at the snapshot) against its files.</summary>
    public bool Checksum { get; init; } = true;

    /// <summary>Check pd's cluster version and every store's version before starting.</summary>
    public bool CheckRequirements { get; init; } = true;

    /// <summary>Write the multi-file backupmeta (v2) even when the meta is small.</summary>
    public bool UseBackupMetaV2 { get; init; }

    /// <summary>
    /// How long the retries of one range's gaps may wait in all before the job fails naming the stores and ranges
    /// left (BR's 80 s). Tests shorten it.
    /// </summary>
    internal TimeSpan RetryBudget { get; init; } = TimeSpan.FromSeconds(80);

    /// <summary>How long connecting to pd may take before the job fails naming the addresses.</summary>
    public TimeSpan PdConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Mutual TLS to pd (gRPC and HTTP) and the stores (<c>--ca --cert --key</c>); null: cleartext.</summary>
    public Cairn.Rpc.Security.TlsSettings? Tls { get; init; }

    /// <summary>Put the storage credentials into the requests sent to the stores (otherwise they use their own environment).</summary>
    public bool SendCredentialsToStores { get; init; } = true;

    /// <summary>Serve the <c>local://</c> folder to the stores for the job's duration (<c>--local-server</c>); null: each store writes to its own disk.</summary>
    public LocalServer.LocalServerOptions? LocalServer { get; init; }
}
