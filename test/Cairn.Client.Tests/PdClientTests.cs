using System.Net;
using System.Text;
using Cairn.Common.Codec;
using Cairn.Pd;
using Cairn.Pd.Client;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;
using Google.Protobuf;
using Region = Cairn.Rpc.Metapb.Region;

namespace Cairn.Client.Tests;

public sealed class PdClientTests : IAsyncLifetime
{
    private readonly TempDirectory _dataDir = new("pdclient");
    private PdServer _pd = null!;
    private int _port;

    private static CancellationToken Guard => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public async Task InitializeAsync()
    {
        _pd = await StartPdAsync(0);
        _port = _pd.EndPoint.Port;
    }

    public async Task DisposeAsync()
    {
        await _pd.DisposeAsync();
        _dataDir.Dispose();
    }

    private Task<PdServer> StartPdAsync(int port) => PdServer.StartAsync(new PdServerOptions
    {
        EndPoint = new IPEndPoint(IPAddress.Loopback, port),
        HttpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        DataDir = _dataDir.Path,
        EnableBalanceRegion = false,
        GcLifeTime = TimeSpan.FromDays(365 * 100),
    });

    private Task<PdClient> ConnectAsync(params string[] extra) =>
        PdClient.ConnectAsync([.. extra, _pd.Address], new PdClientOptions { RetryInterval = TimeSpan.FromMilliseconds(50) }, Guard);

    private static ByteString Key(string raw) => raw.Length == 0 ? ByteString.Empty : ByteString.CopyFrom(MemComparable.EncodeBytes(Encoding.UTF8.GetBytes(raw)));

    private static async Task BootstrapAsync(PdClient client)
    {
        var storeId = await client.AllocIdAsync(Guard);
        var regionId = await client.AllocIdAsync(Guard);
        var peerId = await client.AllocIdAsync(Guard);
        await client.BootstrapAsync(
            new global::Cairn.Rpc.Metapb.Store { Id = storeId, Address = "127.0.0.1:20161", Labels = { new StoreLabel { Key = "zone", Value = "a" } } },
            new Region { Id = regionId, RegionEpoch = new RegionEpoch { ConfVer = 1, Version = 1 }, Peers = { new Peer { Id = peerId, StoreId = storeId } } },
            Guard);
    }

    [Fact]
    public async Task Connect_learns_the_cluster_id_and_skips_unreachable_addresses()
    {
        // A port nothing listens on (bound then released) comes first in the list.
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var dead = $"127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
        probe.Stop();

        await using var client = await ConnectAsync(dead);
        Assert.Equal(_pd.ClusterId, client.ClusterId);
        Assert.Equal(_pd.Address, client.LeaderAddress);
        Assert.False(await client.IsBootstrappedAsync(Guard));
    }

