using Cairn.Rpc.ImportSstpb;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ImportError = Cairn.Rpc.ImportSstpb.Error;
using RegionError = Cairn.Rpc.Errorpb.Error;

namespace Cairn.Store.Import;

/// <summary>
/// kvproto's <c>import_sstpb.ImportSST</c> service, the store side of restore: SwitchMode, Download, Ingest,
/// MultiIngest and SetDownloadSpeedLimit (the other RPCs of the proto answer UNIMPLEMENTED). Failures are answered
/// in the responses' error fields, as TiKV does, never as gRPC errors. Every call but SwitchMode(Normal) renews the
/// import-mode deadline. A store labelled <c>engine=tiflash</c> holds no restorable data and refuses Download and
/// Ingest.
/// </summary>
internal sealed partial class ImportSstService : ImportSST.ImportSSTBase
{
    private readonly SstDownloader _downloader;
    private readonly SstIngester _ingester;
    private readonly ImportModeSwitcher _mode;
    private readonly DownloadLimiter _limiter;
    private readonly string? _refusal;
    private readonly ILogger _logger;

    /// <summary>Creates the service; <paramref name="isTiFlash"/> makes it refuse data.</summary>
    public ImportSstService(SstDownloader downloader, SstIngester ingester, ImportModeSwitcher mode, DownloadLimiter limiter,
        ulong storeId, bool isTiFlash, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(downloader);
        ArgumentNullException.ThrowIfNull(ingester);
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(logger);
        _downloader = downloader;
        _ingester = ingester;
        _mode = mode;
        _limiter = limiter;
        _logger = logger;
        _refusal = isTiFlash
            ? $"store {storeId} is labelled engine=tiflash and takes no SST imports; restore to the TiKV stores (br skips TiFlash stores)"
            : null;
    }

    /// <inheritdoc/>
    public override Task<SwitchModeResponse> SwitchMode(SwitchModeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            _mode.Switch(request.Mode);
            if (request.Mode == Rpc.ImportSstpb.SwitchMode.Normal && _ingester.RemoveLeftovers() is > 0 and var removed)
            {
                Log.LeftoversRemoved(_logger, removed);
            }
        }
        catch (RocksDb.RocksDbException e)
        {
            throw new RpcException(new Status(Grpc.Core.StatusCode.Internal, $"cannot switch to {request.Mode} mode: {e.Message}"));
        }

        return Task.FromResult(new SwitchModeResponse());
    }

    /// <inheritdoc/>
    public override Task<SetDownloadSpeedLimitResponse> SetDownloadSpeedLimit(SetDownloadSpeedLimitRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        _mode.Renew();
        _limiter.SetLimit(request.SpeedLimit);
        Log.SpeedLimit(_logger, request.SpeedLimit);
        return Task.FromResult(new SetDownloadSpeedLimitResponse());
    }

    /// <inheritdoc/>
    public override async Task<DownloadResponse> Download(DownloadRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        _mode.Renew();
        if (_refusal is not null)
        {
            return new DownloadResponse { Error = new ImportError { Message = _refusal } };
        }

        try
        {
            var response = await _downloader.DownloadAsync(request, context.CancellationToken).ConfigureAwait(false);
            if (context.CancellationToken.IsCancellationRequested && request.Sst is not null)
            {
                // br stopped waiting (deadline or cancel) as the file was staged: nobody will ingest it.
                _ingester.DiscardStaged(request.Sst);
            }

            Log.Downloaded(_logger, request.Name, response.IsEmpty);
            return response;
        }
        catch (ImportException e)
        {
            Log.DownloadFailed(_logger, request.Name, e.Message);
            return new DownloadResponse { Error = new ImportError { Message = e.Message } };
        }
    }

    /// <inheritdoc/>
    public override Task<IngestResponse> Ingest(IngestRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(IngestCore(request.Context, request.Sst is null ? [] : [request.Sst]));
    }

    /// <inheritdoc/>
    public override Task<IngestResponse> MultiIngest(MultiIngestRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(IngestCore(request.Context, request.Ssts));
    }

    private IngestResponse IngestCore(Rpc.Kvrpcpb.Context? context, IReadOnlyList<SSTMeta> ssts)
    {
        _mode.Renew();
        if (_refusal is not null)
        {
            return new IngestResponse { Error = new RegionError { Message = _refusal } };
        }

        var response = _ingester.Ingest(context, ssts);
        if (response.Error is { } error)
        {
            Log.IngestRefused(_logger, context?.RegionId ?? 0, ssts.Count, error.Message);
        }
        else if (ssts.Count > 0)
        {
            Log.Ingested(_logger, context!.RegionId, ssts.Count);
        }

        return response;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2610, Level = LogLevel.Debug, Message = "Downloaded {Name} (empty after clipping: {IsEmpty})")]
        public static partial void Downloaded(ILogger logger, string name, bool isEmpty);

        [LoggerMessage(EventId = 2611, Level = LogLevel.Information, Message = "Download of {Name} failed: {Reason}")]
        public static partial void DownloadFailed(ILogger logger, string name, string reason);

        [LoggerMessage(EventId = 2612, Level = LogLevel.Debug, Message = "Ingested {Count} SSTs into region {RegionId}")]
        public static partial void Ingested(ILogger logger, ulong regionId, int count);

        [LoggerMessage(EventId = 2613, Level = LogLevel.Information, Message = "Ingest of {Count} SSTs into region {RegionId} refused: {Reason}")]
        public static partial void IngestRefused(ILogger logger, ulong regionId, int count, string reason);

        [LoggerMessage(EventId = 2615, Level = LogLevel.Information, Message = "Back to Normal mode: removed {Count} staged SSTs that no ingest will use (left by a restore that did not finish)")]
        public static partial void LeftoversRemoved(ILogger logger, int count);

        [LoggerMessage(EventId = 2614, Level = LogLevel.Information, Message = "Download speed limit set to {BytesPerSecond} bytes/s (0 = unlimited)")]
        public static partial void SpeedLimit(ILogger logger, ulong bytesPerSecond);
    }
}
