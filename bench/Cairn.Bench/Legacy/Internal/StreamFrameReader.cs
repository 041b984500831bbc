// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using System.Buffers;
using System.Buffers.Binary;

namespace Cairn.Bench.Legacy.Internal;

/// <summary>
/// Reads gRPC frames from a response stream into one pooled buffer that grows to the largest frame seen.
/// Small frames are batched by each read; a large frame is read straight into place, so a 1 MiB message costs one
/// copy out of the HTTP/2 stream and no allocation.
/// </summary>
internal sealed class StreamFrameReader : IDisposable
{
    private const int InitialSize = 16 * 1024;
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;

    public StreamFrameReader(Stream stream)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    }

    /// <summary>
    /// Reads the next frame; returns false at a clean end of stream. The payload stays valid until the next call.
    /// </summary>
    public async ValueTask<(bool Ok, ReadOnlyMemory<byte> Payload)> ReadFrameAsync(int maxMessageSize, object peer, CancellationToken cancellationToken)
    {
        while (_end - _start < GrpcProtocol.FrameHeaderSize)
        {
            if (!await FillAsync(GrpcProtocol.FrameHeaderSize, cancellationToken))
            {
                if (_end == _start)
                {
                    return (false, default);
                }

                throw Incomplete(peer);
            }
        }

        var flag = _buffer[_start];
        if (flag != 0)
        {
            throw new RpcException(
                StatusCode.Unimplemented,
                flag == 1 ? $"Compressed gRPC messages are not supported (from {peer})." : $"Invalid gRPC frame flag {flag} from {peer}.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start + 1, 4));
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Received message larger than max ({length} vs. {maxMessageSize}) from {peer}.");
        }

        var frameSize = GrpcProtocol.FrameHeaderSize + (int)length;
        while (_end - _start < frameSize)
        {
            if (!await FillAsync(frameSize, cancellationToken))
            {
                throw Incomplete(peer);
            }
        }

        var payload = _buffer.AsMemory(_start + GrpcProtocol.FrameHeaderSize, (int)length);
        _start += frameSize;
        return (true, payload);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads more bytes, first making room so that <paramref name="needed"/> bytes from _start fit.</summary>
    private async ValueTask<bool> FillAsync(int needed, CancellationToken cancellationToken)
    {
        if (_buffer.Length - _start < needed)
        {
            var buffered = _end - _start;
            if (_buffer.Length < needed)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(needed);
                _buffer.AsSpan(_start, buffered).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }
            else
            {
                _buffer.AsSpan(_start, buffered).CopyTo(_buffer);
            }

            _start = 0;
            _end = buffered;
        }
        else if (_start == _end)
        {
            _start = _end = 0;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        return read > 0;
    }

    private static RpcException Incomplete(object peer)
        => new(StatusCode.Internal, $"Incomplete gRPC message from {peer}: the stream ended inside a frame.");
}
