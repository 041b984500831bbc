// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using Cairn.Bench.Legacy.Internal;
using Google.Protobuf;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cairn.Bench.Legacy;

/// <summary>
/// A gRPC server on Kestrel: cleartext HTTP/2 with prior knowledge, handlers registered by method path.
/// Register every method, then <see cref="StartAsync"/>. Kestrel is driven directly rather than through the
/// generic host, so the server never installs process-wide signal handlers; the hosting program owns shutdown.
/// </summary>
public sealed class RpcServer : IAsyncDisposable
{
    private readonly RpcServerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Func<ServerCall, Task>> _registrations = new(StringComparer.Ordinal);
    private FrozenDictionary<string, Func<ServerCall, Task>>? _methods;
    private KestrelServer? _kestrel;
    private ServiceProvider? _services;
    private IPEndPoint? _endPoint;
    private int _stopped;

    /// <summary>Creates a server; nothing listens until <see cref="StartAsync"/>.</summary>
    public RpcServer(RpcServerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new RpcServerOptions();
        _options.Validate();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<RpcServer>();
    }

    /// <summary>The bound address (with the real port when port 0 was asked for). Valid after start.</summary>
    public IPEndPoint EndPoint => _endPoint ?? throw new InvalidOperationException("The server has not been started.");

    /// <summary>The bound port. Valid after start.</summary>
    public int Port => EndPoint.Port;

    /// <summary>The address as a URI clients can use, e.g. <c>http://127.0.0.1:50051</c>.</summary>
    public string Address => FormatAddress(EndPoint);

