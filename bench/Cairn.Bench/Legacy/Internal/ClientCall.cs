// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Google.Protobuf;

namespace Cairn.Bench.Legacy.Internal;

/// <summary>
/// One call from the client side: sends the request, validates headers, reads frames, checks the final status and
/// turns transport failures into <see cref="RpcException"/>s.
/// </summary>
internal sealed class ClientCall : IAsyncDisposable
{
    private readonly RpcChannel _channel;
    private readonly string _path;
    private readonly RpcCallOptions? _options;
    private readonly CancellationToken _userToken;
    private readonly CancellationTokenSource? _deadlineCts;
    private readonly CancellationTokenSource? _linkedCts;
    private readonly CancellationToken _token;
    private HttpRequestMessage? _request;
    private HttpResponseMessage? _response;
    private StreamFrameReader? _reader;
    private bool _ended;

    public ClientCall(RpcChannel channel, string path, RpcCallOptions? options, CancellationToken cancellationToken)
    {
        _channel = channel;
        _path = path;
        _options = options;
        _userToken = cancellationToken;
        _token = cancellationToken;
        if (options?.Timeout is { } timeout)
        {
            _deadlineCts = new CancellationTokenSource();
            if (timeout < TimeSpan.FromDays(40))
            {
                _deadlineCts.CancelAfter(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero);
            }

            _linkedCts = CancellationTokenSource.CreateLinkedTokenSource(_deadlineCts.Token, cancellationToken);
            _token = _linkedCts.Token;
        }
    }

    public RpcRawFrame CurrentRaw { get; private set; }

    private string Target => _channel.Address.ToString().TrimEnd('/') + _path;

    public async Task StartAsync(HttpContent content)
    {
        try
        {
            _token.ThrowIfCancellationRequested();
            // Kept until the call is disposed: with HTTP/2 a streaming request body is still being sent after
            // SendAsync has returned the response headers, and disposing the request would dispose its content.
            var request = _request = new HttpRequestMessage(HttpMethod.Post, _channel.GetMethodUri(_path))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = content,
            };
            var headers = request.Headers;
            headers.TryAddWithoutValidation("te", "trailers");
            headers.TryAddWithoutValidation("user-agent", "cairn-rpc/1.0");
            if (_options?.Timeout is { } timeout)
            {
                headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(timeout));
            }

            foreach (var (name, value) in _channel.Options.DefaultHeaders)
            {
                headers.TryAddWithoutValidation(name, value);
            }

            if (_options?.Headers is { } extra)
            {
                foreach (var (name, value) in extra)
                {
                    headers.TryAddWithoutValidation(name, value);
                }
            }

