using System.Collections.Concurrent;
using System.Text;
using Cairn.Common.Mvcc;
using Cairn.Pd.Client;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Google.Protobuf;
using RegionError = Cairn.Rpc.Errorpb.Error;

namespace Cairn.Cluster.Tests;

/// <summary>
/// A minimal routing client for tests: finds a key's region and leader in pd, sends the request to that store,
/// and on a region error asks pd again and retries (as a real client would), counting the region errors it saw.
/// </summary>
internal sealed class ClusterKv : IAsyncDisposable
{
    private readonly TestCluster _cluster;
    private readonly ConcurrentDictionary<string, RpcChannel> _channels = new();

    private ClusterKv(TestCluster cluster, PdClient pd)
    {
        _cluster = cluster;
        Pd = pd;
    }

    public PdClient Pd { get; }

    /// <summary>Region errors seen and retried, by kind.</summary>
    public ConcurrentDictionary<string, int> RegionErrors { get; } = new();

    public static async Task<ClusterKv> ConnectAsync(TestCluster cluster) => new(cluster, await cluster.ConnectPdAsync());

    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public Task RawPutAsync(string key, string value) =>
        CallAsync(B(key), raw: true, (ch, ctx) => ch.Tikv.RawPutAsync(new RawPutRequest { Context = ctx, Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) }).ResponseAsync, r => r.RegionError, r => r.Error);

    public async Task<string?> RawGetAsync(string key)
    {
        var response = await CallAsync(B(key), raw: true, (ch, ctx) => ch.Tikv.RawGetAsync(new RawGetRequest { Context = ctx, Key = ByteString.CopyFromUtf8(key) }).ResponseAsync, r => r.RegionError, r => r.Error);
        return response.NotFound ? null : response.Value.ToStringUtf8();
    }

    /// <summary>Writes one key in its own transaction (prewrite + commit) and returns the commit ts.</summary>
    public async Task<ulong> TxnPutAsync(string key, string value)
    {
        var startTs = await Pd.GetTimestampAsync();
        var k = ByteString.CopyFromUtf8(key);
        var prewrite = await CallAsync(MvccKey.EncodeKey(B(key)), raw: false, (ch, ctx) => ch.Tikv.KvPrewriteAsync(new PrewriteRequest
        {
            Context = ctx,
            Mutations = { new Mutation { Op = Op.Put, Key = k, Value = ByteString.CopyFromUtf8(value) } },
            PrimaryLock = k,
            StartVersion = startTs,
            LockTtl = 3000,
        }).ResponseAsync, r => r.RegionError, _ => "");
        if (prewrite.Errors.Count > 0)
        {
            throw new InvalidOperationException($"prewrite of {key} failed: {prewrite.Errors[0]}");
        }

        var commitTs = await Pd.GetTimestampAsync();
        var commit = await CallAsync(MvccKey.EncodeKey(B(key)), raw: false, (ch, ctx) => ch.Tikv.KvCommitAsync(new CommitRequest { Context = ctx, Keys = { k }, StartVersion = startTs, CommitVersion = commitTs }).ResponseAsync, r => r.RegionError, _ => "");
        if (commit.Error is not null)
        {
            throw new InvalidOperationException($"commit of {key} failed: {commit.Error}");
        }

        return commitTs;
    }

    public async Task<string?> TxnGetAsync(string key, ulong ts)
    {
        var response = await CallAsync(MvccKey.EncodeKey(B(key)), raw: false, (ch, ctx) => ch.Tikv.KvGetAsync(new GetRequest { Context = ctx, Key = ByteString.CopyFromUtf8(key), Version = ts }).ResponseAsync, r => r.RegionError, _ => "");
        if (response.Error is not null)
        {
            throw new InvalidOperationException($"get of {key} failed: {response.Error}");
        }

        return response.NotFound ? null : response.Value.ToStringUtf8();
    }

    /// <summary>Splits the region holding the first key at <paramref name="keys"/> (raw keys; encoded unless <paramref name="raw"/>).</summary>
    public async Task<IReadOnlyList<Region>> SplitAsync(bool raw, params string[] keys)
    {
        var first = raw ? B(keys[0]) : MvccKey.EncodeKey(B(keys[0]));
        var response = await CallAsync(first, raw, (ch, ctx) => ch.Tikv.SplitRegionAsync(new SplitRegionRequest { Context = ctx, SplitKeys = { keys.Select(ByteString.CopyFromUtf8) }, IsRawKv = raw }).ResponseAsync, r => r.RegionError, _ => "");
        return response.Regions;
    }

    /// <summary>A channel to store <paramref name="index"/>.</summary>
    public RpcChannel Channel(int index) => _channels.GetOrAdd(_cluster.StoreAddress(index), a => new RpcChannel(a));

    /// <summary>The region holding the key (in region form) and the index of the store leading it, from pd.</summary>
    public async Task<(Region Region, int StoreIndex)> LocateAsync(byte[] regionKey)
    {
        var found = await Pd.GetRegionAsync(regionKey) ?? throw new InvalidOperationException("pd knows no region for the key");
        var leader = found.Leader ?? throw new InvalidOperationException($"region {found.Region.Id} has no leader in pd");
        return (found.Region, _cluster.IndexOfStore(leader.StoreId));
    }

    private async Task<TResponse> CallAsync<TResponse>(byte[] regionKey, bool raw, Func<RpcChannel, Context, Task<TResponse>> send,
        Func<TResponse, RegionError?> regionError, Func<TResponse, string> error)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            RegionError? seen;
            try
            {
                var (region, index) = await LocateAsync(regionKey);
                var peer = region.Peers.First(p => p.StoreId == _cluster.StoreId(index));
                var channel = _channels.GetOrAdd(_cluster.StoreAddress(index), a => new RpcChannel(a));
                var response = await send(channel, new Context { RegionId = region.Id, RegionEpoch = region.RegionEpoch, Peer = peer });
                seen = regionError(response);
                if (seen is null)
                {
                    if (error(response) is { Length: > 0 } message)
                    {
                        throw new InvalidOperationException(message);
                    }

                    return response;
                }

                RegionErrors.AddOrUpdate(Kind(seen), 1, (_, n) => n + 1);
            }
            catch (RpcException) when (DateTime.UtcNow < deadline)
            {
                // The store is down or restarting: ask pd again.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the request kept failing with region errors");
            }

            await Task.Delay(20);
        }
    }

    private static string Kind(RegionError e) =>
        e.NotLeader is not null ? "NotLeader" :
        e.RegionNotFound is not null ? "RegionNotFound" :
        e.EpochNotMatch is not null ? "EpochNotMatch" :
        e.ServerIsBusy is not null ? "ServerIsBusy" :
        e.KeyNotInRegion is not null ? "KeyNotInRegion" :
        e.StoreNotMatch is not null ? "StoreNotMatch" : "Other";

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        await Pd.DisposeAsync();
    }
}
