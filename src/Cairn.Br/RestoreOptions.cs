using Cairn.Br.Filter;
using Cairn.Br.Restore;
using Cairn.Storage;

namespace Cairn.Br;

/// <summary>Everything one restore job needs; validated by <see cref="RestoreJob.RunAsync"/> before anything is read or created.</summary>
public sealed record RestoreOptions
{
    /// <summary>pd addresses (<c>host:port</c>) of the target cluster; the first that answers is used.</summary>
    public required IReadOnlyList<string> PdAddresses { get; init; }

    /// <summary>The storage URL the backup is read from.</summary>
    public required string Storage { get; init; }

    /// <summary>Storage settings from flags and environment (endpoints, credentials); the URL's query overrides them.</summary>
    public StorageOpenOptions StorageOptions { get; init; } = StorageOpenOptions.Default;

    /// <summary>What is restored.</summary>
    public RestoreKind Kind { get; init; } = RestoreKind.Full;

    /// <summary>Which tables of the backup (full restores); <see langword="null"/> means <see cref="TableFilter.RestoreDefault"/>.</summary>
    public TableFilter? Filter { get; init; }

    /// <summary>The databases a <see cref="RestoreKind.Database"/> restore names; each must be in the backup.</summary>
    public IReadOnlyList<string>? Databases { get; init; }

    /// <summary>The tables a <see cref="RestoreKind.Table"/> restore names; each must be in the backup.</summary>
    public IReadOnlyList<(string Database, string Table)>? Tables { get; init; }

    /// <summary>Names are matched case-sensitively (only for the filter built from <see cref="Databases"/>/<see cref="Tables"/>).</summary>
    public bool CaseSensitive { get; init; }

    /// <summary>Table routes (<c>--rename</c>): restore a database or table of the backup under another name.</summary>
    public IReadOnlyList<TableRename> Renames { get; init; } = [];

    /// <summary>Restore into target tables that exist already but are empty (their definitions must match the backup's).</summary>
    public bool AllowExistingEmptyTables { get; init; }

    /// <summary>Verify every restored table's checksum against the backup's.</summary>
    public bool Checksum { get; init; } = true;

    /// <summary>File groups downloaded and ingested at once.</summary>
    public int Concurrency { get; init; } = 128;

    /// <summary>Download rate limit per store, bytes per second; 0 means unlimited.</summary>
    public long RateLimitBytesPerSecond { get; init; }

    /// <summary>Online restore (placement rules isolating the restored regions); not supported yet, refused.</summary>
    public bool Online { get; init; }

    /// <summary>The raw range to restore (raw restores only); it must lie inside a range of the backup.</summary>
    public RawBackupRange? Raw { get; init; }

    /// <summary>Put the storage credentials into the requests sent to the stores (otherwise they use their own environment).</summary>
    public bool SendCredentialsToStores { get; init; } = true;

    /// <summary>Check pd's cluster version and every store's version before starting.</summary>
    public bool CheckRequirements { get; init; } = true;

    /// <summary>TTL of the service GC safepoint held while the job runs.</summary>
    public TimeSpan GcTtl { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>How long connecting to pd may take before the job fails naming the addresses.</summary>
    public TimeSpan PdConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Mutual TLS to pd (gRPC and HTTP) and the stores (<c>--ca --cert --key</c>); null: cleartext.</summary>
    public Cairn.Rpc.Security.TlsSettings? Tls { get; init; }

    /// <summary>How often the stores are told again to stay in import mode (br's <c>--switch-mode-interval</c>); more than 0.</summary>
    public TimeSpan SwitchModeInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the restore waits for pd to scatter the new regions before it ingests into them as they are; more than 0.</summary>
    public TimeSpan ScatterWait { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>Tables and views created per transaction.</summary>
    public int CreateBatchSize { get; init; } = 256;

    /// <summary>Serve the <c>local://</c> folder to the stores for the job's duration (<c>--local-server</c>); null: each store reads its own disk.</summary>
    public LocalServer.LocalServerOptions? LocalServer { get; init; }
}