            _response = await _channel.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _token);
            CheckResponseHeaders(_response);
            if (!_ended)
            {
                var stream = await _response.Content.ReadAsStreamAsync(_token);
                _reader = new StreamFrameReader(stream);
            }
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e);
        }
    }

    /// <summary>Reads the next message; at the end of the stream checks the status and returns null if it is OK.</summary>
    public async ValueTask<T?> ReadMessageAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        if (_ended)
        {
            return null;
        }

        try
        {
            var (ok, payload) = await _reader!.ReadFrameAsync(_channel.Options.MaxReceiveMessageSize, this, _token);
            if (!ok)
            {
                Finish();
                return null;
            }

            var message = parser.ParseFrom(payload.Span);
            return message;
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e);
        }
    }

    /// <summary>Reads the next frame into the pooled buffer (<see cref="CurrentRaw"/>); false at an OK end of stream.</summary>
    public async ValueTask<bool> ReadRawAsync()
    {
        if (_ended)
        {
            return false;
        }

        try
        {
            var (ok, payload) = await _reader!.ReadFrameAsync(_channel.Options.MaxReceiveMessageSize, this, _token);
            if (!ok)
            {
                Finish();
                return false;
            }

            CurrentRaw = new RpcRawFrame(payload);
            return true;
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e);
        }
    }

    public RpcException NoResponse()
        => new(StatusCode.Internal, $"{Target} ended with OK but sent no response message.");

    public RpcException TooManyResponses()
        => new(StatusCode.Internal, $"{Target} sent more than one response message to a call that expects one.");

    public override string ToString() => "server " + _channel.Address;

    public ValueTask DisposeAsync()
    {
        _reader?.Dispose();

        // Disposing a response that has not reached its end resets the stream (RST_STREAM CANCEL), which is how the
        // server learns that the client gave up.
        _response?.Dispose();
        _request?.Dispose();
        _linkedCts?.Dispose();
        _deadlineCts?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void CheckResponseHeaders(HttpResponseMessage response)
    {
        var headers = response.Headers;
        var hasStatus = headers.TryGetValues(GrpcProtocol.StatusHeader, out var statusValues);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            if (hasStatus && GrpcProtocol.TryParseStatus(statusValues!.First(), out var s) && s != StatusCode.OK)
            {
                throw new RpcException(s, GrpcProtocol.DecodeMessage(First(headers, GrpcProtocol.MessageHeader)));
            }

            throw new RpcException(
                GrpcProtocol.FromHttpStatus(response.StatusCode),
                $"{Target} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
        }

        if (hasStatus)
        {
            // Trailers-only response: the status travels in the headers and there is no body.
            _ended = true;
            ThrowIfError(statusValues!.First(), First(headers, GrpcProtocol.MessageHeader));
            return;
        }

        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            throw new RpcException(StatusCode.Internal, $"{Target} answered with Content-Type '{contentType}', not application/grpc.");
        }
    }

    private void Finish()
    {
        _ended = true;
        var trailers = _response!.TrailingHeaders;
        if (!trailers.TryGetValues(GrpcProtocol.StatusHeader, out var values))
        {
            throw new RpcException(StatusCode.Internal, $"{Target} ended the stream without grpc-status.");
        }

        ThrowIfError(values.First(), First(trailers, GrpcProtocol.MessageHeader));
    }

    private void ThrowIfError(string statusText, string? message)
    {
        if (!GrpcProtocol.TryParseStatus(statusText, out var status))
        {
            throw new RpcException(StatusCode.Unknown, $"{Target} sent an unparsable grpc-status '{statusText}'.");
        }

        if (status != StatusCode.OK)
        {
            throw new RpcException(status, GrpcProtocol.DecodeMessage(message));
        }
    }

    private static string? First(HttpHeaders headers, string name)
        => headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private RpcException Map(Exception e)
    {
        if (_userToken.IsCancellationRequested)
        {
            return new RpcException(StatusCode.Cancelled, $"The call to {Target} was cancelled.", e);
        }

        if (_deadlineCts?.IsCancellationRequested == true)
        {
            return new RpcException(StatusCode.DeadlineExceeded, $"Deadline of {_options!.Timeout} exceeded calling {Target}.", e);
        }

        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpProtocolException protocol)
            {
                return new RpcException(
                    GrpcProtocol.FromHttp2Error(protocol.ErrorCode),
                    $"HTTP/2 stream to {Target} was reset (error code {protocol.ErrorCode}): {protocol.Message}",
                    e);
            }

            if (inner is SocketException socket)
            {
                return new RpcException(StatusCode.Unavailable, $"Failed to connect to {_channel.Address}: {socket.Message}", e);
            }
        }

        if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } or TaskCanceledException)
        {
            // TaskCanceledException without either token cancelled comes from the connect timeout.
            return new RpcException(StatusCode.Unavailable, $"Failed to connect to {_channel.Address}: {e.Message}", e);
        }

        if (e is HttpRequestException or IOException or ObjectDisposedException)
        {
            return new RpcException(StatusCode.Unavailable, $"Connection to {_channel.Address} failed during {_path}: {e.Message}", e);
        }

        if (e is InvalidProtocolBufferException)
        {
            return new RpcException(StatusCode.Internal, $"Failed to parse a message from {Target}: {e.Message}", e);
        }

        return new RpcException(StatusCode.Unknown, $"Call to {Target} failed: {e.GetType().Name}: {e.Message}", e);
    }
}
