namespace Cairn.Rpc;

/// <summary>Per-call settings, turned into gRPC call options by <see cref="RpcChannel.CallOptions"/>.</summary>
public sealed record RpcCallOptions
{
    /// <summary>
    /// Time the call may take, sent to the server as <c>grpc-timeout</c> and enforced locally; when it passes, the
    /// call fails with DEADLINE_EXCEEDED and the stream is reset. Null means no deadline.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Extra metadata headers for this call (lower-case names; no <c>grpc-</c> prefix).</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Headers { get; init; }
}
