using System.Net;

namespace Cairn.Store;

/// <summary>How to run a store node. Immutable; checked by <see cref="Validate"/> at start.</summary>
public sealed record StoreNodeOptions
{
    /// <summary>Address to listen on, <c>host:port</c> with an IP host; port 0 picks a free port.</summary>
    public string Address { get; init; } = "127.0.0.1:20160";

    /// <summary>Directory of the store's RocksDB.</summary>
    public required string DataDir { get; init; }

    /// <summary>Store labels (e.g. <c>zone=z1</c>, <c>engine=tiflash</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Requests served at once before the store answers ServerIsBusy; null = unlimited, 0 = reject all.</summary>
    public int? MaxInFlightRequests { get; init; }

    /// <summary>Capacity of the block cache shared by all column families, in bytes.</summary>
    public long BlockCacheSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>Whether data writes are fsynced before they are acknowledged (see <see cref="Engine.StoreEngine"/>).</summary>
    public bool SyncWrites { get; init; }

    /// <summary>Number of key latch slots.</summary>
    public int LatchSlots { get; init; } = 2048;

    /// <summary>
    /// pd's address (e.g. <c>http://127.0.0.1:2379</c> or <c>127.0.0.1:2379</c>); null runs standalone. With pd the
    /// store registers (or bootstraps the cluster), heartbeats, takes split IDs from pd, splits regions that grow past
    /// <see cref="RegionSplitSize"/>/<see cref="RegionSplitKeys"/>, carries out pd's moves and runs GC to pd's safepoint.
    /// </summary>
    public string? PdAddress { get; init; }

    /// <summary>How long the store keeps trying to reach pd at start before it gives up (also how long each later pd call retries). Default 30 s.</summary>
    public TimeSpan PdConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the store heartbeat goes to pd. Default 10 s (pd reports a store Disconnected after 20 s).</summary>
    public TimeSpan StoreHeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often every led region is reported on the region heartbeat stream. Default 10 s.</summary>
    public TimeSpan RegionHeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often region sizes are measured (and oversized regions split). Default 10 s.</summary>
    public TimeSpan SplitCheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A region larger than this (bytes of keys and values over all CFs) is split in the middle. Default 96 MiB (TiKV's region-split-size).</summary>
    public long RegionSplitSize { get; init; } = 96L * 1024 * 1024;

    /// <summary>A region with more keys than this is split in the middle. Default 960,000 (TiKV's region-split-keys).</summary>
    public long RegionSplitKeys { get; init; } = 960_000;

    /// <summary>How often the GC worker reads pd's GC safepoint and collects old versions up to it. Default 1 min.</summary>
    public TimeSpan GcInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long import mode lasts without a renewing import call before the store returns to Normal by itself.
    /// Default 10 min (TiKV's <c>import.import-mode-timeout</c>).
    /// </summary>
    public TimeSpan ImportModeTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Downloads (fetch, rewrite, stage) run at once; more wait. Default 8 (TiKV's <c>import.num-threads</c>).</summary>
    public int ImportConcurrency { get; init; } = 8;

    /// <summary>
    /// Free space the import folder's file system must keep beyond twice the file size before a download starts.
    /// Default 1 GiB.
    /// </summary>
    public long ImportDiskReserve { get; init; } = 1024L * 1024 * 1024;

    /// <summary>
    /// Workers that scan and write backup files, shared by every backup request on the store (TiKV's
    /// <c>backup.num-threads</c>). Default half the cores, at least 1.
    /// </summary>
    public int BackupThreads { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>A backup file pair is cut once its keys and values reach this many bytes (between keys). Default 144 MiB.</summary>
    public long SstMaxSize { get; init; } = 144L * 1024 * 1024;

    /// <summary>The listen address parsed.</summary>
    public IPEndPoint EndPoint => IPEndPoint.Parse(Address);

    /// <summary>
    /// Mutual TLS on the store's gRPC listener and on its connections to pd and to other stores; null: cleartext.
    /// With <see cref="Cairn.Rpc.Security.TlsSettings.AllowedCommonNames"/> set, clients with other CNs are refused.
    /// </summary>
    public Cairn.Rpc.Security.TlsSettings? Tls { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            throw new ArgumentException("The data directory is required.", nameof(DataDir));
        }

        if (!IPEndPoint.TryParse(Address, out var endPoint) || !Address.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The address '{Address}' is not host:port with an IP host.", nameof(Address));
        }

        if (endPoint.Port is < 0 or > 65535)
        {
            throw new ArgumentException($"The port of '{Address}' is out of range.", nameof(Address));
        }

        if (MaxInFlightRequests is < 0)
        {
            throw new ArgumentException("The in-flight request limit cannot be negative.", nameof(MaxInFlightRequests));
        }

        if (BlockCacheSize < 1024 * 1024)
        {
            throw new ArgumentException("The block cache must be at least 1 MiB.", nameof(BlockCacheSize));
        }

        if (LatchSlots < 1)
        {
            throw new ArgumentException("There must be at least one latch slot.", nameof(LatchSlots));
        }

        foreach (var (key, _) in Labels)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new ArgumentException("Label keys cannot be empty.", nameof(Labels));
            }
        }

        if (PdAddress is not null && string.IsNullOrWhiteSpace(PdAddress))
        {
            throw new ArgumentException("The pd address cannot be blank.", nameof(PdAddress));
        }

        if (StoreHeartbeatInterval <= TimeSpan.Zero || RegionHeartbeatInterval <= TimeSpan.Zero || SplitCheckInterval <= TimeSpan.Zero || GcInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("Heartbeat, split-check and GC intervals must be positive.");
        }

        if (ImportModeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("The import mode timeout must be positive.", nameof(ImportModeTimeout));
        }

        if (ImportConcurrency < 1)
        {
            throw new ArgumentException("The import concurrency must be at least 1.", nameof(ImportConcurrency));
        }

        if (ImportDiskReserve < 0)
        {
            throw new ArgumentException("The import disk reserve cannot be negative.", nameof(ImportDiskReserve));
        }

        if (BackupThreads < 1)
        {
            throw new ArgumentException("There must be at least one backup thread.", nameof(BackupThreads));
        }

        if (SstMaxSize < 1)
        {
            throw new ArgumentException("The backup SST size limit must be positive.", nameof(SstMaxSize));
        }

        if (RegionSplitSize < 1 || RegionSplitKeys < 2)
        {
            throw new ArgumentException("The split thresholds must be positive (at least 2 keys).");
        }
    }
}
