using Cairn.Pd.Cluster;
using Cairn.Pd.Gc;
using Cairn.Pd.Timestamps;
using Cairn.Rpc;
using Cairn.Rpc.Pdpb;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using RpcException = Cairn.Rpc.RpcException;
using StatusCode = Cairn.Rpc.StatusCode;

namespace Cairn.Pd.Api;

/// <summary>The <c>pdpb.PD</c> gRPC handlers. Every response header carries the cluster id; refusals are header errors.</summary>
internal sealed class PdGrpcService : PD.PDBase
{
    private readonly PdServer _server;
    private readonly PdCluster _cluster;
    private readonly TsoAllocator _tso;
    private readonly IdAllocator _ids;
    private readonly GcSafePointManager _gc;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly Lock _streamsLock = new();
    private readonly Dictionary<ulong, HeartbeatStream> _streams = [];

    public PdGrpcService(PdServer server, PdCluster cluster, TsoAllocator tso, IdAllocator ids, GcSafePointManager gc, ILogger logger, CancellationToken stopping)
    {
        _server = server;
        _cluster = cluster;
        _tso = tso;
        _ids = ids;
        _gc = gc;
        _logger = logger;
        _stopping = stopping;
    }

    private ulong ClusterId => _server.ClusterId;

    /// <inheritdoc/>
    public override Task<GetMembersResponse> GetMembers(GetMembersRequest request, ServerCallContext context) => Task.FromResult(GetMembers());

    /// <inheritdoc/>
    public override Task Tso(IAsyncStreamReader<TsoRequest> requestStream, IServerStreamWriter<TsoResponse> responseStream, ServerCallContext context)
        => TsoAsync(requestStream, responseStream, context);

