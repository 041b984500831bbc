using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Cairn.Rpc.Security;

namespace Cairn.Rpc;

/// <summary>
/// Hosts gRPC services (the generated <c>*Base</c> classes) on Grpc.AspNetCore and Kestrel: cleartext HTTP/2 with prior
/// knowledge, or HTTP/2 over mutual TLS when <see cref="RpcServerOptions.Tls"/> is set. Add every service, then <see cref="StartAsync"/>. The host installs no process-wide signal handlers
/// (the hosting program owns shutdown) and reads no configuration files or environment variables.
/// </summary>
public sealed class RpcServer : IAsyncDisposable
{
    private readonly RpcServerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<RpcServer> _logger;
    private readonly List<(Action<IServiceCollection> Register, Action<WebApplication> Map)> _services = [];
    private readonly HashSet<Type> _serviceTypes = [];
    private WebApplication? _app;
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
    public string Address => FormatAddress(EndPoint, _options.Tls is not null);

    /// <summary>
    /// Adds a service: <paramref name="service"/> is an instance of a generated <c>*Base</c> subclass, and serves every
    /// call (it must be safe for concurrent use).
    /// </summary>
    public void AddService<TService>(TService service)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(service);
        if (_app is not null)
        {
            throw new InvalidOperationException("Services must be added before the server starts.");
        }

        if (!_serviceTypes.Add(typeof(TService)))
        {
            throw new ArgumentException($"A {typeof(TService).Name} is already added.", nameof(service));
        }

        _services.Add((s => s.AddSingleton(service), app => app.MapGrpcService<TService>()));
    }

    /// <summary>Binds the address and starts serving.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        // The empty builder: no appsettings files (and no file watchers), no environment configuration, no console logging.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var limits = kestrel.Limits;
            limits.MaxRequestBodySize = null;
            // Long streams may idle between messages; Kestrel's minimum data rates would cut them off.
            limits.MinRequestBodyDataRate = null;
            limits.MinResponseDataRate = null;
            limits.Http2.MaxStreamsPerConnection = _options.MaxStreamsPerConnection;
            limits.Http2.InitialConnectionWindowSize = _options.InitialConnectionWindowSize;
            limits.Http2.InitialStreamWindowSize = _options.InitialStreamWindowSize;
            kestrel.Listen(_options.EndPoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (_options.Tls is { } tls)
                {
                    listen.UseHttps(tls.ConfigureServer);
                }
            });
        });
        var services = builder.Services;
        services.AddRoutingCore();
        services.AddLogging();
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(new FrameworkLogFilter(_loggerFactory)));
        // The generic host's console lifetime would trap SIGINT/SIGTERM for the whole process.
        services.AddNoSignalLifetime();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = _options.ShutdownTimeout);
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = _options.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = _options.MaxSendMessageSize;
            // Peers are our own processes: the exception's type and message help more than a bare UNKNOWN.
            grpc.EnableDetailedErrors = true;
            grpc.Interceptors.Add<ServerErrorInterceptor>();
        });
        foreach (var (register, _) in _services)
        {
            register(services);
        }

        var app = builder.Build();
        app.UseTlsCommonNameCheck(_options.Tls);
        foreach (var (_, map) in _services)
        {
            map(app);
        }

        _endPoint = await EmbeddedWebHost.StartAsync(app, _options.EndPoint, cancellationToken).ConfigureAwait(false);
        _app = app;
        RpcServerLog.Listening(_logger, Address, _services.Count);
    }

    /// <summary>
    /// Stops accepting calls and waits for running calls to finish. When <paramref name="cancellationToken"/> fires
    /// (or <see cref="RpcServerOptions.ShutdownTimeout"/> passes), running calls are cancelled and their connections closed.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_app is null || Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        RpcServerLog.Stopping(_logger, Address);
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the server, giving running calls <see cref="RpcServerOptions.ShutdownTimeout"/> to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is null)
        {
            return;
        }

        using (var timeout = new CancellationTokenSource(_options.ShutdownTimeout))
        {
            await StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    internal static string FormatAddress(IPEndPoint endPoint, bool tls = false)
        => endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"{(tls ? "https" : "http")}://[{endPoint.Address}]:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{(tls ? "https" : "http")}://{endPoint.Address}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}";
}
