namespace Cairn.Pd.Client;

/// <summary>Settings of a <see cref="PdClient"/>.</summary>
public sealed record PdClientOptions
{
    /// <summary>Deadline of one pd request (and of one TSO round trip). Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a call keeps retrying while pd is unreachable (restarting, leader changing) before it fails with a
    /// transient <see cref="PdException"/>. Default 30 s.
    /// </summary>
    public TimeSpan RetryTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause between retries. Default 200 ms.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Most timestamp requests merged into one TSO round trip. Default 10,000.</summary>
    public int MaxTsoBatchSize { get; init; } = 10_000;

    /// <summary>
    /// Mutual TLS to pd (and, through the region cache built on this client, to the stores): bare addresses then
    /// mean <c>https://</c>, and <c>http://</c> ones are refused. Null: cleartext.
    /// </summary>
    public Cairn.Rpc.Security.TlsSettings? Tls { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero, nameof(RequestTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryTimeout, TimeSpan.Zero, nameof(RetryTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryInterval, TimeSpan.Zero, nameof(RetryInterval));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTsoBatchSize, nameof(MaxTsoBatchSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxTsoBatchSize, 1 << 18, nameof(MaxTsoBatchSize));
    }
}
