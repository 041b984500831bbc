using System.Net;

namespace Cairn.Rpc;

/// <summary>Settings of an <see cref="RpcServer"/>. Validated when the server starts.</summary>
public sealed record RpcServerOptions
{
    /// <summary>Address to listen on; port 0 picks a free port (see <see cref="RpcServer.EndPoint"/>).</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>Largest request message accepted; larger ones fail with RESOURCE_EXHAUSTED. Default 128 MiB.</summary>
    public int MaxReceiveMessageSize { get; init; } = 128 * 1024 * 1024;

    /// <summary>Largest response message sent; larger ones fail the call with RESOURCE_EXHAUSTED. Default 128 MiB.</summary>
    public int MaxSendMessageSize { get; init; } = 128 * 1024 * 1024;

    /// <summary>Concurrent HTTP/2 streams (calls) per client connection.</summary>
    public int MaxStreamsPerConnection { get; init; } = 1000;

    /// <summary>HTTP/2 connection-level receive window, in bytes.</summary>
    public int InitialConnectionWindowSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>HTTP/2 per-stream receive window, in bytes.</summary>
    public int InitialStreamWindowSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>How long stopping lets running calls finish before aborting them.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Mutual TLS: when set the server speaks only TLS (HTTP/2 over ALPN) and demands client certificates.</summary>
    public Security.TlsSettings? Tls { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(EndPoint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxReceiveMessageSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSendMessageSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxStreamsPerConnection);
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialConnectionWindowSize, 65_535);
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialStreamWindowSize, 65_535);
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownTimeout, TimeSpan.Zero);
    }
}
