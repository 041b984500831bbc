using System.Collections.Concurrent;
using Cairn.Client.Regions;
using Cairn.Common.Keys;
using Cairn.Pd.Client;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Tikvpb;
using Google.Protobuf;

namespace Cairn.Client.Raw;

/// <summary>
/// Raw key-value access (TiKV API v1: no transactions, no versions; region boundaries are the raw keys). Every call
/// follows region errors through the region cache within <see cref="ClientOptions.ReadBudget"/>. Safe for concurrent use.
/// </summary>
public sealed class RawClient : IAsyncDisposable
{
    private readonly bool _ownsPd;

    /// <summary>Creates a client over an existing pd client (not disposed with this one).</summary>
    public RawClient(PdClient pd, ClientOptions? options = null)
        : this(pd, options, ownsPd: false)
    {
    }

    private RawClient(PdClient pd, ClientOptions? options, bool ownsPd)
    {
        ArgumentNullException.ThrowIfNull(pd);
        Cache = new RegionCache(pd, options);
        _ownsPd = ownsPd;
    }

    /// <summary>Connects to pd at <paramref name="pdAddresses"/> and creates a client that owns that connection.</summary>
    public static async Task<RawClient> ConnectAsync(IEnumerable<string> pdAddresses, ClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        var pd = await PdClient.ConnectAsync(pdAddresses, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new RawClient(pd, options, ownsPd: true);
    }

    /// <summary>
    /// Connects to pd at <paramref name="pdAddresses"/> with mutual TLS when <paramref name="tls"/> is set (the stores
    /// are then reached over TLS too) and creates a client that owns that connection.
    /// </summary>
    public static async Task<RawClient> ConnectAsync(IEnumerable<string> pdAddresses, ClientOptions? options, Cairn.Rpc.Security.TlsSettings? tls, CancellationToken cancellationToken)
    {
        var pd = await PdClient.ConnectAsync(pdAddresses, new PdClientOptions { Tls = tls }, cancellationToken).ConfigureAwait(false);
        return new RawClient(pd, options, ownsPd: true);
    }

    /// <summary>The region cache.</summary>
    public RegionCache Cache { get; }

    private ClientOptions Options => Cache.Options;

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public async Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var response = await OnKeyAsync(key, "raw get", "RawGet", static (t, r, o) => t.RawGetAsync(r, o), c => new RawGetRequest { Context = c, Key = ByteString.CopyFrom(key) },
            r => r.RegionError, r => r.Error, cancellationToken).ConfigureAwait(false);
        return response.NotFound ? null : response.Value.ToByteArray();
    }

