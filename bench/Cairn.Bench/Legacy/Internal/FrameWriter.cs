// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Cairn.Bench.Legacy.Internal;

/// <summary>Writes length-prefixed gRPC frames.</summary>
internal static class FrameWriter
{
    public static void WriteMessage(IBufferWriter<byte> writer, IMessage message, int maxMessageSize)
    {
        var size = message.CalculateSize();
        CheckSize(size, maxMessageSize);
        WriteHeader(writer, size);
        if (size > 0)
        {
            message.WriteTo(writer);
        }
    }

    /// <summary>Serializes a whole frame into a new array (used for single-message request bodies).</summary>
    public static byte[] ToFrame(IMessage message, int maxMessageSize)
    {
        var size = message.CalculateSize();
        CheckSize(size, maxMessageSize);
        var frame = new byte[GrpcProtocol.FrameHeaderSize + size];
        frame[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)size);
        message.WriteTo(frame.AsSpan(GrpcProtocol.FrameHeaderSize));
        return frame;
    }

    public static void WriteHeader(IBufferWriter<byte> writer, int length)
    {
        var span = writer.GetSpan(GrpcProtocol.FrameHeaderSize);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
        writer.Advance(GrpcProtocol.FrameHeaderSize);
    }

    public static void CheckSize(long size, int maxMessageSize)
    {
        if (size > maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message larger than max ({size} vs. {maxMessageSize}).");
        }
    }
}
