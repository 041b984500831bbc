using Cairn.Pd;
using Cairn.Store;

namespace Cairn.Testing;

/// <summary>How a <see cref="TestCluster"/> runs: intervals default to fractions of a second so tests see effects quickly.</summary>
public sealed record TestClusterOptions
{
    /// <summary>Number of stores. Default 3.</summary>
    public int Stores { get; init; } = 3;

    /// <summary>Whether pd's balance-region scheduler is on. Default off, so regions stay where tests put them.</summary>
    public bool EnableBalanceRegion { get; init; }

    /// <summary>Store heartbeat, region heartbeat and pd schedule interval. Default 100 ms.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often stores measure (and split) their regions. Default 200 ms.</summary>
    public TimeSpan SplitCheckInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often stores read pd's GC safepoint. Default 200 ms.</summary>
    public TimeSpan GcInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Split thresholds (bytes, keys). Defaults are TiKV's (96 MiB, 960k keys): no split in a test unless lowered.</summary>
    public long RegionSplitSize { get; init; } = 96L * 1024 * 1024;

    /// <summary>Split threshold in keys.</summary>
    public long RegionSplitKeys { get; init; } = 960_000;

    /// <summary>Last word on pd's options (after the defaults above are applied).</summary>
    public Func<PdServerOptions, PdServerOptions>? ConfigurePd { get; init; }

    /// <summary>Last word on each store's options; the int is the store's index.</summary>
    public Func<int, StoreNodeOptions, StoreNodeOptions>? ConfigureStore { get; init; }

    /// <summary>Logger factory for pd and the stores (null: no logs).</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Upper bound of every wait the cluster does (start-up, restarts). Default 60 s.</summary>
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
