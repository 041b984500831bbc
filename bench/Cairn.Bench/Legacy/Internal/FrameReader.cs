// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Cairn.Bench.Legacy.Internal;

/// <summary>Reads length-prefixed gRPC frames from a <see cref="PipeReader"/>.</summary>
internal static class FrameReader
{
    // `peer` is only formatted on the error paths, so the hot path does not build strings per message.

    /// <summary>
    /// Waits for the next complete frame. Returns false at a clean end of stream. On true, Payload
    /// is valid until <see cref="PipeReader.AdvanceTo(SequencePosition)"/> is called with Consumed.
    /// </summary>
    public static async ValueTask<(bool Ok, ReadOnlySequence<byte> Payload, SequencePosition Consumed)> ReadFrameAsync(
        PipeReader reader, int maxMessageSize, object peer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= GrpcProtocol.FrameHeaderSize)
            {
                var length = ReadHeader(buffer, maxMessageSize, peer);
                if (buffer.Length - GrpcProtocol.FrameHeaderSize >= length)
                {
                    var payload = buffer.Slice(GrpcProtocol.FrameHeaderSize, length);
                    return (true, payload, payload.End);
                }
            }

            if (result.IsCompleted)
            {
                if (buffer.Length == 0)
                {
                    reader.AdvanceTo(buffer.End);
                    return (false, default, default);
                }

                throw new RpcException(StatusCode.Internal, $"Incomplete gRPC message from {peer}: the stream ended inside a frame.");
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads and parses one message, or returns null at a clean end of stream.</summary>
    public static async ValueTask<T?> ReadMessageAsync<T>(
        PipeReader reader, MessageParser<T> parser, int maxMessageSize, object peer, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var (ok, payload, consumed) = await ReadFrameAsync(reader, maxMessageSize, peer, cancellationToken);
        if (!ok)
        {
            return null;
        }

        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(StatusCode.Internal, $"Failed to parse {typeof(T).Name} from {peer}: {e.Message}", e);
        }
        finally
        {
            reader.AdvanceTo(consumed);
        }
    }

    private static int ReadHeader(ReadOnlySequence<byte> buffer, int maxMessageSize, object peer)
    {
        Span<byte> header = stackalloc byte[GrpcProtocol.FrameHeaderSize];
        buffer.Slice(0, GrpcProtocol.FrameHeaderSize).CopyTo(header);
        if (header[0] != 0)
        {
            throw new RpcException(
                StatusCode.Unimplemented,
                header[0] == 1
                    ? $"Compressed gRPC messages are not supported (from {peer}); send with grpc-encoding identity."
                    : $"Invalid gRPC frame flag {header[0]} from {peer}.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(
                StatusCode.ResourceExhausted,
                $"Received message larger than max ({length} vs. {maxMessageSize}) from {peer}.");
        }

        return (int)length;
    }
}
