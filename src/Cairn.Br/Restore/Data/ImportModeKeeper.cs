using Cairn.Br.Cluster;
using Cairn.Rpc;
using Cairn.Rpc.ImportSstpb;
using Cairn.Rpc.Metapb;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Restore.Data;

/// <summary>
/// Keeps every Up, non-TiFlash store in import mode while a restore runs (br-spec §d.12): SwitchMode(Import) at the
/// start and again every interval, SwitchMode(Normal) at the end whatever happened. A store that never hears the
/// end (br killed) falls back to normal by its own TTL.
/// </summary>
internal sealed class ImportModeKeeper : IAsyncDisposable
{
    private static readonly TimeSpan NormalBound = TimeSpan.FromSeconds(10);
    private readonly ClusterConnection _cluster;
    private readonly TimeSpan _callTimeout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _renewal;

    private ImportModeKeeper(ClusterConnection cluster, TimeSpan callTimeout, ILogger logger)
    {
        _cluster = cluster;
        _callTimeout = callTimeout;
        _logger = logger;
    }

    /// <summary>Switches the stores to import mode and starts renewing it every <paramref name="interval"/>.</summary>
    public static async Task<ImportModeKeeper> StartAsync(ClusterConnection cluster, TimeSpan interval, TimeSpan callTimeout, ILogger logger, CancellationToken cancellationToken)
    {
        var keeper = new ImportModeKeeper(cluster, callTimeout, logger);
        await keeper.SwitchAllAsync(SwitchMode.Import, cancellationToken).ConfigureAwait(false);
        keeper._renewal = keeper.RenewAsync(interval, keeper._stop.Token);
        return keeper;
    }

    /// <summary>The stores data may be sent to: Up and not TiFlash.</summary>
    public static async Task<IReadOnlyList<Store>> TargetsAsync(ClusterConnection cluster, CancellationToken cancellationToken) =>
        StoreSelection.BackupTargets(await cluster.Pd.GetAllStoresAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>Stops renewing and switches every store back to normal mode, within a bound of its own.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_renewal is not null)
        {
            try
            {
                await _renewal.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        using var bound = new CancellationTokenSource(NormalBound);
        try
        {
            await SwitchAllAsync(SwitchMode.Normal, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or Pd.Client.PdException or RpcException)
        {
            DataRestoreLog.NormalModeFailed(_logger, "all stores", e.Message);
        }

        _stop.Dispose();
    }

    private async Task RenewAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await SwitchAllAsync(SwitchMode.Import, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Pd.Client.PdException or RpcException)
            {
                DataRestoreLog.ImportModeFailed(_logger, "all stores", e.Message);
            }
        }
    }

    private async Task SwitchAllAsync(SwitchMode mode, CancellationToken cancellationToken)
    {
        var stores = await TargetsAsync(_cluster, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(stores.Select(s => SwitchAsync(s, mode, cancellationToken))).ConfigureAwait(false);
        DataRestoreLog.ModeSwitched(_logger, mode.ToString(), stores.Count);
    }

    private async Task SwitchAsync(Store store, SwitchMode mode, CancellationToken cancellationToken)
    {
        try
        {
            await _cluster.StoreChannel(store).ImportSst.SwitchModeAsync(new SwitchModeRequest { Mode = mode },
                RpcChannel.CallOptions(new RpcCallOptions { Timeout = mode == SwitchMode.Normal && NormalBound < _callTimeout ? NormalBound : _callTimeout }, cancellationToken)).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            // A store that missed the switch still restores (only slower), and falls back to normal by its TTL.
            if (mode == SwitchMode.Normal)
            {
                DataRestoreLog.NormalModeFailed(_logger, $"store {store.Id} ({store.Address})", e.Detail);
            }
            else
            {
                DataRestoreLog.ImportModeFailed(_logger, $"store {store.Id} ({store.Address})", e.Detail);
            }
        }
    }
}