    /// <inheritdoc/>
    public override Task<BootstrapResponse> Bootstrap(BootstrapRequest r, ServerCallContext context) => Run(r.Header, () =>
    {
        _cluster.Bootstrap(r.Store, r.Region);
        return new BootstrapResponse();
    }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<IsBootstrappedResponse> IsBootstrapped(IsBootstrappedRequest r, ServerCallContext context) => Run(r.Header,
        () => new IsBootstrappedResponse { Bootstrapped = _cluster.IsBootstrapped }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<AllocIDResponse> AllocID(AllocIDRequest r, ServerCallContext context) => Run(r.Header, () => new AllocIDResponse { Id = _ids.Allocate() }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<GetStoreResponse> GetStore(GetStoreRequest r, ServerCallContext context) => Run(r.Header, () =>
    {
        var (store, stats) = _cluster.GetStore(r.StoreId);
        return new GetStoreResponse { Store = store, Stats = stats };
    }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<PutStoreResponse> PutStore(PutStoreRequest r, ServerCallContext context) => Run(r.Header, () =>
    {
        _cluster.PutStore(r.Store);
        return new PutStoreResponse();
    }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<GetAllStoresResponse> GetAllStores(GetAllStoresRequest r, ServerCallContext context) => Run(r.Header, () =>
    {
        var response = new GetAllStoresResponse();
        response.Stores.AddRange(_cluster.GetAllStores(r.ExcludeTombstoneStores));
        return response;
    }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<StoreHeartbeatResponse> StoreHeartbeat(StoreHeartbeatRequest r, ServerCallContext context) => Run(r.Header, () =>
    {
        _cluster.StoreHeartbeat(r.Stats);
        return new StoreHeartbeatResponse { ClusterVersion = _server.Options.ClusterVersion };
    }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task RegionHeartbeat(IAsyncStreamReader<RegionHeartbeatRequest> requestStream, IServerStreamWriter<RegionHeartbeatResponse> responseStream, ServerCallContext context)
        => RegionHeartbeatAsync(requestStream, responseStream, context);

    /// <inheritdoc/>
    public override Task<GetRegionResponse> GetRegion(GetRegionRequest r, ServerCallContext context) => Run(r.Header, () => ToGetRegionResponse(_cluster.GetRegion(r.RegionKey.Span)), (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<GetRegionResponse> GetRegionByID(GetRegionByIDRequest r, ServerCallContext context) => Run(r.Header, () => ToGetRegionResponse(_cluster.GetRegionById(r.RegionId)), (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<ScanRegionsResponse> ScanRegions(ScanRegionsRequest r, ServerCallContext context) => Run(r.Header, () =>
    {
        var response = new ScanRegionsResponse();
        foreach (var region in _cluster.ScanRegions(r.StartKey.Span, r.EndKey.Span, r.Limit))
        {
            response.RegionMetas.Add(region.Region_);
            response.Leaders.Add(region.Leader ?? new Rpc.Metapb.Peer());
            response.Regions.Add(region);
        }

        return response;
    }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<AskBatchSplitResponse> AskBatchSplit(AskBatchSplitRequest r, ServerCallContext context) => Run(r.Header, () =>
    {
        var response = new AskBatchSplitResponse();
        response.Ids.AddRange(_cluster.AskBatchSplit(r.Region, r.SplitCount));
        return response;
    }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<ReportBatchSplitResponse> ReportBatchSplit(ReportBatchSplitRequest r, ServerCallContext context) => Run(r.Header, () =>
    {
        _cluster.ReportBatchSplit(r.Regions);
        return new ReportBatchSplitResponse();
    }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<ScatterRegionResponse> ScatterRegion(ScatterRegionRequest request, ServerCallContext context) => ScatterAsync(request, context);

    /// <inheritdoc/>
    public override Task<GetOperatorResponse> GetOperator(GetOperatorRequest r, ServerCallContext context) => Run(r.Header, () =>
    {
        var op = _cluster.GetOperator(r.RegionId) ?? throw new PdErrorException(ErrorType.RegionNotFound, "Not Found");
        return new GetOperatorResponse
        {
            RegionId = op.RegionId,
            Desc = Google.Protobuf.ByteString.CopyFromUtf8(op.Desc),
            Kind = Google.Protobuf.ByteString.CopyFromUtf8(op.Kind),
            Status = op.Status,
        };
    }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<GetGCSafePointResponse> GetGCSafePoint(GetGCSafePointRequest r, ServerCallContext context) => Run(r.Header, () => new GetGCSafePointResponse { SafePoint = _gc.GcSafePoint }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<UpdateGCSafePointResponse> UpdateGCSafePoint(UpdateGCSafePointRequest r, ServerCallContext context) => Run(r.Header,
        () => new UpdateGCSafePointResponse { NewSafePoint = _gc.UpdateGcSafePoint(r.SafePoint) }, (m, h) => m.Header = h);

    /// <inheritdoc/>
    public override Task<UpdateServiceGCSafePointResponse> UpdateServiceGCSafePoint(UpdateServiceGCSafePointRequest r, ServerCallContext context) => Run(r.Header, () =>
    {
        var min = _gc.UpdateServiceSafePoint(r.ServiceId.ToStringUtf8(), r.TTL, r.SafePoint);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new UpdateServiceGCSafePointResponse
        {
            ServiceId = Google.Protobuf.ByteString.CopyFromUtf8(min.ServiceId),
            TTL = min.ExpiresAtUnixSeconds == long.MaxValue ? long.MaxValue : Math.Max(0, min.ExpiresAtUnixSeconds - now),
            MinSafePoint = min.SafePoint,
        };
    }, (m, h) => m.Header = h);

    /// <summary>Sends instructions created by background work on the streams of the stores that must act.</summary>
    public async Task DispatchAsync(IReadOnlyList<(ulong StoreId, RegionHeartbeatResponse Instruction)> instructions)
    {
        foreach (var (storeId, instruction) in instructions)
        {
            HeartbeatStream? stream;
            lock (_streamsLock)
            {
                _streams.TryGetValue(storeId, out stream);
            }

            if (stream is null)
            {
                // Not connected now: the instruction is repeated on the region's next heartbeat.
                continue;
            }

            try
            {
                await stream.SendAsync(instruction).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or RpcException or InvalidOperationException)
            {
                PdLog.DispatchFailed(_logger, storeId, e);
            }
        }
    }

    private GetMembersResponse GetMembers()
    {
        var member = _server.Member;
        var response = new GetMembersResponse
        {
            Header = new ResponseHeader { ClusterId = ClusterId },
            Leader = member,
            EtcdLeader = member,
        };
        response.Members.Add(member);
        return response;
    }

    private async Task TsoAsync(IAsyncStreamReader<TsoRequest> requests, IServerStreamWriter<TsoResponse> writer, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _stopping);
        try
        {
            await foreach (var request in requests.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                var response = new TsoResponse { Header = new ResponseHeader { ClusterId = ClusterId } };
                try
                {
                    CheckCluster(request.Header);
                    var (physical, logical) = await _tso.AllocateAsync(request.Count, linked.Token).ConfigureAwait(false);
                    response.Count = request.Count;
                    response.Timestamp = new Timestamp { Physical = physical, Logical = logical };
                }
                catch (PdErrorException e)
                {
                    response.Header.Error = new Error { Type = e.Type, Message = e.Message };
                }

                await writer.WriteAsync(response, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(StatusCode.Unavailable, "pd is stopping");
        }
    }

    private async Task RegionHeartbeatAsync(
        IAsyncStreamReader<RegionHeartbeatRequest> requests, IServerStreamWriter<RegionHeartbeatResponse> writer, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _stopping);
        using var stream = new HeartbeatStream(writer, linked.Token);
        ulong storeId = 0;
        try
        {
            await foreach (var request in requests.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                RegionHeartbeatResponse? reply;
                try
                {
                    CheckCluster(request.Header);
                    if (request.Leader is { StoreId: > 0 } leader && leader.StoreId != storeId)
                    {
                        lock (_streamsLock)
                        {
                            if (storeId != 0 && _streams.GetValueOrDefault(storeId) == stream)
                            {
                                _streams.Remove(storeId);
                            }

                            storeId = leader.StoreId;
                            _streams[storeId] = stream;
                        }
                    }

                    reply = _cluster.RegionHeartbeat(request, ClusterId);
                }
                catch (PdErrorException e)
                {
                    reply = new RegionHeartbeatResponse
                    {
                        Header = new ResponseHeader { ClusterId = ClusterId, Error = new Error { Type = e.Type, Message = e.Message } },
                        RegionId = request.Region?.Id ?? 0,
                    };
                }

                if (reply is not null)
                {
                    await stream.SendAsync(reply).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(StatusCode.Unavailable, "pd is stopping");
        }
        finally
        {
            lock (_streamsLock)
            {
                if (storeId != 0 && _streams.GetValueOrDefault(storeId) == stream)
                {
                    _streams.Remove(storeId);
                }
            }
        }
    }

    private async Task<ScatterRegionResponse> ScatterAsync(ScatterRegionRequest request, ServerCallContext context)
    {
        List<(ulong StoreId, RegionHeartbeatResponse Instruction)> dispatch = [];
        var response = await Run(request.Header, () =>
        {
            IReadOnlyList<ulong> ids = request.RegionsId.Count > 0 ? request.RegionsId
                : request.RegionId != 0 ? [request.RegionId]
                : request.Region is { Id: > 0 } r ? [r.Id]
                : throw new PdErrorException(ErrorType.InvalidValue, "scatter needs region ids");
            var (percentage, failed, created) = _cluster.Scatter(ids, request.Region, request.Leader, request.Group, ClusterId);
            dispatch = created;
            var result = new ScatterRegionResponse { FinishedPercentage = percentage };
            result.FailedRegionsId.AddRange(failed);
            return result;
        }, (m, h) => m.Header = h).ConfigureAwait(false);
        await DispatchAsync(dispatch).ConfigureAwait(false);
        return response;
    }

    private static GetRegionResponse ToGetRegionResponse(Region? region)
    {
        var response = new GetRegionResponse();
        if (region is not null)
        {
            response.Region = region.Region_;
            response.Leader = region.Leader;
            response.DownPeers.AddRange(region.DownPeers);
            response.PendingPeers.AddRange(region.PendingPeers);
        }

        return response;
    }

    private void CheckCluster(RequestHeader? header)
    {
        var requested = header?.ClusterId ?? 0;
        if (requested != ClusterId)
        {
            throw new PdErrorException(ErrorType.Unknown, $"mismatch cluster id, need {ClusterId} but got {requested}");
        }
    }

    private Task<T> Run<T>(RequestHeader? header, Func<T> body, Action<T, ResponseHeader> setHeader)
        where T : new()
    {
        var responseHeader = new ResponseHeader { ClusterId = ClusterId };
        T response;
        try
        {
            CheckCluster(header);
            response = body();
        }
        catch (PdErrorException e)
        {
            response = new T();
            responseHeader.Error = new Error { Type = e.Type, Message = e.Message };
        }

        setHeader(response, responseHeader);
        return Task.FromResult(response);
    }
}
