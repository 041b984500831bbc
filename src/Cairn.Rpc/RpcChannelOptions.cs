namespace Cairn.Rpc;

/// <summary>Settings of an <see cref="RpcChannel"/> (and of every channel an <see cref="RpcChannelPool"/> opens).</summary>
public sealed record RpcChannelOptions
{
    /// <summary>Largest response message accepted; larger ones fail with RESOURCE_EXHAUSTED. Default 128 MiB.</summary>
    public int MaxReceiveMessageSize { get; init; } = 128 * 1024 * 1024;

    /// <summary>Largest request message sent; larger ones fail with RESOURCE_EXHAUSTED before sending. Default 128 MiB.</summary>
    public int MaxSendMessageSize { get; init; } = 128 * 1024 * 1024;

    /// <summary>
    /// Open another HTTP/2 connection when the server's stream limit is reached, instead of queueing calls.
    /// On by default: long-lived streams (heartbeats, TSO) must never starve unary calls of streams.
    /// </summary>
    public bool EnableMultipleHttp2Connections { get; init; } = true;

    /// <summary>Time allowed for the TCP connect; a failure is reported as UNAVAILABLE.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Idle time after which the connection is probed with an HTTP/2 PING (BR uses 10 s), so a peer that vanished
    /// without closing its socket is noticed. Null turns keepalive off.
    /// </summary>
    public TimeSpan? KeepAlivePingDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time a keepalive PING may go unanswered before the connection is closed (BR uses 3 s).</summary>
    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Per-stream HTTP/2 receive window; null keeps the handler's default (dynamic).</summary>
    public int? InitialHttp2StreamWindowSize { get; init; }

    /// <summary>Metadata sent with every call (e.g. a cluster id); per-call headers are added after these.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> DefaultHeaders { get; init; } = [];

    /// <summary>
    /// Mutual TLS: when set the channel speaks TLS (bare <c>host:port</c> addresses mean <c>https://</c> and an
    /// <c>http://</c> one is refused); when null it speaks cleartext and refuses <c>https://</c> addresses.
    /// </summary>
    public Security.TlsSettings? Tls { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxReceiveMessageSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSendMessageSize);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero);
        if (KeepAlivePingDelay is { } delay)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(delay, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(KeepAlivePingTimeout, TimeSpan.Zero);
        }

        if (InitialHttp2StreamWindowSize is { } w)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(w, 65_535);
        }

        ArgumentNullException.ThrowIfNull(DefaultHeaders);
    }
}