    /// <summary>Registers a unary method.</summary>
    public void MapUnary<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, Func<TRequest, RpcCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        Register(method.Path, async call =>
        {
            var request = await call.ReadSingleAsync(method.RequestParser);
            var response = await handler(request, call.Context);
            call.BufferMessage(response ?? throw new InvalidOperationException($"The handler of {method.Path} returned null."));
        });
    }

    /// <summary>Registers a server-streaming method: one request, any number of responses.</summary>
    public void MapServerStreaming<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method, Func<TRequest, RpcStreamWriter<TResponse>, RpcCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        Register(method.Path, async call =>
        {
            var request = await call.ReadSingleAsync(method.RequestParser);
            await handler(request, new RpcStreamWriter<TResponse>(call), call.Context);
        });
    }

    /// <summary>
    /// Registers a server-streaming method whose handler writes pre-serialized frames (bulk data). Clients may read it
    /// as ordinary <typeparamref name="TResponse"/> messages or as raw frames.
    /// </summary>
    public void MapRawServerStreaming<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method, Func<TRequest, RpcRawStreamWriter, RpcCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        Register(method.Path, async call =>
        {
            var request = await call.ReadSingleAsync(method.RequestParser);
            await handler(request, new RpcRawStreamWriter(call), call.Context);
        });
    }

    /// <summary>Registers a client-streaming method: any number of requests, one response.</summary>
    public void MapClientStreaming<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method, Func<IAsyncEnumerable<TRequest>, RpcCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        Register(method.Path, async call =>
        {
            var response = await handler(call.ReadAllAsync(method.RequestParser), call.Context);
            call.BufferMessage(response ?? throw new InvalidOperationException($"The handler of {method.Path} returned null."));
        });
    }

    /// <summary>
    /// Registers a client-streaming method whose handler reads request frames unparsed (bulk uploads), so large
    /// <c>bytes</c> fields are not copied into a <see cref="ByteString"/> each. Clients send ordinary
    /// <typeparamref name="TRequest"/> messages (wrapping their buffers with <c>UnsafeByteOperations.UnsafeWrap</c>
    /// avoids the copy on their side too). Each frame is valid until the enumeration moves on.
    /// </summary>
    public void MapRawClientStreaming<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method, Func<IAsyncEnumerable<RpcRawFrame>, RpcCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        Register(method.Path, async call =>
        {
            var response = await handler(call.ReadAllRawAsync(), call.Context);
            call.BufferMessage(response ?? throw new InvalidOperationException($"The handler of {method.Path} returned null."));
        });
    }

    /// <summary>Registers a bidirectional-streaming method.</summary>
    public void MapDuplexStreaming<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method, Func<IAsyncEnumerable<TRequest>, RpcStreamWriter<TResponse>, RpcCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        Register(method.Path, call => handler(call.ReadAllAsync(method.RequestParser), new RpcStreamWriter<TResponse>(call), call.Context));
    }

    /// <summary>Binds the address and starts serving.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_kestrel is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        _methods = _registrations.ToFrozenDictionary(StringComparer.Ordinal);
        _services = new ServiceCollection().AddSingleton(_loggerFactory).BuildServiceProvider();
        var kestrelOptions = new KestrelServerOptions { AddServerHeader = false, ApplicationServices = _services };
        var limits = kestrelOptions.Limits;
        limits.MaxRequestBodySize = null;
        // Long streams may idle between messages; Kestrel's minimum data rates would cut them off.
        limits.MinRequestBodyDataRate = null;
        limits.MinResponseDataRate = null;
        limits.Http2.MaxStreamsPerConnection = _options.MaxStreamsPerConnection;
        limits.Http2.InitialConnectionWindowSize = _options.InitialConnectionWindowSize;
        limits.Http2.InitialStreamWindowSize = _options.InitialStreamWindowSize;
        kestrelOptions.Listen(_options.EndPoint, listen => listen.Protocols = HttpProtocols.Http2);

        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), _loggerFactory);
        var kestrel = new KestrelServer(Options.Create(kestrelOptions), transport, _loggerFactory);
        try
        {
            await kestrel.StartAsync(new Application(this), cancellationToken);
        }
        catch
        {
            kestrel.Dispose();
            throw;
        }

        _kestrel = kestrel;
        var address = kestrel.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no bound address.");
        var uri = new Uri(address);
        _endPoint = new IPEndPoint(_options.EndPoint.Address, uri.Port);
        RpcServerLog.Listening(_logger, Address, _methods.Count);
    }

    /// <summary>
    /// Stops accepting calls and waits for running calls to finish. When <paramref name="cancellationToken"/> fires,
    /// running calls are cancelled and their connections aborted.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_kestrel is null || Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        RpcServerLog.Stopping(_logger, Address);
        // Kestrel stops accepting, lets running calls finish, and aborts the connections once the token fires, which
        // cancels every handler through RequestAborted.
        await _kestrel.StopAsync(cancellationToken);
    }

    /// <summary>Stops the server, giving running calls <see cref="RpcServerOptions.ShutdownTimeout"/> to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_kestrel is not null)
        {
            using (var timeout = new CancellationTokenSource(_options.ShutdownTimeout))
            {
                await StopAsync(timeout.Token);
            }

            _kestrel.Dispose();
        }

        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    internal static string FormatAddress(IPEndPoint endPoint)
        => endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"http://[{endPoint.Address}]:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"http://{endPoint.Address}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}";

    private void Register(string path, Func<ServerCall, Task> invoker)
    {
        if (_kestrel is not null)
        {
            throw new InvalidOperationException("Methods must be registered before the server starts.");
        }

        if (!_registrations.TryAdd(path, invoker))
        {
            throw new ArgumentException($"A handler for {path} is already registered.", nameof(path));
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var response = http.Response;
        var path = request.Path.Value ?? string.Empty;

        if (!HttpMethods.IsPost(request.Method))
        {
            Reject(http, path, StatusCodes.Status405MethodNotAllowed, StatusCode.Internal, $"gRPC requires POST, got {request.Method}.");
            return;
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            Reject(http, path, StatusCodes.Status415UnsupportedMediaType, StatusCode.Internal, $"Content-Type '{request.ContentType}' is not application/grpc.");
            return;
        }

        response.ContentType = GrpcProtocol.ContentType;
        if (!_methods!.TryGetValue(path, out var invoker))
        {
            Reject(http, path, StatusCodes.Status200OK, StatusCode.Unimplemented, $"Method not found: {path}");
            return;
        }

        var encoding = request.Headers[GrpcProtocol.EncodingHeader];
        if (encoding.Count > 0 && !string.Equals(encoding[0], "identity", StringComparison.Ordinal))
        {
            response.Headers[GrpcProtocol.AcceptEncodingHeader] = "identity";
            Reject(http, path, StatusCodes.Status200OK, StatusCode.Unimplemented, $"grpc-encoding '{encoding[0]}' is not supported; only identity is.");
            return;
        }

        TimeSpan? timeout = null;
        var timeoutHeader = request.Headers[GrpcProtocol.TimeoutHeader];
        if (timeoutHeader.Count > 0)
        {
            if (!GrpcProtocol.TryParseTimeout(timeoutHeader[0], out var parsed))
            {
                Reject(http, path, StatusCodes.Status200OK, StatusCode.Internal, $"Malformed grpc-timeout '{timeoutHeader[0]}'.");
                return;
            }

            timeout = parsed;
        }

        using var call = new ServerCall(http, _options, path, timeout);
        try
        {
            if (timeout is { } t && t <= TimeSpan.Zero)
            {
                throw new RpcException(StatusCode.DeadlineExceeded, "Deadline exceeded before the call started.");
            }

            await invoker(call);
            call.SetStatus(StatusCode.OK, null);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client reset the stream or dropped the connection: nobody is left to read a status.
            RpcServerLog.ClientCancelled(_logger, path, call.Context.Peer);
        }
        catch (OperationCanceledException) when (call.DeadlineExceeded)
        {
            EndWith(call, path, StatusCode.DeadlineExceeded, "Deadline exceeded");
        }
        catch (RpcException e)
        {
            EndWith(call, path, e.Status, e.Detail);
        }
        catch (Exception e)
        {
            RpcServerLog.HandlerFailed(_logger, path, e);
            EndWith(call, path, StatusCode.Unknown, $"Exception was thrown by handler. {e.GetType().Name}: {e.Message}");
        }
    }

    private void EndWith(ServerCall call, string path, StatusCode status, string detail)
    {
        RpcServerLog.CallFailed(_logger, path, status, detail);
        call.SetStatus(status, detail);
    }

    private void Reject(HttpContext http, string path, int httpStatus, StatusCode status, string detail)
    {
        RpcServerLog.Rejected(_logger, path, detail);
        http.Response.StatusCode = httpStatus;
        http.Response.ContentType = GrpcProtocol.ContentType;
        ServerCall.WriteStatus(http.Response, messageWritten: false, status, detail);
    }

    /// <summary>Kestrel's entry point: one context per HTTP/2 stream.</summary>
    private sealed class Application(RpcServer server) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context) => server.HandleAsync(context);

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }
}
