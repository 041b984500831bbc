using Cairn.Rpc.Internal;
using Cairn.Rpc.Kvrpcpb;
using Google.Protobuf;

namespace Cairn.Rpc.Tests;

public sealed class StreamFrameReaderTests
{
    [Fact]
    public async Task Frames_split_across_reads_and_larger_than_the_buffer_are_reassembled()
    {
        var big = new byte[100_000];
        new Random(5).NextBytes(big);
        var messages = new[]
        {
            new RawGetResponse { Error = "a" },
            new RawGetResponse(),
            new RawGetResponse { Value = ByteString.CopyFrom(big) },
            new RawGetResponse { Error = "z" },
        };
        var bytes = messages.SelectMany(RawHttp.Frame).ToArray();

        foreach (var chunk in new[] { 1, 7, 4096, bytes.Length })
        {
            using var reader = new StreamFrameReader(new TrickleStream(bytes, chunk));
            var parsed = new List<RawGetResponse>();
            while (await reader.ReadFrameAsync(1 << 20, "test", TestHost.Guard) is (true, var payload))
            {
                parsed.Add(RawGetResponse.Parser.ParseFrom(payload.Span));
            }

            Assert.Equal(messages, parsed);
        }
    }

    [Fact]
    public async Task A_stream_ending_inside_a_frame_is_an_internal_error()
    {
        var frame = RawHttp.Frame(new RawGetResponse { Error = "cut short" });
        using var reader = new StreamFrameReader(new TrickleStream(frame[..^2], 3));

        var e = await Assert.ThrowsAsync<RpcException>(async () => await reader.ReadFrameAsync(1024, "test", TestHost.Guard));

        Assert.Equal(StatusCode.Internal, e.Status);
    }

    /// <summary>Hands out at most <c>chunk</c> bytes per read, like a network that delivers data in pieces.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
