using System.Collections.Concurrent;
using Cairn.Common.Codec;
using Cairn.Common.Keys;
using Cairn.Common.Mvcc;
using Cairn.Pd.Client;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Tikvpb;
using Google.Protobuf;
using RegionError = Cairn.Rpc.Errorpb.Error;

namespace Cairn.Client.Regions;

/// <summary>
/// Regions by key with their leaders' store addresses, loaded from pd on a miss and corrected by the region errors
/// stores answer. Also owns one <see cref="RpcChannel"/> per store address. Safe for concurrent use.
/// </summary>
public sealed class RegionCache : IDisposable
{
    private readonly PdClient _pd;
    private readonly object _gate = new();

    // Region key ranges (never overlapping) to the regions holding them; a region pd or a store reports evicts the
    // stale entries it overlaps.
    private readonly KeyRangeMap<CachedRegion> _regions = new();
    private readonly ConcurrentDictionary<ulong, string> _storeAddresses = new();
    private readonly RpcChannelPool _channels;

    /// <summary>Creates an empty cache that loads regions and stores from <paramref name="pd"/>.</summary>
    public RegionCache(PdClient pd, ClientOptions? options = null, RpcChannelOptions? channelOptions = null)
    {
        ArgumentNullException.ThrowIfNull(pd);
        Options = options ?? new ClientOptions();
        Options.Validate();
        _pd = pd;
        // Stores are reached with the TLS setting pd is reached with: one cluster, one CA.
        _channels = new RpcChannelPool(channelOptions ?? new RpcChannelOptions { Tls = pd.Options.Tls });
        Requests = new RegionRequestSender(this);
    }

    /// <summary>The region request loop over this cache: every region-bound request goes through it.</summary>
    public RegionRequestSender Requests { get; }

    /// <summary>The pd client regions are loaded from.</summary>
    public PdClient Pd => _pd;

    /// <summary>The client settings.</summary>
    public ClientOptions Options { get; }

