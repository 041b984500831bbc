using System.Net;
using Cairn.Rpc.ImportSstpb;
using Cairn.Rpc.Pdpb;
using Cairn.Rpc.Storepb;
using Cairn.Rpc.Tikvpb;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using BackupService = Cairn.Rpc.Backup.Backup;

namespace Cairn.Rpc;

/// <summary>
/// One <see cref="GrpcChannel"/> to one server address over cleartext HTTP/2 (or mutual TLS, see
/// <see cref="RpcChannelOptions.Tls"/>), with the generated clients of every
/// service we speak. Calls through it fail with <see cref="RpcException"/> (or <see cref="OperationCanceledException"/>
/// when the caller cancels). Safe for concurrent use; share one per address (<see cref="RpcChannelPool"/>), because
/// each channel owns its own connections.
/// </summary>
public sealed class RpcChannel : IDisposable
{
    private readonly GrpcChannel _channel;

    /// <summary>
    /// Creates a channel to <paramref name="address"/>: <c>host:port</c>, or with the scheme the TLS setting implies
    /// (<c>http://</c> without TLS, <c>https://</c> with it).
    /// No connection is opened until the first call.
    /// </summary>
    public RpcChannel(string address, RpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        Options = options ?? new RpcChannelOptions();
        Options.Validate();
        Address = ParseAddress(address, Options.Tls is not null);
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = Options.EnableMultipleHttp2Connections,
            ConnectTimeout = Options.ConnectTimeout,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            // Connections live as long as the peer keeps them; keepalive notices a dead one.
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        };
        if (Options.KeepAlivePingDelay is { } delay)
        {
            handler.KeepAlivePingDelay = delay;
            handler.KeepAlivePingTimeout = Options.KeepAlivePingTimeout;
            // Idle channels are probed too: a store that vanished must fail the next call at once, not after a TCP timeout.
            handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
        }

        if (Options.InitialHttp2StreamWindowSize is { } window)
        {
            handler.InitialHttp2StreamWindowSize = window;
        }

        Options.Tls?.ConfigureClient(handler);

        // An HttpClient rather than the bare handler: Grpc.Net.Client then leaves out its subchannel balancer, whose
        // reconnect backoff (1 s growing to 120 s) would fail calls to a restarted store without even dialing it. Our
        // region-request loop owns backoff; each call dials again, as calls to a TiKV store do after it restarts.
        var http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions
        {
            HttpClient = http,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = Options.MaxReceiveMessageSize,
            MaxSendMessageSize = Options.MaxSendMessageSize,
            // Retries are ours (the region-request loop knows what a retry means); the channel never replays a call.
            MaxRetryAttempts = 0,
        });
        Invoker = _channel.Intercept(new ClientErrorInterceptor(Address.Authority, Options.DefaultHeaders));
        Tikv = new Tikv.TikvClient(Invoker);
        Pd = new PD.PDClient(Invoker);
        StoreAdmin = new StoreAdmin.StoreAdminClient(Invoker);
        Backup = new BackupService.BackupClient(Invoker);
        ImportSst = new ImportSST.ImportSSTClient(Invoker);
    }

    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:50051/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The channel's settings.</summary>
    public RpcChannelOptions Options { get; }

    /// <summary>The invoker every client of this channel uses: default metadata and our error mapping included.</summary>
    public CallInvoker Invoker { get; }

    /// <summary>kvproto's <c>tikvpb.Tikv</c>.</summary>
    public Tikv.TikvClient Tikv { get; }

    /// <summary>kvproto's <c>pdpb.PD</c>.</summary>
    public PD.PDClient Pd { get; }

    /// <summary>Cairn's <c>cairn.storepb.StoreAdmin</c>.</summary>
    public StoreAdmin.StoreAdminClient StoreAdmin { get; }

    /// <summary>kvproto's <c>backup.Backup</c>.</summary>
    public BackupService.BackupClient Backup { get; }

    /// <summary>kvproto's <c>import_sstpb.ImportSST</c>.</summary>
    public ImportSST.ImportSSTClient ImportSst { get; }

    /// <summary>
    /// Call options for one call: the deadline computed now from <see cref="RpcCallOptions.Timeout"/>, per-call
    /// metadata and the caller's token.
    /// </summary>
    public static CallOptions CallOptions(RpcCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (options is null)
        {
            return new CallOptions(cancellationToken: cancellationToken);
        }

        Metadata? headers = null;
        if (options.Headers is { Count: > 0 } extra)
        {
            headers = [];
            foreach (var (name, value) in extra)
            {
                headers.Add(name, value);
            }
        }

        DateTime? deadline = options.Timeout is { } timeout ? DateTime.UtcNow + timeout : null;
        return new CallOptions(headers, deadline, cancellationToken);
    }

    /// <summary>Closes the channel's connections; calls still running fail.</summary>
    public void Dispose() => _channel.Dispose();

    /// <summary>
    /// The base URI of <paramref name="address"/>: a bare <c>host:port</c> takes the scheme <paramref name="tls"/>
    /// implies; a scheme that contradicts it is refused (TiDB's tools' rule: <c>http://</c> is an error with TLS on,
    /// <c>https://</c> with TLS off).
    /// </summary>
    /// <exception cref="ArgumentException">The address is malformed or its scheme contradicts the TLS setting.</exception>
    public static Uri ParseAddress(string address, bool tls = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        var text = address.Contains("://", StringComparison.Ordinal) ? address : (tls ? "https://" : "http://") + address;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Port <= 0 || uri.Host.Length == 0)
        {
            throw new ArgumentException($"'{address}' is not a host:port address.", nameof(address));
        }

        if (uri.Scheme == Uri.UriSchemeHttp && tls)
        {
            throw new ArgumentException($"'{address}' is an http:// address but TLS is on (--ca given); use https:// or a bare host:port.", nameof(address));
        }

        if (uri.Scheme == Uri.UriSchemeHttps && !tls)
        {
            throw new ArgumentException($"'{address}' is an https:// address but TLS is off; pass --ca, --cert and --key, or use a bare host:port.", nameof(address));
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"'{address}' has scheme {uri.Scheme}://; use a bare host:port (or http:// / https://).", nameof(address));
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }
}
