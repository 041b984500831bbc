using System.Net;
using Cairn.Common.Errors;
using Cairn.Rpc;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;
using Google.Protobuf;
using Region = Cairn.Rpc.Metapb.Region;

namespace Cairn.Pd.Client;

/// <summary>
/// A client of the placement driver. It finds the leader through GetMembers on the given addresses, learns the
/// cluster id and sends it in every request header, merges concurrent timestamp requests into one TSO round trip,
/// and reconnects (retrying within <see cref="PdClientOptions.RetryTimeout"/>) when pd restarts or the leader moves.
/// Safe for concurrent use.
/// </summary>
public sealed class PdClient : IAsyncDisposable
{
    private readonly string[] _addresses;
    private readonly SemaphoreSlim _discovery = new(1, 1);
    private readonly Lock _channelsLock = new();
    private readonly Dictionary<string, RpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly TsoDispatcher _tso;
    private volatile LeaderConnection? _leader;
    private int _disposed;

    private PdClient(string[] addresses, PdClientOptions options)
    {
        _addresses = addresses;
        Options = options;
        _tso = new TsoDispatcher(this);
    }

    /// <summary>The client's settings.</summary>
    public PdClientOptions Options { get; }

    /// <summary>The cluster id learned from pd at connect time.</summary>
    public ulong ClusterId { get; private set; }

    /// <summary>The address of the pd leader in use (e.g. <c>http://127.0.0.1:2379</c>), or null while reconnecting.</summary>
    public string? LeaderAddress => _leader?.Address;

    /// <summary>
    /// The client's shared channel to the pd at <paramref name="address"/> (e.g. <see cref="LeaderAddress"/>), for
    /// streams the client does not run itself. The client closes it when it finds the address failing.
    /// </summary>
    public RpcChannel GetChannel(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        return Channel(address);
    }

    /// <summary>Connects to the first reachable pd among <paramref name="addresses"/> and finds the leader.</summary>
    /// <exception cref="PdException">No pd answered within the retry timeout.</exception>
    public static async Task<PdClient> ConnectAsync(IEnumerable<string> addresses, PdClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        options ??= new PdClientOptions();
        options.Validate();
        var tls = options.Tls is not null;
        var list = addresses.Select(a => Normalize(a, tls)).Distinct(StringComparer.Ordinal).ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("At least one pd address is required.", nameof(addresses));
        }

