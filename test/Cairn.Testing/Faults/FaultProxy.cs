using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Testing.Faults;

/// <summary>
/// An HTTP/1.1 forwarding proxy on 127.0.0.1 that sits between a storage client and its server and injects
/// faults by a fixed pattern (<see cref="FaultProxyOptions"/>): some requests are answered with 503 without
/// reaching the server, some responses are cut in the middle of their body, and some are held back before they are relayed. Point the client's endpoint
/// at <see cref="Endpoint"/>. Each client connection gets its own upstream connection; request and response
/// bodies are relayed as they come (Content-Length, chunked or until close), <c>Expect: 100-continue</c> and
/// <c>Connection: close</c> are honoured. The Host header passes unchanged, so signatures stay valid.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly FaultProxyOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];
    private readonly Lock _lock = new();
    private int _requests;
    private int _eligibleResponses;
    private int _injectedErrors;
    private int _droppedResponses;
    private int _slowedResponses;

    private FaultProxy(Uri upstream, FaultProxyOptions options)
    {
        _upstreamHost = upstream.Host;
        _upstreamPort = upstream.Port;
        _options = options;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Endpoint = new Uri($"http://127.0.0.1:{Port}");
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Starts a proxy in front of <paramref name="upstream"/> (an http:// base address; only host and port are used).</summary>
    public static FaultProxy Start(Uri upstream, FaultProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(options);
        return new FaultProxy(upstream, options);
    }

    /// <summary>The proxy's base address, <c>http://127.0.0.1:port</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The port the proxy listens on.</summary>
    public int Port { get; }

    /// <summary>Requests seen (forwarded or answered).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests answered with an injected 503.</summary>
    public int InjectedErrors => Volatile.Read(ref _injectedErrors);

    /// <summary>Responses cut in the middle of their body.</summary>
    public int DroppedResponses => Volatile.Read(ref _droppedResponses);

    /// <summary>Responses held back for <see cref="FaultProxyOptions.SlowResponseDelay"/> before they were relayed.</summary>
    public int SlowedResponses => Volatile.Read(ref _slowedResponses);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        Task[] pending;
        lock (_lock)
        {
            pending = [.. _connections];
        }

        await Task.WhenAll(pending.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            var task = Task.Run(() => ServeAsync(client, _stop.Token));
            lock (_lock)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stop)
    {
        TcpClient? upstream = null;
        try
        {
            client.NoDelay = true;
            var clientStream = client.GetStream();
            var fromClient = new HttpReader(clientStream);
            HttpReader? fromUpstream = null;
            NetworkStream? upstreamStream = null;
            while (!stop.IsCancellationRequested)
            {
                var head = await HttpHead.ReadAsync(fromClient, stop).ConfigureAwait(false);
                if (head is null)
                {
                    return; // client closed between requests
                }

                var number = Interlocked.Increment(ref _requests);
                var requestFraming = BodyFraming.OfRequest(head);
                var expectContinue = head.HasToken("Expect", "100-continue");
                var method = head.StartLine.Split(' ')[0];

                if (_options.ServiceUnavailableEvery > 0 && number % _options.ServiceUnavailableEvery == 0)
                {
                    var injected = Interlocked.Increment(ref _injectedErrors);
                    if (!expectContinue)
                    {
                        await requestFraming.CopyAsync(fromClient, null, stop).ConfigureAwait(false);
                    }

                    await WriteServiceUnavailableAsync(clientStream, slowDown: injected % 2 == 1, isHead: method == "HEAD", stop).ConfigureAwait(false);
                    return; // Connection: close was announced
                }

                if (upstream is null || fromUpstream is null || upstreamStream is null)
                {
                    upstream = new TcpClient { NoDelay = true };
                    await upstream.ConnectAsync(_upstreamHost, _upstreamPort, stop).ConfigureAwait(false);
                    upstreamStream = upstream.GetStream();
                    fromUpstream = new HttpReader(upstreamStream);
                }

                await upstreamStream.WriteAsync(head.Encode(), stop).ConfigureAwait(false);
                HttpHead? response = null;
                var bodySent = false;
                if (expectContinue && requestFraming.HasBody)
                {
                    // Let the server decide: 100 means send the body, a final status means it is not wanted. A
                    // server that says nothing gets the body anyway after a second, as clients do.
                    var first = HttpHead.ReadAsync(fromUpstream, stop).AsTask();
                    if (await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(1), stop)).ConfigureAwait(false) != first)
                    {
                        await requestFraming.CopyAsync(fromClient, upstreamStream, stop).ConfigureAwait(false);
                        bodySent = true;
                    }
                    response = await first.ConfigureAwait(false) ?? throw new IOException("upstream closed");
                    if (response.StatusCode == 100)
                    {
                        await clientStream.WriteAsync(response.Encode(), stop).ConfigureAwait(false);
                        response = null;
                        if (!bodySent)
                        {
                            await requestFraming.CopyAsync(fromClient, upstreamStream, stop).ConfigureAwait(false);
                        }

                        bodySent = true;
                    }
                }
                else
                {
                    await requestFraming.CopyAsync(fromClient, upstreamStream, stop).ConfigureAwait(false);
                    bodySent = true;
                }

                while (true)
                {
                    response ??= await HttpHead.ReadAsync(fromUpstream, stop).ConfigureAwait(false) ?? throw new IOException("upstream closed");
                    if (response.StatusCode is >= 100 and < 200 && response.StatusCode != 101)
                    {
                        await clientStream.WriteAsync(response.Encode(), stop).ConfigureAwait(false);
                        response = null;
                        continue;
                    }
                    break;
                }

                if (_options.SlowResponseEvery > 0 && number % _options.SlowResponseEvery == 0)
                {
                    // The server has answered; the client sees a slow one, as behind a congested link.
                    Interlocked.Increment(ref _slowedResponses);
                    await Task.Delay(_options.SlowResponseDelay, stop).ConfigureAwait(false);
                }

                var responseFraming = BodyFraming.OfResponse(response, method);
                var close = !bodySent || head.HasToken("Connection", "close") || response.HasToken("Connection", "close") || responseFraming.UntilClose;
                // Only bodies of known length are cut: a cut must land inside the body, which a chunked or
                // until-close body of unknown size does not guarantee.
                var eligible = !responseFraming.Chunked && !responseFraming.UntilClose && responseFraming.Length >= Math.Max(2, _options.DropMinBodyBytes);
                if (_options.DropResponseEvery > 0 && eligible && Interlocked.Increment(ref _eligibleResponses) % _options.DropResponseEvery == 0)
                {
                    Interlocked.Increment(ref _droppedResponses);
                    await clientStream.WriteAsync(response.Encode(), stop).ConfigureAwait(false);
                    var budget = Math.Clamp((long)(responseFraming.Length * _options.DropAfterFraction), 0, responseFraming.Length - 1);
                    await responseFraming.CopyPrefixAsync(fromUpstream, clientStream, budget, stop).ConfigureAwait(false);
                    Reset(client);
                    return;
                }

                await clientStream.WriteAsync(response.Encode(), stop).ConfigureAwait(false);
                await responseFraming.CopyAsync(fromUpstream, clientStream, stop).ConfigureAwait(false);
                if (close)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or FormatException)
        {
            // A peer went away or sent something we cannot relay: close both sides, as a real proxy would.
        }
        finally
        {
            upstream?.Dispose();
            client.Dispose();
        }
    }

    private async Task WriteServiceUnavailableAsync(NetworkStream client, bool slowDown, bool isHead, CancellationToken stop)
    {
        var body = slowDown ? Encoding.UTF8.GetBytes(_options.SlowDownBody) : Encoding.UTF8.GetBytes("service unavailable (injected by the test proxy)\n");
        var contentType = slowDown ? _options.SlowDownContentType : "text/plain";
        var reason = slowDown ? "Slow Down" : "Service Unavailable";
        var head = string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 503 {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {(isHead ? 0 : body.Length)}\r\nRetry-After: 0\r\nConnection: close\r\n\r\n");
        await client.WriteAsync(Encoding.ASCII.GetBytes(head), stop).ConfigureAwait(false);
        if (!isHead)
        {
            await client.WriteAsync(body, stop).ConfigureAwait(false);
        }

        await client.FlushAsync(stop).ConfigureAwait(false);
    }

    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }
        catch (SocketException)
        {
        }
    }
}
