// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;

namespace Cairn.Bench.Legacy.Internal;

/// <summary>A request body that frames and sends messages as the caller produces them.</summary>
internal sealed class StreamingContent<T> : HttpContent
    where T : IMessage
{
    private readonly IAsyncEnumerable<T> _messages;
    private readonly int _maxMessageSize;

    public StreamingContent(IAsyncEnumerable<T> messages, int maxMessageSize)
    {
        _messages = messages;
        _maxMessageSize = maxMessageSize;
        Headers.TryAddWithoutValidation("Content-Type", GrpcProtocol.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await foreach (var message in _messages.WithCancellation(cancellationToken))
        {
            var size = message.CalculateSize();
            FrameWriter.CheckSize(size, _maxMessageSize);
            var total = GrpcProtocol.FrameHeaderSize + size;
            var buffer = ArrayPool<byte>.Shared.Rent(total);
            try
            {
                buffer[0] = 0;
                BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1), (uint)size);
                message.WriteTo(buffer.AsSpan(GrpcProtocol.FrameHeaderSize, size));
                await stream.WriteAsync(buffer.AsMemory(0, total), cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
