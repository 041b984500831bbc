// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using Cairn.Bench.Legacy.Internal;
using Google.Protobuf;

namespace Cairn.Bench.Legacy;

/// <summary>
/// Sends response messages of a streaming call. Each write is flushed, so the client sees it at once and HTTP/2
/// flow control paces the handler. Not for concurrent use: await one write before starting the next.
/// </summary>
/// <typeparam name="T">Response message type.</typeparam>
public sealed class RpcStreamWriter<T>
    where T : class, IMessage<T>
{
    private readonly ServerCall _call;

    internal RpcStreamWriter(ServerCall call) => _call = call;

    /// <summary>Writes one message and flushes it.</summary>
    public Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _call.WriteMessageAsync(message, cancellationToken);
    }
}