        var client = new PdClient(list, options);
        try
        {
            var deadline = DateTime.UtcNow + options.RetryTimeout;
            while (true)
            {
                try
                {
                    await client.GetLeaderAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (PdException e) when (e.IsTransient && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(options.RetryInterval, cancellationToken).ConfigureAwait(false);
                }
            }

            client._tso.Start();
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A fresh timestamp. Concurrent callers share one TSO round trip and each gets a distinct value; a caller's
    /// successive calls get increasing values.
    /// </summary>
    public Task<ulong> GetTimestampAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _tso.GetAsync(cancellationToken);
    }

    /// <summary>A new cluster-unique id.</summary>
    public async Task<ulong> AllocIdAsync(CancellationToken cancellationToken = default) =>
        (await CallAsync("AllocID", static (c, r, o) => c.AllocIDAsync(r, o), h => new AllocIDRequest { Header = h }, r => r.Header, cancellationToken).ConfigureAwait(false)).Id;

    /// <summary>Whether the cluster has been bootstrapped.</summary>
    public async Task<bool> IsBootstrappedAsync(CancellationToken cancellationToken = default) =>
        (await CallAsync("IsBootstrapped", static (c, r, o) => c.IsBootstrappedAsync(r, o), h => new IsBootstrappedRequest { Header = h }, r => r.Header, cancellationToken).ConfigureAwait(false)).Bootstrapped;

    /// <summary>Bootstraps the cluster with its first store and a region covering the whole key space.</summary>
    public Task BootstrapAsync(Store store, Region region, CancellationToken cancellationToken = default) =>
        CallAsync("Bootstrap", static (c, r, o) => c.BootstrapAsync(r, o), h => new BootstrapRequest { Header = h, Store = store, Region = region }, r => r.Header, cancellationToken);

    /// <summary>Registers a store or updates its address, labels and version.</summary>
    public Task PutStoreAsync(Store store, CancellationToken cancellationToken = default) =>
        CallAsync("PutStore", static (c, r, o) => c.PutStoreAsync(r, o), h => new PutStoreRequest { Header = h, Store = store }, r => r.Header, cancellationToken);

    /// <summary>Reports a store's stats (the store side's periodic heartbeat); returns the cluster version pd reports.</summary>
    public async Task<string> StoreHeartbeatAsync(StoreStats stats, CancellationToken cancellationToken = default) =>
        (await CallAsync("StoreHeartbeat", static (c, r, o) => c.StoreHeartbeatAsync(r, o), h => new StoreHeartbeatRequest { Header = h, Stats = stats }, r => r.Header, cancellationToken)
            .ConfigureAwait(false)).ClusterVersion;

    /// <summary>A store's metadata (state, address, labels); fails with <see cref="PdException"/> if pd does not know it.</summary>
    public async Task<Store> GetStoreAsync(ulong storeId, CancellationToken cancellationToken = default) =>
        (await CallAsync("GetStore", static (c, r, o) => c.GetStoreAsync(r, o), h => new GetStoreRequest { Header = h, StoreId = storeId }, r => r.Header, cancellationToken).ConfigureAwait(false)).Store;

    /// <summary>Every store, without tombstones unless <paramref name="excludeTombstones"/> is false.</summary>
    public async Task<IReadOnlyList<Store>> GetAllStoresAsync(bool excludeTombstones = true, CancellationToken cancellationToken = default) =>
        (await CallAsync("GetAllStores", static (c, r, o) => c.GetAllStoresAsync(r, o), h => new GetAllStoresRequest { Header = h, ExcludeTombstoneStores = excludeTombstones }, r => r.Header, cancellationToken)
            .ConfigureAwait(false)).Stores;

    /// <summary>The region containing the encoded key <paramref name="encodedKey"/>, or null when pd knows none.</summary>
    public async Task<PdRegion?> GetRegionAsync(ReadOnlyMemory<byte> encodedKey, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("GetRegion", static (c, r, o) => c.GetRegionAsync(r, o),
            h => new GetRegionRequest { Header = h, RegionKey = ByteString.CopyFrom(encodedKey.Span) }, r => r.Header, cancellationToken).ConfigureAwait(false);
        return ToRegion(response);
    }

    /// <summary>The region with id <paramref name="regionId"/>, or null when pd knows none.</summary>
    public async Task<PdRegion?> GetRegionByIdAsync(ulong regionId, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("GetRegionByID", static (c, r, o) => c.GetRegionByIDAsync(r, o), h => new GetRegionByIDRequest { Header = h, RegionId = regionId }, r => r.Header, cancellationToken)
            .ConfigureAwait(false);
        return ToRegion(response);
    }

    /// <summary>
    /// Regions intersecting the encoded range <c>[startKey, endKey)</c> (empty end = +infinity) in key order, at most
    /// <paramref name="limit"/> (≤ 0 = all).
    /// </summary>
    public async Task<IReadOnlyList<PdRegion>> ScanRegionsAsync(
        ReadOnlyMemory<byte> startKey, ReadOnlyMemory<byte> endKey, int limit, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("ScanRegions", static (c, r, o) => c.ScanRegionsAsync(r, o), h => new ScanRegionsRequest
        {
            Header = h,
            StartKey = ByteString.CopyFrom(startKey.Span),
            EndKey = ByteString.CopyFrom(endKey.Span),
            Limit = limit,
        }, r => r.Header, cancellationToken).ConfigureAwait(false);
        if (response.Regions.Count > 0)
        {
            return response.Regions.Select(r => new PdRegion(r.Region_, r.Leader, r.DownPeers, r.PendingPeers)).ToList();
        }

        // An older pd fills only the parallel lists.
        return response.RegionMetas.Select((r, i) => new PdRegion(r, i < response.Leaders.Count && response.Leaders[i].Id != 0 ? response.Leaders[i] : null, [], []))
            .ToList();
    }

    /// <summary>New region and peer ids for splitting <paramref name="region"/> at <paramref name="splitCount"/> keys.</summary>
    public async Task<IReadOnlyList<SplitID>> AskBatchSplitAsync(Region region, uint splitCount, CancellationToken cancellationToken = default) =>
        (await CallAsync("AskBatchSplit", static (c, r, o) => c.AskBatchSplitAsync(r, o), h => new AskBatchSplitRequest { Header = h, Region = region, SplitCount = splitCount }, r => r.Header, cancellationToken)
            .ConfigureAwait(false)).Ids;

    /// <summary>Reports the regions a split produced (the original included).</summary>
    public Task ReportBatchSplitAsync(IEnumerable<Region> regions, CancellationToken cancellationToken = default) =>
        CallAsync("ReportBatchSplit", static (c, r, o) => c.ReportBatchSplitAsync(r, o), h => new ReportBatchSplitRequest { Header = h, Regions = { regions } }, r => r.Header, cancellationToken);

    /// <summary>Asks pd to spread <paramref name="regionIds"/> over the stores (as one group when <paramref name="group"/> is set).</summary>
    public async Task<ScatterResult> ScatterRegionsAsync(IReadOnlyList<ulong> regionIds, string group = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(regionIds);
        var response = await CallAsync("ScatterRegion", static (c, r, o) => c.ScatterRegionAsync(r, o),
            h => new ScatterRegionRequest { Header = h, RegionsId = { regionIds }, Group = group ?? "" }, r => r.Header, cancellationToken).ConfigureAwait(false);
        return new ScatterResult(response.FinishedPercentage, response.FailedRegionsId);
    }

    /// <summary>The region's running or last operator; null when it has none.</summary>
    public async Task<PdOperator?> GetOperatorAsync(ulong regionId, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await CallAsync("GetOperator", static (c, r, o) => c.GetOperatorAsync(r, o), h => new GetOperatorRequest { Header = h, RegionId = regionId }, r => r.Header, cancellationToken)
                .ConfigureAwait(false);
            return new PdOperator(response.RegionId, response.Desc.ToStringUtf8(), response.Status, response.Kind.ToStringUtf8());
        }
        catch (PdException e) when (e.ErrorType == ErrorType.RegionNotFound)
        {
            return null;
        }
    }

