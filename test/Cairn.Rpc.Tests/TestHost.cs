using Microsoft.Extensions.Logging;

namespace Cairn.Rpc.Tests;

/// <summary>A started server on 127.0.0.1 (free port) hosting one test service, plus a channel to it.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private TestHost(RpcServer server, RpcChannel channel, CapturingLoggerProvider logs, ILoggerFactory loggerFactory)
    {
        Server = server;
        Channel = channel;
        Logs = logs;
        _loggerFactory = loggerFactory;
    }

    private readonly ILoggerFactory _loggerFactory;

    public RpcServer Server { get; }

    public RpcChannel Channel { get; }

    /// <summary>Everything the server logged, Grpc.AspNetCore and Kestrel included.</summary>
    public CapturingLoggerProvider Logs { get; }

    /// <summary>Upper bound for any single wait in a test, so a broken build fails instead of hanging.</summary>
    public static CancellationToken Guard => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public static async Task<TestHost> StartAsync<TService>(
        TService service, RpcServerOptions? serverOptions = null, RpcChannelOptions? channelOptions = null)
        where TService : class
    {
        var logs = new CapturingLoggerProvider();
        var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var server = new RpcServer(serverOptions, loggerFactory);
        server.AddService(service);
        await server.StartAsync();
        return new TestHost(server, new RpcChannel(server.Address, channelOptions), logs, loggerFactory);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
        _loggerFactory.Dispose();
    }
}
