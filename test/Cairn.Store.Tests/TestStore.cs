using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Google.Protobuf;

namespace Cairn.Store.Tests;

/// <summary>An in-process store node on 127.0.0.1 port 0 with its own data directory, and a channel to it.</summary>
internal sealed class TestStore : IAsyncDisposable
{
    private readonly TempDirectory? _ownedDir;

    private TestStore(StoreNode node, RpcChannel channel, TempDirectory? ownedDir)
    {
        Node = node;
        Channel = channel;
        _ownedDir = ownedDir;
    }

    public StoreNode Node { get; }

    public RpcChannel Channel { get; }

    public Timestamps Ts { get; } = new();

    public static async Task<TestStore> StartAsync(string? dataDir = null, int? maxInFlight = null, bool syncWrites = false,
        Func<StoreNodeOptions, StoreNodeOptions>? configure = null, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        TempDirectory? owned = dataDir is null ? new TempDirectory() : null;
        var options = new StoreNodeOptions
        {
            Address = "127.0.0.1:0",
            DataDir = dataDir ?? owned!.Path,
            BlockCacheSize = 8L * 1024 * 1024,
            MaxInFlightRequests = maxInFlight,
            SyncWrites = syncWrites,
            Labels = new Dictionary<string, string> { ["zone"] = "test" },
        };
        var node = new StoreNode(configure?.Invoke(options) ?? options, loggerFactory);
        await node.StartAsync();
        return new TestStore(node, new RpcChannel(node.Address), owned);
    }

    /// <summary>The region holding the raw (or encoded) key.</summary>
    public Region RegionFor(ReadOnlySpan<byte> keyInRegionForm)
    {
        foreach (var region in Node.Regions.GetRegions())
        {
            if (Regions.RegionManager.Contains(region, keyInRegionForm))
            {
                return region;
            }
        }

        throw new InvalidOperationException("no region holds the key");
    }

    /// <summary>The context of the region holding the transactional key <paramref name="rawKey"/>.</summary>
    public Context Ctx(string rawKey) => Ctx(RegionFor(Common.Mvcc.MvccKey.EncodeKey(Bytes(rawKey))));

    /// <summary>The context of the region holding the raw-KV key <paramref name="rawKey"/>.</summary>
    public Context RawCtx(string rawKey) => Ctx(RegionFor(Bytes(rawKey)));

    public Context Ctx(Region region) => new()
    {
        RegionId = region.Id,
        RegionEpoch = region.RegionEpoch.Clone(),
        Peer = Node.Regions.LocalPeer(region)!.Clone(),
    };

    public static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    public static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    // ------------------------------------------------------------ transactional helpers

    public Task<PrewriteResponse> PrewriteAsync(ulong startTs, string primary, ulong ttl, params (Op Op, string Key, byte[]? Value)[] mutations)
    {
        var request = new PrewriteRequest
        {
            Context = Ctx(primary),
            PrimaryLock = B(primary),
            StartVersion = startTs,
            LockTtl = ttl,
            TxnSize = (ulong)mutations.Length,
        };
        foreach (var (op, key, value) in mutations)
        {
            request.Mutations.Add(new Mutation { Op = op, Key = B(key), Value = value is null ? ByteString.Empty : ByteString.CopyFrom(value) });
        }

        return Channel.Tikv.KvPrewriteAsync(request).ResponseAsync;
    }

    public Task<CommitResponse> CommitAsync(ulong startTs, ulong commitTs, params string[] keys)
    {
        var request = new CommitRequest { Context = Ctx(keys[0]), StartVersion = startTs, CommitVersion = commitTs };
        request.Keys.AddRange(keys.Select(B));
        return Channel.Tikv.KvCommitAsync(request).ResponseAsync;
    }

    /// <summary>Prewrites and commits puts of string values; asserts both succeed; returns the commit ts.</summary>
    public async Task<ulong> PutAsync(params (string Key, string Value)[] pairs)
    {
        var startTs = Ts.Next();
        var prewrite = await PrewriteAsync(startTs, pairs[0].Key, 3000, [.. pairs.Select(p => (Op.Put, p.Key, (byte[]?)Bytes(p.Value)))]);
        Assert.Null(prewrite.RegionError);
        Assert.Empty(prewrite.Errors);
        var commitTs = Ts.Next();
        var commit = await CommitAsync(startTs, commitTs, [.. pairs.Select(p => p.Key)]);
        Assert.Null(commit.RegionError);
        Assert.Null(commit.Error);
        return commitTs;
    }

    public Task<GetResponse> GetAsync(string key, ulong version) =>
        Channel.Tikv.KvGetAsync(new GetRequest { Context = Ctx(key), Key = B(key), Version = version }).ResponseAsync;

    /// <summary>The value at <paramref name="version"/> as a string, null when not found; asserts no error.</summary>
    public async Task<string?> ReadAsync(string key, ulong version)
    {
        var response = await GetAsync(key, version);
        Assert.Null(response.RegionError);
        Assert.Null(response.Error);
        return response.NotFound ? null : response.Value.ToStringUtf8();
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Node.DisposeAsync();
        _ownedDir?.Dispose();
    }
}
