// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using Cairn.Bench.Legacy.Internal;
using Google.Protobuf;

namespace Cairn.Bench.Legacy;

/// <summary>
/// Sends pre-serialized frames of a server-streaming call, for bulk data: the payload goes from the caller's buffer
/// into the HTTP/2 stream without being wrapped in a protobuf <see cref="ByteString"/>. Not for concurrent use.
/// </summary>
public sealed class RpcRawStreamWriter
{
    private readonly ServerCall _call;

    internal RpcRawStreamWriter(ServerCall call) => _call = call;

    /// <summary>Writes one frame whose payload is an already serialized message, and flushes it.</summary>
    public Task WriteFrameAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
        => _call.WriteRawAsync(null, 0, payload, cancellationToken);

    /// <summary>
    /// Writes one frame made of <paramref name="header"/> followed by a length-delimited field
    /// <paramref name="bytesFieldNumber"/> holding <paramref name="data"/>. Protobuf merges concatenated encodings,
    /// so the receiver parses it as a message with the header's fields plus that <c>bytes</c> field.
    /// </summary>
    public Task WriteAsync(IMessage header, int bytesFieldNumber, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesFieldNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytesFieldNumber, 536_870_911);
        return _call.WriteRawAsync(header, bytesFieldNumber, data, cancellationToken);
    }

    /// <summary>Writes an ordinary message frame and flushes it.</summary>
    public Task WriteAsync(IMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _call.WriteMessageAsync(message, cancellationToken);
    }
}