    /// <summary>Number of regions cached.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _regions.Count;
            }
        }
    }

    /// <summary>A user key in region key form: memcomparable-encoded for txn data, unchanged for raw data.</summary>
    public static byte[] ToRegionKey(ReadOnlySpan<byte> userKey, KeyMode mode) =>
        mode == KeyMode.Txn ? MvccKey.EncodeKey(userKey) : userKey.ToArray();

    /// <summary>
    /// A region boundary as a user key (an empty boundary stays empty: unbounded). Txn boundaries are decoded from
    /// memcomparable form; one that is not a complete encoding cannot be expressed as a user key and throws.
    /// </summary>
    public static byte[] ToUserKey(ReadOnlySpan<byte> regionKey, KeyMode mode)
    {
        if (mode == KeyMode.Raw || regionKey.IsEmpty)
        {
            return regionKey.ToArray();
        }

        try
        {
            return MvccKey.DecodeKey(regionKey);
        }
        catch (CodecException e)
        {
            throw new ClientException($"region boundary {Convert.ToHexString(regionKey)} is not a memcomparable-encoded key", isRetryable: false, e);
        }
    }

    /// <summary>The channel to a store address, created on first use and kept until the cache is disposed.</summary>
    public RpcChannel GetChannel(string address) => _channels.Get(address);

    /// <summary>The region holding user key <paramref name="userKey"/>, from the cache or pd.</summary>
    public Task<CachedRegion> LocateKeyAsync(ReadOnlyMemory<byte> userKey, KeyMode mode, Backoffer backoffer, CancellationToken cancellationToken = default) =>
        LocateRegionKeyAsync(ToRegionKey(userKey.Span, mode), backoffer, cancellationToken);

    /// <summary>The region holding <paramref name="regionKey"/> (already in region key form), from the cache or pd.</summary>
    public async Task<CachedRegion> LocateRegionKeyAsync(byte[] regionKey, Backoffer backoffer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(regionKey);
        ArgumentNullException.ThrowIfNull(backoffer);
        while (true)
        {
            if (TryFind(regionKey) is { } cached)
            {
                return cached;
            }

            string failure;
            try
            {
                // pd gets what is left of the operation's budget, not its own retry time on top of it.
                var lookup = $"key {Convert.ToHexString(regionKey)} (region lookup at pd)";
                if (await backoffer.WithinBudgetAsync(t => _pd.GetRegionAsync(regionKey, t), BackoffKind.PdUnavailable, lookup, cancellationToken).ConfigureAwait(false) is { } found
                    && await backoffer.WithinBudgetAsync(t => ToCachedAsync(found.Region, found.Leader, t), BackoffKind.PdUnavailable, lookup, cancellationToken).ConfigureAwait(false) is { } region)
                {
                    Insert(region);
                    if (region.Contains(regionKey))
                    {
                        return region;
                    }

                    failure = $"pd answered {region} which does not hold the key";
                }
                else
                {
                    failure = "pd knows no region (or no leader) for the key";
                }
            }
            catch (PdException e) when (e.IsTransient)
            {
                await backoffer.BackoffAsync(BackoffKind.PdUnavailable, $"key {Convert.ToHexString(regionKey)} (region lookup)", e.Message, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await backoffer.BackoffAsync(BackoffKind.RegionMiss, $"key {Convert.ToHexString(regionKey)} (region lookup)", failure, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Groups user keys by the region holding them. Groups come in key order; inside a group, keys keep their
    /// relative input order after sorting (i.e. they are sorted).
    /// </summary>
    public async Task<IReadOnlyList<KeyGroup>> GroupKeysByRegionAsync(IEnumerable<byte[]> userKeys, KeyMode mode, Backoffer backoffer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userKeys);
        var sorted = userKeys.Select(k => (User: k, Region: ToRegionKey(k, mode))).ToList();
        sorted.Sort((a, b) => a.Region.AsSpan().SequenceCompareTo(b.Region));
        var groups = new List<KeyGroup>();
        CachedRegion? current = null;
        List<byte[]>? keys = null;
        foreach (var (user, regionKey) in sorted)
        {
            if (current is null || !current.Contains(regionKey))
            {
                if (current is not null)
                {
                    groups.Add(new KeyGroup(current, keys!));
                }

                current = await LocateRegionKeyAsync(regionKey, backoffer, cancellationToken).ConfigureAwait(false);
                keys = [];
            }

            keys!.Add(user);
        }

        if (current is not null)
        {
            groups.Add(new KeyGroup(current, keys!));
        }

        return groups;
    }

    /// <summary>Splits the user key range <c>[start, end)</c> (empty end = unbounded) into its per-region pieces, in key order.</summary>
    public async Task<IReadOnlyList<RangeInRegion>> SplitRangeAsync(byte[] start, byte[] end, KeyMode mode, Backoffer backoffer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        var pieces = new List<RangeInRegion>();
        var regionEnd = end.Length == 0 ? [] : ToRegionKey(end, mode);
        var cursor = start;
        var cursorRegionKey = ToRegionKey(start, mode);
        while (end.Length == 0 || cursorRegionKey.AsSpan().SequenceCompareTo(regionEnd) < 0)
        {
            var region = await LocateRegionKeyAsync(cursorRegionKey, backoffer, cancellationToken).ConfigureAwait(false);
            var boundary = region.Region.EndKey;
            if (boundary.IsEmpty || (end.Length != 0 && boundary.Span.SequenceCompareTo(regionEnd) >= 0))
            {
                pieces.Add(new RangeInRegion(region, cursor, end));
                break;
            }

            var next = ToUserKey(boundary.Span, mode);
            pieces.Add(new RangeInRegion(region, cursor, next));
            cursor = next;
            cursorRegionKey = boundary.ToByteArray();
        }

        return pieces;
    }

    /// <summary>
    /// Corrects the cache after <paramref name="region"/> answered <paramref name="error"/> and says how to back off
    /// before the retry: NotLeader with a leader switches the leader; EpochNotMatch replaces the region with the
    /// current regions it carries; everything else drops the region so the retry reloads it from pd.
    /// </summary>
    public BackoffKind OnRegionError(CachedRegion region, RegionError error)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(error);
        if (error.NotLeader is { } notLeader)
        {
            if (notLeader.Leader is { StoreId: not 0 } leader && _storeAddresses.TryGetValue(leader.StoreId, out var address))
            {
                Replace(region, region with { Leader = leader.Clone(), StoreAddress = address });
                return BackoffKind.RegionMiss;
            }

            Invalidate(region.Id);
            return BackoffKind.RegionScheduling;
        }

        if (error.EpochNotMatch is { } epoch)
        {
            Invalidate(region.Id);
            foreach (var current in epoch.CurrentRegions)
            {
                // The answering store holds these regions, so its peer in each one leads it (one replica per region).
                if (current.Peers.FirstOrDefault(p => p.StoreId == region.Leader.StoreId) is { } peer)
                {
                    Insert(new CachedRegion(current.Clone(), peer.Clone(), region.StoreAddress));
                }
            }

            return BackoffKind.RegionMiss;
        }

        if (error.ServerIsBusy is not null)
        {
            return BackoffKind.ServerBusy;
        }

        if (error.StoreNotMatch is not null)
        {
            _storeAddresses.TryRemove(region.Leader.StoreId, out _);
        }

        Invalidate(region.Id);
        return BackoffKind.RegionMiss;
    }

    /// <summary>Drops a region whose store failed to answer, and the store's address, so both are reloaded from pd.</summary>
    public void OnStoreFailure(CachedRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        Invalidate(region.Id);
        _storeAddresses.TryRemove(region.Leader.StoreId, out _);
    }

    /// <summary>Drops the region with id <paramref name="regionId"/> from the cache.</summary>
    public void Invalidate(ulong regionId)
    {
        lock (_gate)
        {
            _regions.RemoveWhere(r => r.Id == regionId);
        }
    }

    /// <summary>Closes every store channel.</summary>
    public void Dispose()
    {
        _channels.Dispose();
    }

    /// <summary>One attempt at <paramref name="region"/>'s leader: <see cref="RegionRequestSender.SendOnceAsync{TRequest, TResponse}"/>.</summary>
    internal Task<TResponse?> SendAsync<TRequest, TResponse>(
        CachedRegion region,
        string method, Func<Tikv.TikvClient, TRequest, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<TResponse>> call,
        Func<Context, TRequest> build,
        Func<TResponse, RegionError?> regionErrorOf,
        Backoffer backoffer,
        string what,
        CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Requests.SendOnceAsync(region, method, call, build, regionErrorOf, backoffer, what, cancellationToken);

    /// <summary>A region error in words: its kind and message.</summary>
    public static string Describe(RegionError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var kind = error.NotLeader is not null ? "NotLeader"
            : error.EpochNotMatch is not null ? "EpochNotMatch"
            : error.RegionNotFound is not null ? "RegionNotFound"
            : error.KeyNotInRegion is not null ? "KeyNotInRegion"
            : error.StoreNotMatch is not null ? "StoreNotMatch"
            : error.ServerIsBusy is not null ? "ServerIsBusy"
            : "RegionError";
        return $"{kind}: {error.Message}";
    }

    private async Task<CachedRegion?> ToCachedAsync(Region region, Peer? leader, CancellationToken cancellationToken)
    {
        leader ??= region.Peers.FirstOrDefault();
        if (leader is null || leader.StoreId == 0)
        {
            return null;
        }

        if (!_storeAddresses.TryGetValue(leader.StoreId, out var address))
        {
            var store = await _pd.GetStoreAsync(leader.StoreId, cancellationToken).ConfigureAwait(false);
            address = store.Address;
            _storeAddresses[leader.StoreId] = address;
        }

        return new CachedRegion(region, leader, address);
    }

    private CachedRegion? TryFind(ReadOnlySpan<byte> regionKey)
    {
        lock (_gate)
        {
            return _regions.TryFind(regionKey, out var entry) ? entry.Value : null;
        }
    }

    private void Replace(CachedRegion old, CachedRegion updated)
    {
        lock (_gate)
        {
            // Only while the entry is still the one that answered: a newer load in between wins.
            if (_regions.TryFind(old.Region.StartKey.Span, out var entry) && ReferenceEquals(entry.Value, old))
            {
                _regions.Add(entry.Start, entry.End, updated);
                return;
            }
        }

        Insert(updated);
    }

    private void Insert(CachedRegion region)
    {
        lock (_gate)
        {
            _regions.Add(region.Region.StartKey.ToByteArray(), region.Region.EndKey.ToByteArray(), region);
        }
    }
}
