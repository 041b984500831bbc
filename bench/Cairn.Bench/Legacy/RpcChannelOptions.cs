// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
namespace Cairn.Bench.Legacy;

/// <summary>Settings of an <see cref="RpcChannel"/>.</summary>
public sealed record RpcChannelOptions
{
    /// <summary>Largest response message accepted; larger ones fail with RESOURCE_EXHAUSTED. Default 128 MiB.</summary>
    public int MaxReceiveMessageSize { get; init; } = 128 * 1024 * 1024;

    /// <summary>Largest request message sent; larger ones fail with RESOURCE_EXHAUSTED before sending. Default 128 MiB.</summary>
    public int MaxSendMessageSize { get; init; } = 128 * 1024 * 1024;

    /// <summary>
    /// Open another HTTP/2 connection when the server's stream limit is reached, instead of queueing calls.
    /// </summary>
    public bool EnableMultipleHttp2Connections { get; init; }

    /// <summary>Time allowed for the TCP connect; a failure is reported as UNAVAILABLE.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Per-stream HTTP/2 receive window; null keeps the handler's default (dynamic).</summary>
    public int? InitialHttp2StreamWindowSize { get; init; }

    /// <summary>Metadata sent with every call (e.g. a cluster id); per-call headers are added after these.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> DefaultHeaders { get; init; } = [];

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxReceiveMessageSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSendMessageSize);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero);
        if (InitialHttp2StreamWindowSize is { } w)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(w, 65_535);
        }

        ArgumentNullException.ThrowIfNull(DefaultHeaders);
    }
}
