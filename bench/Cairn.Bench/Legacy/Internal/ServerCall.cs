// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using System.Buffers;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Cairn.Bench.Legacy.Internal;

/// <summary>State of one call on the server: request reading, response writing, deadline and cancellation.</summary>
internal sealed class ServerCall : IDisposable
{
    private readonly HttpContext _http;
    private readonly RpcServerOptions _options;
    private readonly CancellationTokenSource? _cts;
    private readonly CancellationTokenSource? _deadlineCts;
    private readonly DateTime? _deadline;

    public ServerCall(HttpContext http, RpcServerOptions options, string method, TimeSpan? timeout)
    {
        _http = http;
        _options = options;
        var token = http.RequestAborted;
        if (timeout is { } limit)
        {
            _deadline = DateTime.UtcNow + limit;
            _deadlineCts = new CancellationTokenSource();
            // CancelAfter rejects spans above ~49 days; such a deadline is as good as none.
            if (limit < TimeSpan.FromDays(40))
            {
                _deadlineCts.CancelAfter(limit);
            }

            _cts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _deadlineCts.Token);
            token = _cts.Token;
        }

        Context = new RpcCallContext(http, method, _deadline, token);
    }

    public RpcCallContext Context { get; }

    public CancellationToken Token => Context.CancellationToken;

    public bool MessageWritten { get; private set; }

    // The timer, not the clock, decides: it may fire a hair before DateTime.UtcNow reaches the deadline.
    public bool DeadlineExceeded => _deadlineCts?.IsCancellationRequested == true && !_http.RequestAborted.IsCancellationRequested;


    public async Task<T> ReadSingleAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        var message = await FrameReader.ReadMessageAsync(_http.Request.BodyReader, parser, _options.MaxReceiveMessageSize, this, Token);
        return message ?? throw new RpcException(StatusCode.Internal, "The request carried no message.");
    }

    public async IAsyncEnumerable<T> ReadAllAsync<T>(MessageParser<T> parser, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IMessage<T>
    {
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(Token, cancellationToken) : null;
        var token = linked?.Token ?? Token;
        while (true)
        {
            var message = await FrameReader.ReadMessageAsync(_http.Request.BodyReader, parser, _options.MaxReceiveMessageSize, this, token);
            if (message is null)
            {
                yield break;
            }

            yield return message;
        }
    }

    /// <summary>
    /// Yields request frames unparsed. Each payload is copied once into a pooled buffer owned by this call (Kestrel
    /// hands out small blocks) and stays valid until the enumeration moves on.
    /// </summary>
    public async IAsyncEnumerable<RpcRawFrame> ReadAllRawAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(Token, cancellationToken) : null;
        var token = linked?.Token ?? Token;
        var reader = _http.Request.BodyReader;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                var (ok, payload, consumed) = await FrameReader.ReadFrameAsync(reader, _options.MaxReceiveMessageSize, this, token);
                if (!ok)
                {
                    yield break;
                }

                var length = (int)payload.Length;
                if (buffer.Length < length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }

                payload.CopyTo(buffer);
                reader.AdvanceTo(consumed);
                yield return new RpcRawFrame(buffer.AsMemory(0, length));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Buffers a message without flushing (the unary response goes out when the call completes).</summary>
    public void BufferMessage(IMessage message)
    {
        FrameWriter.WriteMessage(_http.Response.BodyWriter, message, _options.MaxSendMessageSize);
        MessageWritten = true;
    }

    public async Task WriteMessageAsync(IMessage message, CancellationToken cancellationToken)
    {
        BufferMessage(message);
        await FlushAsync(cancellationToken);
    }

    public async Task WriteRawAsync(IMessage? header, int bytesFieldNumber, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var writer = _http.Response.BodyWriter;
        long size = data.Length;
        var tag = 0u;
        if (header is not null)
        {
            tag = WireFormat.MakeTag(bytesFieldNumber, WireFormat.WireType.LengthDelimited);
            size += header.CalculateSize() + GrpcProtocol.VarintSize(tag) + GrpcProtocol.VarintSize((ulong)data.Length);
        }

        FrameWriter.CheckSize(size, _options.MaxSendMessageSize);
        FrameWriter.WriteHeader(writer, (int)size);
        if (header is not null)
        {
            header.WriteTo(writer);
            GrpcProtocol.WriteVarint(writer, tag);
            GrpcProtocol.WriteVarint(writer, (ulong)data.Length);
        }

        writer.Write(data.Span);
        MessageWritten = true;
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : Token;
        var result = await _http.Response.BodyWriter.FlushAsync(token);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("The client went away while the response was being written.", Token);
        }
    }

    /// <summary>Ends the call with <paramref name="status"/>: in trailers after messages, else as a trailers-only response.</summary>
    public void SetStatus(StatusCode status, string? message)
        => WriteStatus(_http.Response, MessageWritten, status, message);

    public static void WriteStatus(HttpResponse response, bool messageWritten, StatusCode status, string? message)
    {
        var statusText = GrpcProtocol.StatusText(status);
        if (messageWritten || response.HasStarted)
        {
            response.AppendTrailer(GrpcProtocol.StatusHeader, statusText);
            if (!string.IsNullOrEmpty(message))
            {
                response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcProtocol.EncodeMessage(message));
            }
        }
        else
        {
            response.Headers[GrpcProtocol.StatusHeader] = statusText;
            if (!string.IsNullOrEmpty(message))
            {
                response.Headers[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeMessage(message);
            }
        }
    }

    public override string ToString() => "client " + Context.Peer;

    public void Dispose()
    {
        _cts?.Dispose();
        _deadlineCts?.Dispose();
    }
}