    /// <summary>The current GC safepoint.</summary>
    public async Task<ulong> GetGcSafePointAsync(CancellationToken cancellationToken = default) =>
        (await CallAsync("GetGCSafePoint", static (c, r, o) => c.GetGCSafePointAsync(r, o), h => new GetGCSafePointRequest { Header = h }, r => r.Header, cancellationToken).ConfigureAwait(false)).SafePoint;

    /// <summary>Raises the GC safepoint (it never goes down; 0 just reads it) and returns the current value.</summary>
    public async Task<ulong> UpdateGcSafePointAsync(ulong safePoint, CancellationToken cancellationToken = default) =>
        (await CallAsync("UpdateGCSafePoint", static (c, r, o) => c.UpdateGCSafePointAsync(r, o), h => new UpdateGCSafePointRequest { Header = h, SafePoint = safePoint }, r => r.Header, cancellationToken)
            .ConfigureAwait(false)).NewSafePoint;

    /// <summary>
    /// Sets or refreshes a service safepoint for <paramref name="ttlSeconds"/> (≤ 0 removes it) and returns the
    /// smallest live one.
    /// </summary>
    public async Task<ServiceSafePointResult> UpdateServiceGcSafePointAsync(
        string serviceId, long ttlSeconds, ulong safePoint, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        var response = await CallAsync("UpdateServiceGCSafePoint", static (c, r, o) => c.UpdateServiceGCSafePointAsync(r, o), h => new UpdateServiceGCSafePointRequest
        {
            Header = h,
            ServiceId = ByteString.CopyFromUtf8(serviceId),
            TTL = ttlSeconds,
            SafePoint = safePoint,
        }, r => r.Header, cancellationToken).ConfigureAwait(false);
        return new ServiceSafePointResult(response.ServiceId.ToStringUtf8(), response.TTL, response.MinSafePoint);
    }