    [Fact]
    public async Task Concurrent_timestamps_are_distinct_and_each_caller_sees_them_increase()
    {
        await using var client = await ConnectAsync();
        const int Callers = 32;
        const int PerCaller = 100;
        var results = await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            var seen = new List<ulong>(PerCaller);
            for (var i = 0; i < PerCaller; i++)
            {
                seen.Add(await client.GetTimestampAsync(Guard));
            }

            return seen;
        })));

        foreach (var seen in results)
        {
            for (var i = 1; i < seen.Count; i++)
            {
                Assert.True(seen[i] > seen[i - 1]);
            }
        }

        var all = results.SelectMany(s => s).ToList();
        Assert.Equal(Callers * PerCaller, all.Distinct().Count());
        // Callers waiting at the same time share round trips.
        Assert.True(client.TsoRoundTrips < Callers * PerCaller, $"{client.TsoRoundTrips} round trips for {Callers * PerCaller} timestamps");
    }

    [Fact]
    public async Task Timestamps_and_metadata_calls_survive_a_pd_restart_on_the_same_address()
    {
        await using var client = await ConnectAsync();
        await BootstrapAsync(client);
        var before = await client.GetTimestampAsync(Guard);
        var idBefore = await client.AllocIdAsync(Guard);

        await _pd.DisposeAsync();
        _pd = await StartPdAsync(_port);

        var after = await client.GetTimestampAsync(Guard);
        Assert.True(after > before);
        Assert.True(await client.AllocIdAsync(Guard) > idBefore);
        var stores = await client.GetAllStoresAsync(cancellationToken: Guard);
        Assert.Equal("127.0.0.1:20161", Assert.Single(stores).Address);
        Assert.Equal(_pd.ClusterId, client.ClusterId);
    }

    [Fact]
    public async Task Regions_stores_scatter_and_operators()
    {
        await using var client = await ConnectAsync();
        await BootstrapAsync(client);
        var stores = await client.GetAllStoresAsync(cancellationToken: Guard);
        var store = await client.GetStoreAsync(stores[0].Id, Guard);
        Assert.Equal("a", store.Labels.Single().Value);
        Assert.Equal(0, store.LastHeartbeat);
        Assert.Equal("5.1.0", await client.StoreHeartbeatAsync(new StoreStats { StoreId = store.Id, Capacity = 1 << 30, Available = 1 << 29 }, Guard));
        Assert.NotEqual(0, (await client.GetStoreAsync(store.Id, Guard)).LastHeartbeat);

        var whole = await client.GetRegionAsync(Key("anything").ToByteArray(), Guard);
        Assert.NotNull(whole);
        Assert.Equal(whole.Region.Peers[0], whole.Leader);

        var ids = await client.AskBatchSplitAsync(whole.Region, 1, Guard);
        var split = Assert.Single(ids);
        await client.ReportBatchSplitAsync(
        [
            new Region { Id = split.NewRegionId, EndKey = Key("m"), RegionEpoch = new RegionEpoch { ConfVer = 1, Version = 2 }, Peers = { new Peer { Id = split.NewPeerIds[0], StoreId = store.Id } } },
            new Region { Id = whole.Region.Id, StartKey = Key("m"), RegionEpoch = new RegionEpoch { ConfVer = 1, Version = 2 }, Peers = { whole.Region.Peers } },
        ], Guard);

        var left = await client.GetRegionByIdAsync(split.NewRegionId, Guard);
        Assert.Equal(Key("m"), left!.Region.EndKey);
        Assert.Null(await client.GetRegionByIdAsync(987654, Guard));
        var scanned = await client.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0, Guard);
        Assert.Equal([split.NewRegionId, whole.Region.Id], scanned.Select(r => r.Region.Id));

        // One store only: nothing to move, so there is no operator.
        var scatter = await client.ScatterRegionsAsync([split.NewRegionId], "restore", Guard);
        Assert.Equal(100UL, scatter.FinishedPercentage);
        Assert.Null(await client.GetOperatorAsync(split.NewRegionId, Guard));

        var error = await Assert.ThrowsAsync<PdException>(() => client.GetStoreAsync(424242, Guard));
        Assert.Equal("GetStore", error.Operation);
        Assert.Equal(_pd.Address, error.Address);
        Assert.Equal(ErrorType.Unknown, error.ErrorType);
        Assert.False(error.IsTransient);
        Assert.Contains(_pd.Address, error.Message, StringComparison.Ordinal);

        var twice = await Assert.ThrowsAsync<PdException>(() => BootstrapAsync(client));
        Assert.Equal(ErrorType.AlreadyBootstrapped, twice.ErrorType);
    }

    [Fact]
    public async Task Gc_safepoint_calls()
    {
        await using var client = await ConnectAsync();
        Assert.Equal(0UL, await client.UpdateGcSafePointAsync(0, Guard));
        Assert.Equal(500UL, await client.UpdateGcSafePointAsync(500, Guard));
        Assert.Equal(500UL, await client.UpdateGcSafePointAsync(100, Guard));
        Assert.Equal(500UL, await client.GetGcSafePointAsync(Guard));

        var min = await client.UpdateServiceGcSafePointAsync("br-test", 300, 800, Guard);
        Assert.Equal(500UL, min.MinSafePoint);
        Assert.Equal("gc_worker", min.ServiceId);
        var removed = await client.UpdateServiceGcSafePointAsync("br-test", 0, 0, Guard);
        Assert.Equal(500UL, removed.MinSafePoint);
    }

    [Fact]
    public async Task Unreachable_pd_fails_with_a_transient_error_naming_the_addresses()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var dead = $"127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
        probe.Stop();
        var error = await Assert.ThrowsAsync<PdException>(() =>
            PdClient.ConnectAsync([dead], new PdClientOptions { RetryTimeout = TimeSpan.FromMilliseconds(300), RetryInterval = TimeSpan.FromMilliseconds(50) }, Guard));
        Assert.True(error.IsTransient);
        Assert.Contains(dead, error.Message, StringComparison.Ordinal);
    }
}