    /// <summary>Writes <paramref name="value"/> to <paramref name="key"/>.</summary>
    public Task PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return OnKeyAsync(key, "raw put", "RawPut", static (t, r, o) => t.RawPutAsync(r, o), c => new RawPutRequest { Context = c, Key = ByteString.CopyFrom(key), Value = ByteString.CopyFrom(value) },
            r => r.RegionError, r => r.Error, cancellationToken);
    }

    /// <summary>Deletes <paramref name="key"/>.</summary>
    public Task DeleteAsync(byte[] key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return OnKeyAsync(key, "raw delete", "RawDelete", static (t, r, o) => t.RawDeleteAsync(r, o), c => new RawDeleteRequest { Context = c, Key = ByteString.CopyFrom(key) },
            r => r.RegionError, r => r.Error, cancellationToken);
    }

    /// <summary>The values of those of <paramref name="keys"/> that exist; regions are read in parallel.</summary>
    public async Task<IReadOnlyDictionary<byte[], byte[]>> BatchGetAsync(IEnumerable<byte[]> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var results = new ConcurrentDictionary<byte[], byte[]>(ByteKeyComparer.Instance);
        await OnKeysAsync(keys.Distinct(ByteKeyComparer.Instance).ToList(), "raw batch get", "RawBatchGet", static (t, r, o) => t.RawBatchGetAsync(r, o),
            (c, g) => new RawBatchGetRequest { Context = c, Keys = { g.Select(ByteString.CopyFrom) } },
            r => r.RegionError, _ => "", r =>
            {
                foreach (var pair in r.Pairs)
                {
                    results[pair.Key.ToByteArray()] = pair.Value.ToByteArray();
                }
            }, cancellationToken).ConfigureAwait(false);
        return new Dictionary<byte[], byte[]>(results, ByteKeyComparer.Instance);
    }

    /// <summary>Writes every pair; regions are written in parallel (each region's part is atomic, the whole is not).</summary>
    public Task BatchPutAsync(IEnumerable<KeyValuePair<byte[], byte[]>> pairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var values = new Dictionary<byte[], byte[]>(ByteKeyComparer.Instance);
        foreach (var (key, value) in pairs)
        {
            values[key] = value;
        }

        return OnKeysAsync([.. values.Keys], "raw batch put", "RawBatchPut", static (t, r, o) => t.RawBatchPutAsync(r, o),
            (c, g) => new RawBatchPutRequest { Context = c, Pairs = { g.Select(k => new KvPair { Key = ByteString.CopyFrom(k), Value = ByteString.CopyFrom(values[k]) }) } },
            r => r.RegionError, r => r.Error, null, cancellationToken);
    }

    /// <summary>Deletes every key; regions in parallel.</summary>
    public Task BatchDeleteAsync(IEnumerable<byte[]> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return OnKeysAsync(keys.Distinct(ByteKeyComparer.Instance).ToList(), "raw batch delete", "RawBatchDelete", static (t, r, o) => t.RawBatchDeleteAsync(r, o),
            (c, g) => new RawBatchDeleteRequest { Context = c, Keys = { g.Select(ByteString.CopyFrom) } },
            r => r.RegionError, r => r.Error, null, cancellationToken);
    }

    /// <summary>
    /// Pairs with keys in <c>[start, end)</c> (empty end = unbounded) in key order across regions, at most
    /// <paramref name="limit"/>; with <paramref name="keyOnly"/> the values are empty.
    /// </summary>
    public async Task<IReadOnlyList<KeyValuePair<byte[], byte[]>>> ScanAsync(byte[] start, byte[] end, int limit = int.MaxValue, bool keyOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var backoffer = new Backoffer(Options.ReadBudget);
        var results = new List<KeyValuePair<byte[], byte[]>>();
        var endBytes = ByteString.CopyFrom(end);
        var cursor = start;
        while (results.Count < limit && (end.Length == 0 || cursor.AsSpan().SequenceCompareTo(end) < 0))
        {
            var batch = (uint)Math.Min(Options.ScanBatchSize, limit - results.Count);
            var from = ByteString.CopyFrom(cursor);
            var (region, response) = await Cache.Requests.SendToKeyAsync(cursor, KeyMode.Raw, "RawScan", static (t, r, o) => t.RawScanAsync(r, o),
                c => new RawScanRequest { Context = c, StartKey = from, EndKey = endBytes, Limit = batch, KeyOnly = keyOnly },
                r => r.RegionError, backoffer, $"raw scan from key {Convert.ToHexString(cursor)}", cancellationToken).ConfigureAwait(false);
            foreach (var pair in response.Kvs)
            {
                results.Add(new KeyValuePair<byte[], byte[]>(pair.Key.ToByteArray(), pair.Value.ToByteArray()));
            }

            if (response.Kvs.Count == batch)
            {
                var last = results[^1].Key;
                cursor = new byte[last.Length + 1];
                last.CopyTo(cursor, 0);
                continue;
            }

            var regionEnd = region.Region.EndKey;
            if (regionEnd.IsEmpty || (end.Length != 0 && regionEnd.Span.SequenceCompareTo(end) >= 0))
            {
                break;
            }

            cursor = regionEnd.ToByteArray();
        }

        return results;
    }

    /// <summary>Deletes every key in <c>[start, end)</c> (empty end = unbounded), region by region.</summary>
    public async Task DeleteRangeAsync(byte[] start, byte[] end, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        var backoffer = new Backoffer(Options.ReadBudget);
        var pending = new Queue<(byte[] Start, byte[] End)>();
        pending.Enqueue((start, end));
        while (pending.TryDequeue(out var range))
        {
            foreach (var piece in await Cache.SplitRangeAsync(range.Start, range.End, KeyMode.Raw, backoffer, cancellationToken).ConfigureAwait(false))
            {
                var what = $"raw delete range [{Convert.ToHexString(piece.Start)}, {Convert.ToHexString(piece.End)})";
                var response = await Cache.SendAsync(piece.Region, "RawDeleteRange", static (t, r, o) => t.RawDeleteRangeAsync(r, o),
                    c => new RawDeleteRangeRequest { Context = c, StartKey = ByteString.CopyFrom(piece.Start), EndKey = ByteString.CopyFrom(piece.End) },
                    r => r.RegionError, backoffer, what, cancellationToken).ConfigureAwait(false);
                if (response is null)
                {
                    pending.Enqueue((piece.Start, piece.End));
                }
                else if (response.Error.Length > 0)
                {
                    throw new ClientException($"{what} on {piece.Region} failed: {response.Error}", isRetryable: false);
                }
            }
        }
    }

    /// <summary>Closes the store channels (and the pd connection when this client opened it).</summary>
    public async ValueTask DisposeAsync()
    {
        Cache.Dispose();
        if (_ownsPd)
        {
            await Cache.Pd.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<TResponse> OnKeyAsync<TRequest, TResponse>(byte[] key, string operation, string method, Func<Tikv.TikvClient, TRequest, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<TResponse>> call,
        Func<Rpc.Kvrpcpb.Context, TRequest> build, Func<TResponse, Rpc.Errorpb.Error?> regionErrorOf, Func<TResponse, string> errorOf, CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var backoffer = new Backoffer(Options.ReadBudget);
        var what = $"{operation} of key {Convert.ToHexString(key)}";
        var (region, response) = await Cache.Requests.SendToKeyAsync(key, KeyMode.Raw, method, call, build, regionErrorOf, backoffer, what, cancellationToken).ConfigureAwait(false);
        if (errorOf(response) is { Length: > 0 } error)
        {
            throw new ClientException($"{what} on {region} failed: {error}", isRetryable: false);
        }

        return response;
    }

    private async Task OnKeysAsync<TRequest, TResponse>(IReadOnlyList<byte[]> keys, string operation, string method, Func<Tikv.TikvClient, TRequest, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<TResponse>> call,
        Func<Rpc.Kvrpcpb.Context, IReadOnlyList<byte[]>, TRequest> build, Func<TResponse, Rpc.Errorpb.Error?> regionErrorOf, Func<TResponse, string> errorOf,
        Action<TResponse>? onResponse, CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var backoffer = new Backoffer(Options.ReadBudget);
        await OnKeysAsync(keys, operation, method, call, build, regionErrorOf, errorOf, onResponse, backoffer, cancellationToken).ConfigureAwait(false);
    }

    private async Task OnKeysAsync<TRequest, TResponse>(IReadOnlyList<byte[]> keys, string operation, string method, Func<Tikv.TikvClient, TRequest, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<TResponse>> call,
        Func<Rpc.Kvrpcpb.Context, IReadOnlyList<byte[]>, TRequest> build, Func<TResponse, Rpc.Errorpb.Error?> regionErrorOf, Func<TResponse, string> errorOf,
        Action<TResponse>? onResponse, Backoffer backoffer, CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        if (keys.Count == 0)
        {
            return;
        }

        var groups = await Cache.GroupKeysByRegionAsync(keys, KeyMode.Raw, backoffer, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(groups.Select(async g =>
        {
            var what = $"{operation} of {g.Keys.Count} keys from {Convert.ToHexString(g.Keys[0])}";
            var response = await Cache.SendAsync(g.Region, method, call, c => build(c, g.Keys), regionErrorOf, backoffer, what, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                await OnKeysAsync(g.Keys, operation, method, call, build, regionErrorOf, errorOf, onResponse, backoffer, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (errorOf(response) is { Length: > 0 } error)
            {
                throw new ClientException($"{what} on {g.Region} failed: {error}", isRetryable: false);
            }

            if (onResponse is not null)
            {
                lock (onResponse)
                {
                    onResponse(response);
                }
            }
        })).ConfigureAwait(false);
    }
}