    /// <summary>Stops the TSO stream and closes the connections; pending calls fail.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _tso.DisposeAsync().ConfigureAwait(false);
        lock (_channelsLock)
        {
            foreach (var channel in _channels.Values)
            {
                channel.Dispose();
            }

            _channels.Clear();
        }

        _discovery.Dispose();
    }

    /// <summary>TSO round trips made so far; fewer than timestamps handed out when callers were batched.</summary>
    internal long TsoRoundTrips => _tso.RoundTrips;

    /// <summary>The leader connection, discovering it when unknown.</summary>
    internal async Task<LeaderConnection> GetLeaderAsync(CancellationToken cancellationToken)
    {
        if (_leader is { } known)
        {
            return known;
        }

        await _discovery.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_leader is { } found)
            {
                return found;
            }

            Exception? last = null;
            string? lastAddress = null;
            foreach (var address in _addresses)
            {
                try
                {
                    var members = await Channel(address).Pd.GetMembersAsync(new GetMembersRequest(), RpcChannel.CallOptions(new RpcCallOptions { Timeout = Options.RequestTimeout }, cancellationToken)).ResponseAsync.ConfigureAwait(false);
                    if (members.Header?.Error is { } error && error.Type != ErrorType.Ok)
                    {
                        throw new PdException("GetMembers", address, error.Type, error.Message, isTransient: true);
                    }

                    var clusterId = members.Header?.ClusterId ?? 0;
                    if (ClusterId != 0 && clusterId != ClusterId)
                    {
                        throw new PdException("GetMembers", address, null,
                            $"cluster id changed from {ClusterId} to {clusterId}: this address now serves another cluster", isTransient: false);
                    }

                    ClusterId = clusterId;
                    var leaderAddress = LeaderAddressOf(members, address);
                    var connection = new LeaderConnection(leaderAddress, Channel(leaderAddress), clusterId);
                    _leader = connection;
                    return connection;
                }
                catch (RpcException e) when (e.Status is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
                {
                    // TLS refused (by us or by pd): retrying cannot help, and the message already says what to fix.
                    ResetChannel(address);
                    throw new PdException("GetMembers", address, null, e.Detail, isTransient: false, e);
                }
                catch (RpcException e)
                {
                    last = e;
                    lastAddress = address;
                    ResetChannel(address);
                    if (Options.Tls is not null && PdTlsMismatch.ClosedAfterHandshake(e))
                    {
                        throw new PdException("GetMembers", address, null, PdTlsMismatch.RefusedMessage(address), isTransient: false, e);
                    }

                    if (Options.Tls is null && e.Status is StatusCode.Unavailable or StatusCode.Internal
                        && await PdTlsMismatch.SpeaksTlsAsync(address, cancellationToken).ConfigureAwait(false))
                    {
                        throw new PdException("GetMembers", address, null, PdTlsMismatch.Message(address), isTransient: false, e);
                    }
                }
                catch (HttpRequestException e)
                {
                    last = e;
                    lastAddress = address;
                    ResetChannel(address);
                }
                catch (PdException e) when (e.IsTransient)
                {
                    last = e;
                    lastAddress = address;
                }
            }

            throw new PdException("GetMembers", lastAddress, null,
                $"no pd among {string.Join(", ", _addresses)} answered: {last?.Message}", isTransient: true, last);
        }
        finally
        {
            _discovery.Release();
        }
    }

    /// <summary>Forgets <paramref name="connection"/> (it failed) so the next call rediscovers the leader.</summary>
    internal void Invalidate(LeaderConnection connection)
    {
        if (Interlocked.CompareExchange(ref _leader, null, connection) == connection)
        {
            ResetChannel(connection.Address);
        }
    }

    private static bool IsTransient(RpcException e) =>
        e.IsTransient || e.Status is StatusCode.Unknown or StatusCode.Internal or StatusCode.Cancelled;

    // A given address must agree with the TLS setting (RpcChannel.ParseAddress says what is wrong otherwise).
    private static string Normalize(string address, bool tls)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        return RpcChannel.ParseAddress(address.Trim(), tls).GetLeftPart(UriPartial.Authority);
    }

    private string LeaderAddressOf(GetMembersResponse members, string answeredBy)
    {
        var url = members.Leader?.ClientUrls.FirstOrDefault();
        if (string.IsNullOrEmpty(url))
        {
            return answeredBy;
        }

        // The scheme follows our own TLS setting, not what pd advertises: only host and port are taken.
        var advertised = new Uri(url.Contains("://", StringComparison.Ordinal) ? url : "http://" + url);
        var normalized = Normalize(advertised.Authority, Options.Tls is not null);
        // A pd listening on 0.0.0.0 advertises an address nobody can dial; the one that answered works.
        var host = new Uri(normalized).Host.Trim('[', ']');
        return IPAddress.TryParse(host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)) ? answeredBy : normalized;
    }

    private static PdRegion? ToRegion(GetRegionResponse response) =>
        response.Region is null ? null : new PdRegion(response.Region, response.Leader, response.DownPeers, response.PendingPeers);

    private RpcChannel Channel(string address)
    {
        lock (_channelsLock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (!_channels.TryGetValue(address, out var channel))
            {
                channel = new RpcChannel(address, new RpcChannelOptions { Tls = Options.Tls });
                _channels[address] = channel;
            }

            return channel;
        }
    }

    /// <summary>Drops a channel whose connection failed, so the next call dials afresh.</summary>
    private void ResetChannel(string address)
    {
        RpcChannel? old;
        lock (_channelsLock)
        {
            if (!_channels.Remove(address, out old))
            {
                return;
            }
        }

        // Calls still using it fail and retry on the new channel.
        old.Dispose();
    }

    private async Task<TResponse> CallAsync<TRequest, TResponse>(
        string operation, Func<PD.PDClient, TRequest, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<TResponse>> call, Func<RequestHeader, TRequest> build, Func<TResponse, ResponseHeader?> header, CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var deadline = DateTime.UtcNow + Options.RetryTimeout;
        while (true)
        {
            LeaderConnection? leader = null;
            try
            {
                leader = await GetLeaderAsync(cancellationToken).ConfigureAwait(false);
                var request = build(new RequestHeader { ClusterId = leader.ClusterId });
                var response = await call(leader.Channel.Pd, request, RpcChannel.CallOptions(new RpcCallOptions { Timeout = Options.RequestTimeout }, cancellationToken))
                    .ResponseAsync.ConfigureAwait(false);
                if (header(response)?.Error is { } error && error.Type != ErrorType.Ok)
                {
                    throw new PdException(operation, leader.Address, error.Type, error.Message, isTransient: false);
                }

                return response;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsRetryable(e))
            {
                if (leader is not null)
                {
                    Invalidate(leader);
                }

                if (DateTime.UtcNow >= deadline)
                {
                    throw e as PdException ?? new PdException(operation, leader?.Address, null, e.Message, isTransient: true, e);
                }

                await Task.Delay(Options.RetryInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsRetryable(Exception e) => e switch
    {
        RpcException r => IsTransient(r),
        // A leader connection disposed under the call was replaced: the next attempt finds the new one.
        ObjectDisposedException => true,
        _ => Transience.IsTransient(e),
    };
}
