using Cairn.Rpc.Kvrpcpb;

namespace Cairn.Rpc.Tests;

/// <summary>A started server on 127.0.0.1 (free port) plus a channel to it.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    public static readonly RpcMethod<RawPutRequest, RawGetResponse> Collect =
        new("/cairn.test.Test/Collect", RawPutRequest.Parser, RawGetResponse.Parser);

    public static readonly RpcMethod<RawPutRequest, RawPutResponse> Echo =
        new("/cairn.test.Test/Echo", RawPutRequest.Parser, RawPutResponse.Parser);

    public static readonly RpcMethod<RawGetRequest, RawGetResponse> Chunks =
        new("/cairn.test.Test/Chunks", RawGetRequest.Parser, RawGetResponse.Parser);

    private TestHost(RpcServer server, RpcChannel channel)
    {
        Server = server;
        Channel = channel;
    }

    public RpcServer Server { get; }

    public RpcChannel Channel { get; }

    /// <summary>Upper bound for any single wait in a test, so a broken build fails instead of hanging.</summary>
    public static CancellationToken Guard => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public static async Task<TestHost> StartAsync(
        Action<RpcServer> map, RpcServerOptions? serverOptions = null, RpcChannelOptions? channelOptions = null)
    {
        var server = new RpcServer(serverOptions);
        map(server);
        await server.StartAsync();
        return new TestHost(server, new RpcChannel(server.Address, channelOptions));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
    }
}
