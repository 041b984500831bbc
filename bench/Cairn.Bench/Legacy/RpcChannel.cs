// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Cairn.Bench.Legacy.Internal;
using Google.Protobuf;

namespace Cairn.Bench.Legacy;

/// <summary>
/// A client for one gRPC server address over cleartext HTTP/2 (prior knowledge). Connections are pooled and reused by
/// all calls; the channel is safe for concurrent use. Failures surface as <see cref="RpcException"/>.
/// </summary>
public sealed class RpcChannel : IDisposable
{
    private readonly SocketsHttpHandler _handler;
    private readonly ConcurrentDictionary<string, Uri> _methodUris = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates a channel to <paramref name="address"/>: <c>http://host:port</c> or just <c>host:port</c>.
    /// No connection is opened until the first call.
    /// </summary>
    public RpcChannel(string address, RpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        Options = options ?? new RpcChannelOptions();
        Options.Validate();
        var text = address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address;
        var uri = new Uri(text, UriKind.Absolute);
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"Only cleartext http:// addresses are supported, got '{address}'.", nameof(address));
        }

        Address = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        _handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = Options.EnableMultipleHttp2Connections,
            ConnectTimeout = Options.ConnectTimeout,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        };
        if (Options.InitialHttp2StreamWindowSize is { } window)
        {
            _handler.InitialHttp2StreamWindowSize = window;
        }

        HttpClient = new HttpClient(_handler, disposeHandler: false)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:50051/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The channel's settings.</summary>
    public RpcChannelOptions Options { get; }

    internal HttpClient HttpClient { get; }

    /// <summary>Makes a unary call.</summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method, TRequest request, RpcCallOptions? options = null, CancellationToken cancellationToken = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(request);
        var frame = FrameWriter.ToFrame(request, Options.MaxSendMessageSize);
        await using var call = new ClientCall(this, method.Path, options, cancellationToken);
        await call.StartAsync(new FrameContent(frame));
        return await ReadSingleResponseAsync(call, method.ResponseParser);
    }

    /// <summary>
    /// Makes a server-streaming call. Messages arrive as the server sends them; the call starts at the first
    /// <c>MoveNextAsync</c>, and abandoning the enumeration cancels it on the server.
    /// </summary>
    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method,
        TRequest request,
        RpcCallOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(request);
        var frame = FrameWriter.ToFrame(request, Options.MaxSendMessageSize);
        await using var call = new ClientCall(this, method.Path, options, cancellationToken);
        await call.StartAsync(new FrameContent(frame));
        while (await call.ReadMessageAsync(method.ResponseParser) is { } message)
        {
            yield return message;
        }
    }

    /// <summary>
    /// Makes a server-streaming call and yields each response frame unparsed, in a pooled buffer valid until the next
    /// iteration. Meant for bulk data, where parsing would copy large <c>bytes</c> fields.
    /// </summary>
    public async IAsyncEnumerable<RpcRawFrame> ServerStreamingRawAsync<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method,
        TRequest request,
        RpcCallOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(request);
        var frame = FrameWriter.ToFrame(request, Options.MaxSendMessageSize);
        await using var call = new ClientCall(this, method.Path, options, cancellationToken);
        await call.StartAsync(new FrameContent(frame));
        while (await call.ReadRawAsync())
        {
            yield return call.CurrentRaw;
        }
    }

    /// <summary>
    /// Makes a client-streaming call: sends each message of <paramref name="requests"/> as it is produced, then
    /// returns the single response.
    /// </summary>
    public async Task<TResponse> ClientStreamingAsync<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method,
        IAsyncEnumerable<TRequest> requests,
        RpcCallOptions? options = null,
        CancellationToken cancellationToken = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(requests);
        await using var call = new ClientCall(this, method.Path, options, cancellationToken);
        await call.StartAsync(new StreamingContent<TRequest>(requests, Options.MaxSendMessageSize));
        return await ReadSingleResponseAsync(call, method.ResponseParser);
    }

    /// <summary>
    /// Makes a bidirectional-streaming call: <paramref name="requests"/> are sent as they are produced while the
    /// responses are yielded as they arrive.
    /// </summary>
    public async IAsyncEnumerable<TResponse> DuplexStreamingAsync<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method,
        IAsyncEnumerable<TRequest> requests,
        RpcCallOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(requests);
        await using var call = new ClientCall(this, method.Path, options, cancellationToken);
        await call.StartAsync(new StreamingContent<TRequest>(requests, Options.MaxSendMessageSize));
        while (await call.ReadMessageAsync(method.ResponseParser) is { } message)
        {
            yield return message;
        }
    }

    /// <summary>Closes the pooled connections; calls still running fail.</summary>
    public void Dispose()
    {
        HttpClient.Dispose();
        _handler.Dispose();
    }

    internal Uri GetMethodUri(string path) => _methodUris.GetOrAdd(path, static (p, baseUri) => new Uri(baseUri, p), Address);

    private static async Task<TResponse> ReadSingleResponseAsync<TResponse>(ClientCall call, MessageParser<TResponse> parser)
        where TResponse : class, IMessage<TResponse>
    {
        var response = await call.ReadMessageAsync(parser) ?? throw call.NoResponse();
        if (await call.ReadMessageAsync(parser) is not null)
        {
            throw call.TooManyResponses();
        }

        return response;
    }
}
