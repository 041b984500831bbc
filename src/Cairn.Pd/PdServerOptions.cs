using System.Net;

namespace Cairn.Pd;

/// <summary>Settings of a <see cref="PdServer"/>. Immutable; validated when the server starts.</summary>
public sealed record PdServerOptions
{
    /// <summary>gRPC (HTTP/2 cleartext) address. Port 0 picks a free port. Default 127.0.0.1:2379.</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, 2379);

    /// <summary>
    /// HTTP/1.1 admin API address. Null: the gRPC port + 1 on the same IP (or a free port when the gRPC port is 0).
    /// A separate port is needed because Kestrel cannot tell prior-knowledge HTTP/2 from HTTP/1.1 on one cleartext
    /// endpoint: with both enabled and no TLS/ALPN it serves HTTP/1.1 only.
    /// </summary>
    public IPEndPoint? HttpEndPoint { get; init; }

    /// <summary>Directory of pd's metadata (created if missing). Required.</summary>
    public string DataDir { get; init; } = "";

    /// <summary>Member name reported by GetMembers.</summary>
    public string Name { get; init; } = "pd";

    /// <summary>How far ahead of the served physical time the TSO high-water mark is persisted. Default 3 s.</summary>
    public TimeSpan TsoSaveWindow { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>A store silent this long is reported Disconnected. Default 20 s.</summary>
    public TimeSpan StoreDisconnectTime { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A store silent this long is reported Down. Default 30 min.</summary>
    public TimeSpan StoreDownTime { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>A move operator not finished within this time ends as TIMEOUT. Default 10 min.</summary>
    public TimeSpan OperatorTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the background checks run (operator timeouts, offline stores, balance). Default 1 s.</summary>
    public TimeSpan ScheduleInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long versions are kept: the GC driver keeps the safepoint at now - life time or older. Default 10 min.</summary>
    public TimeSpan GcLifeTime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the GC driver advances the safepoint. Default 1 min.</summary>
    public TimeSpan GcRunInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether the balance-region scheduler is on at first start (later its persisted setting wins).</summary>
    public bool EnableBalanceRegion { get; init; } = true;

    /// <summary>At most this many scheduler-created move operators run at once. Default 4.</summary>
    public int MaxSchedulerOperators { get; init; } = 4;

    /// <summary>The cluster version pd reports (<c>/pd/api/v1/config/cluster-version</c>, store heartbeats).</summary>
    public string ClusterVersion { get; init; } = "5.1.0";

    /// <summary>
    /// How far ahead of the clock <c>admin/reset-ts</c> may move timestamps (PD's <c>max-gap-reset-ts</c>). Default 24 h.
    /// </summary>
    public TimeSpan MaxGapResetTs { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Mutual TLS on every listener (gRPC and HTTP) and every outgoing connection; null: cleartext. With
    /// <see cref="Cairn.Rpc.Security.TlsSettings.AllowedCommonNames"/> set, clients with other CNs are refused.
    /// </summary>
    public Cairn.Rpc.Security.TlsSettings? Tls { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(EndPoint);
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            throw new ArgumentException("A data directory is required.", nameof(DataDir));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
        ArgumentException.ThrowIfNullOrWhiteSpace(ClusterVersion);
        ArgumentOutOfRangeException.ThrowIfLessThan(TsoSaveWindow, TimeSpan.FromMilliseconds(10), nameof(TsoSaveWindow));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StoreDisconnectTime, TimeSpan.Zero, nameof(StoreDisconnectTime));
        ArgumentOutOfRangeException.ThrowIfLessThan(StoreDownTime, StoreDisconnectTime, nameof(StoreDownTime));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(OperatorTimeout, TimeSpan.Zero, nameof(OperatorTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ScheduleInterval, TimeSpan.Zero, nameof(ScheduleInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(GcLifeTime, TimeSpan.Zero, nameof(GcLifeTime));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(GcRunInterval, TimeSpan.Zero, nameof(GcRunInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxGapResetTs, TimeSpan.Zero, nameof(MaxGapResetTs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSchedulerOperators, nameof(MaxSchedulerOperators));
    }
}
