using System.Net;
using Cairn.Rpc;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;
using Google.Protobuf;

namespace Cairn.Pd.Tests;

/// <summary>An in-process pd on free ports over a temporary data directory, with a gRPC channel and an HTTP client.</summary>
internal sealed class TestPd : IAsyncDisposable
{
    private readonly PdServerOptions _options;
    private readonly TempDirectory? _ownedDirectory;

    private TestPd(PdServerOptions options, PdServer server, TempDirectory? ownedDirectory)
    {
        _options = options;
        _ownedDirectory = ownedDirectory;
        Server = server;
        Channel = new RpcChannel(server.Address);
        Http = new HttpClient { BaseAddress = new Uri(server.HttpAddress) };
    }

    public PdServer Server { get; private set; }

    public RpcChannel Channel { get; private set; }

    public HttpClient Http { get; private set; }

    public string DataDir => _options.DataDir;

    public RequestHeader Header => new() { ClusterId = Server.ClusterId };

    /// <summary>Upper bound for any single wait in a test, so a broken build fails instead of hanging.</summary>
    public static CancellationToken Guard => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    /// <summary>Starts pd on <paramref name="dataDir"/>, or on a temporary folder of its own that dispose removes.</summary>
    public static async Task<TestPd> StartAsync(Func<PdServerOptions, PdServerOptions>? configure = null, string? dataDir = null)
    {
        var owned = dataDir is null ? new TempDirectory("pd") : null;
        var options = new PdServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            DataDir = dataDir ?? owned!.Sub("data"),
            EnableBalanceRegion = false,
            ScheduleInterval = TimeSpan.FromMilliseconds(50),
        };
        options = configure?.Invoke(options) ?? options;
        try
        {
            return new TestPd(options, await PdServer.StartAsync(options), owned);
        }
        catch
        {
            owned?.Dispose();
            throw;
        }
    }

    /// <summary>Stops pd and starts it again on the same data directory (new ports).</summary>
    public async Task RestartAsync()
    {
        Channel.Dispose();
        Http.Dispose();
        await Server.DisposeAsync();
        Server = await PdServer.StartAsync(_options);
        Channel = new RpcChannel(Server.Address);
        Http = new HttpClient { BaseAddress = new Uri(Server.HttpAddress) };
    }

    public Task<TResponse> CallAsync<TRequest, TResponse>(
        Func<PD.PDClient, TRequest, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<TResponse>> call, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
        => call(Channel.Pd, request, RpcChannel.CallOptions(new RpcCallOptions { Timeout = TimeSpan.FromSeconds(30) }, Guard)).ResponseAsync;

    public static Rpc.Metapb.Store NewStore(ulong id, params (string Key, string Value)[] labels)
    {
        var store = new Rpc.Metapb.Store { Id = id, Address = $"127.0.0.1:{20160 + (int)id}", Version = "5.1.0", StatusAddress = $"127.0.0.1:{20180 + (int)id}" };
        foreach (var (key, value) in labels)
        {
            store.Labels.Add(new StoreLabel { Key = key, Value = value });
        }

        return store;
    }

    /// <summary>Bootstraps with store 1 and region 2 (peer 3 on store 1) covering everything.</summary>
    public async Task BootstrapAsync()
    {
        var response = await CallAsync(static (c, r, o) => c.BootstrapAsync(r, o), new BootstrapRequest
        {
            Header = Header,
            Store = NewStore(1),
            Region = new Rpc.Metapb.Region { Id = 2, RegionEpoch = new RegionEpoch { ConfVer = 1, Version = 1 }, Peers = { new Peer { Id = 3, StoreId = 1 } } },
        });
        Assert.Null(response.Header.Error);
    }

    public async Task PutStoreAsync(Rpc.Metapb.Store store)
    {
        var response = await CallAsync(static (c, r, o) => c.PutStoreAsync(r, o), new PutStoreRequest { Header = Header, Store = store });
        Assert.Null(response.Header.Error);
    }

    public async Task StoreHeartbeatAsync(ulong storeId)
    {
        var response = await CallAsync(static (c, r, o) => c.StoreHeartbeatAsync(r, o), new StoreHeartbeatRequest
        {
            Header = Header,
            Stats = new StoreStats { StoreId = storeId, Capacity = 100UL << 30, Available = 60UL << 30, UsedSize = 40UL << 30, RegionCount = 1 },
        });
        Assert.Null(response.Header.Error);
    }

    public async Task<GetRegionResponse> GetRegionByIdAsync(ulong id) =>
        await CallAsync(static (c, r, o) => c.GetRegionByIDAsync(r, o), new GetRegionByIDRequest { Header = Header, RegionId = id });

    public HeartbeatClient OpenHeartbeatStream() => new(Channel);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after the guard time.</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(condition, TimeSpan.FromSeconds(30), what);

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        Http.Dispose();
        await Server.DisposeAsync();
        _ownedDirectory?.Dispose();
    }
}
