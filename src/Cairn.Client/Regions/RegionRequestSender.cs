using System.Diagnostics;
using Cairn.Common.Errors;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Tikvpb;
using Google.Protobuf;
using RegionError = Cairn.Rpc.Errorpb.Error;

namespace Cairn.Client.Regions;

/// <summary>
/// The client's one "locate the region, send, handle the region error, back off" loop, for any request bound to a
/// region: KV reads and writes, raw calls, coprocessor, splits, and (through the generic overloads) backup and
/// import calls on other services. Region errors correct the <see cref="RegionCache"/> (NotLeader switches the
/// leader, EpochNotMatch installs the regions it carries, RegionNotFound, KeyNotInRegion and StoreNotMatch drop the
/// entry, ServerIsBusy keeps it and waits at least what the store asked for); a store that cannot be reached is
/// dropped with its address. Every wait and every failed attempt is taken from the operation's one
/// <see cref="Backoffer"/>, so an operation fails once its budget is spent, wherever the time went. Safe for
/// concurrent use.
/// </summary>
public sealed class RegionRequestSender
{
    private readonly RegionCache _cache;
    private readonly RpcCallOptions _callOptions;

    /// <summary>Creates a sender over <paramref name="cache"/>; tikv calls get the cache's request timeout.</summary>
    public RegionRequestSender(RegionCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _cache = cache;
        _callOptions = new RpcCallOptions { Timeout = cache.Options.RequestTimeout };
    }

    /// <summary>
    /// Sends to the region holding <paramref name="regionKey"/> (region key form) until it answers without region
    /// error: each attempt locates the region afresh, so a split or move between attempts is followed.
    /// </summary>
    /// <param name="regionKey">The key that picks the region (encoded for txn data, raw for raw data).</param>
    /// <param name="method">The call's name, for messages.</param>
    /// <param name="send">Sends one attempt to the region it is given, with the caller's token.</param>
    /// <param name="regionErrorOf">The response's region error, or null.</param>
    /// <param name="backoffer">The operation's budget.</param>
    /// <param name="what">What the operation is for, in messages (key, range, table).</param>
    /// <param name="cancellationToken">Cancels the whole loop.</param>
    /// <exception cref="RegionUnavailableException">The budget ran out.</exception>
    /// <exception cref="ClientException">The store refused the call for good (a non-transient failure).</exception>
    public async Task<RegionResponse<TResponse>> SendToRegionKeyAsync<TResponse>(byte[] regionKey, string method,
        Func<CachedRegion, CancellationToken, Task<TResponse>> send, Func<TResponse, RegionError?> regionErrorOf,
        Backoffer backoffer, string what, CancellationToken cancellationToken)
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(regionKey);
        while (true)
        {
            var region = await _cache.LocateRegionKeyAsync(regionKey, backoffer, cancellationToken).ConfigureAwait(false);
            if (await SendOnceAsync(region, method, send, regionErrorOf, backoffer, what, cancellationToken).ConfigureAwait(false) is { } response)
            {
                return new RegionResponse<TResponse>(region, response);
            }
        }
    }

    /// <summary>
    /// <see cref="SendToRegionKeyAsync{TResponse}"/> for a tikv call to the leader of the region holding user key
    /// <paramref name="userKey"/>: <paramref name="build"/> gets the region's request context.
    /// </summary>
    public Task<RegionResponse<TResponse>> SendToKeyAsync<TRequest, TResponse>(ReadOnlyMemory<byte> userKey, KeyMode mode, string method,
        Func<Tikv.TikvClient, TRequest, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<TResponse>> call, Func<Context, TRequest> build,
        Func<TResponse, RegionError?> regionErrorOf, Backoffer backoffer, string what, CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(build);
        return SendToRegionKeyAsync(RegionCache.ToRegionKey(userKey.Span, mode), method, (region, token) => CallLeaderAsync(region, call, build, token),
            regionErrorOf, backoffer, what, cancellationToken);
    }

    /// <summary>
    /// One attempt at <paramref name="region"/>. Returns the response, or null after a region error or a store
    /// failure that was handled (cache corrected, backoff taken): the caller then re-locates what it was sending
    /// (its keys or range may now span other regions) and tries again.
    /// </summary>
    /// <exception cref="RegionUnavailableException">The budget ran out.</exception>
    /// <exception cref="ClientException">The store refused the call for good (a non-transient failure).</exception>
    public async Task<TResponse?> SendOnceAsync<TResponse>(CachedRegion region, string method,
        Func<CachedRegion, CancellationToken, Task<TResponse>> send, Func<TResponse, RegionError?> regionErrorOf,
        Backoffer backoffer, string what, CancellationToken cancellationToken)
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(regionErrorOf);
        ArgumentNullException.ThrowIfNull(backoffer);
        TResponse response;
        var started = Stopwatch.GetTimestamp();
        try
        {
            response = await send(region, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not ClientException)
        {
            // A store that timed out used up time of the operation's budget, not only the backoff after it.
            backoffer.Charge(Stopwatch.GetElapsedTime(started));
            if (!Transience.IsTransient(e, cancellationToken))
            {
                if (e is RpcException)
                {
                    throw new ClientException($"{method} for {what} on {region} failed: {e.Message}", isRetryable: false, e);
                }

                throw;
            }

            _cache.OnStoreFailure(region);
            await backoffer.BackoffAsync(BackoffKind.StoreUnreachable, $"{what} on {region}", $"{method}: {e.Message}", cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (regionErrorOf(response) is { } error)
        {
            var kind = _cache.OnRegionError(region, error);
            var minimum = error.ServerIsBusy is { BackoffMs: > 0 } busy ? TimeSpan.FromMilliseconds(busy.BackoffMs) : default;
            await backoffer.BackoffAsync(kind, $"{what} on {region}", $"{method}: {RegionCache.Describe(error)}", cancellationToken, minimum).ConfigureAwait(false);
            return null;
        }

        return response;
    }

    /// <summary><see cref="SendOnceAsync{TResponse}"/> for a tikv call to <paramref name="region"/>'s leader.</summary>
    public Task<TResponse?> SendOnceAsync<TRequest, TResponse>(CachedRegion region, string method,
        Func<Tikv.TikvClient, TRequest, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<TResponse>> call, Func<Context, TRequest> build,
        Func<TResponse, RegionError?> regionErrorOf, Backoffer backoffer, string what, CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(build);
        return SendOnceAsync(region, method, (r, token) => CallLeaderAsync(r, call, build, token), regionErrorOf, backoffer, what, cancellationToken);
    }

    private Task<TResponse> CallLeaderAsync<TRequest, TResponse>(CachedRegion region,
        Func<Tikv.TikvClient, TRequest, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<TResponse>> call, Func<Context, TRequest> build,
        CancellationToken cancellationToken) =>
        call(_cache.GetChannel(region.StoreAddress).Tikv, build(region.ToContext()), RpcChannel.CallOptions(_callOptions, cancellationToken)).ResponseAsync;
}
