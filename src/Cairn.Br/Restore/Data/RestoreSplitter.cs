using System.Diagnostics;
using Cairn.Client;
using Cairn.Client.Regions;
using Cairn.Common.Keys;
using Cairn.Pd.Client;
using Cairn.Rpc;
using Cairn.Rpc.Pdpb;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Restore.Data;

/// <summary>
/// Split and scatter before the import (br-spec §d.11): the regions holding the ranges are split at the ranges'
/// boundaries (not where a piece would hold nothing, see <see cref="SplitKeyChooser"/>), pd scatters the new regions
/// and the restore waits, bounded, for the scatter operators to finish.
/// </summary>
internal sealed class RestoreSplitter(RegionCache cache, KeyMode mode, TimeSpan scatterWait, ILogger logger)
{
    /// <summary>Splits for <paramref name="ranges"/> and scatters the new regions; returns the ids of the regions scattered.</summary>
    /// <exception cref="BrException">A split failed (ErrRestoreSplitFailed).</exception>
    public async Task<IReadOnlyList<ulong>> SplitAndScatterAsync(IReadOnlyList<RestoreRange> ranges, CancellationToken cancellationToken)
    {
        var data = ranges.Where(r => !r.IsEmpty).ToList();
        var candidates = new List<byte[]>();
        foreach (var table in data.GroupBy(r => r.Table))
        {
            var inTable = table.ToList();
            for (var i = 0; i < inTable.Count; i++)
            {
                // A table's outer boundaries are its own prefix and the next table's, as TiDB splits tables, so the
                // table's regions hold nothing but its data and no piece of its key space is left empty.
                var own = mode == KeyMode.Txn && table.Key is not null;
                candidates.Add(own && i == 0 ? TableCodec.TablePrefix(table.Key!.NewPhysicalId) : inTable[i].Start);
                var end = own && i == inTable.Count - 1 ? TableCodec.TablePrefix(table.Key!.NewPhysicalId + 1) : inTable[i].End;
                if (end.Length > 0)
                {
                    candidates.Add(end);
                }
            }
        }

        if (candidates.Count == 0)
        {
            return [];
        }

        var empty = new EmptyPieces(data, mode);
        var chosen = new List<byte[]>();
        try
        {
            var backoffer = new Backoffer(cache.Options.WriteBudget);
            foreach (var group in await cache.GroupKeysByRegionAsync(candidates.Distinct(ByteKeyComparer.Instance), mode, backoffer, cancellationToken).ConfigureAwait(false))
            {
                var keys = group.Keys.Select(k => RegionCache.ToRegionKey(k, mode)).ToList();
                var kept = SplitKeyChooser.Choose(group.Region.Region.StartKey.ToByteArray(), group.Region.Region.EndKey.ToByteArray(), keys, empty.IsEmpty);
                var keptSet = kept.ToHashSet(ByteKeyComparer.Instance);
                chosen.AddRange(group.Keys.Where(k => keptSet.Contains(RegionCache.ToRegionKey(k, mode))));
            }

            if (chosen.Count == 0)
            {
                return [];
            }

            var produced = await new RegionSplitter(cache).SplitAsync(chosen, mode, cancellationToken).ConfigureAwait(false);
            var starts = chosen.Select(k => RegionCache.ToRegionKey(k, mode)).ToHashSet(ByteKeyComparer.Instance);
            var fresh = produced.Where(r => starts.Contains(r.StartKey.ToByteArray())).Select(r => r.Id).Distinct().ToList();
            DataRestoreLog.Split(logger, chosen.Count, fresh.Count);
            if (fresh.Count > 0)
            {
                await ScatterAsync(fresh, cancellationToken).ConfigureAwait(false);
            }

            return fresh;
        }
        catch (ClientException e)
        {
            throw new BrException("ErrRestoreSplitFailed", $"splitting regions for the restore failed: {e.Message}; check that pd and every store are up and retry", e);
        }
    }

    private async Task ScatterAsync(IReadOnlyList<ulong> regions, CancellationToken cancellationToken)
    {
        try
        {
            var result = await cache.Pd.ScatterRegionsAsync(regions, "", cancellationToken).ConfigureAwait(false);
            if (result.FailedRegionIds.Count > 0)
            {
                DataRestoreLog.ScatterRefused(logger, result.FailedRegionIds.Count, regions.Count);
            }
        }
        catch (Exception e) when (e is PdException or RpcException)
        {
            // Unscattered regions still take the data; pd's balancing spreads them later.
            DataRestoreLog.ScatterFailed(logger, regions.Count, e.Message);
            return;
        }

        var clock = Stopwatch.StartNew();
        var waiting = new List<ulong>(regions);
        var delay = TimeSpan.FromMilliseconds(50);
        while (waiting.Count > 0)
        {
            var still = new List<ulong>();
            foreach (var id in waiting)
            {
                PdOperator? op;
                try
                {
                    op = await cache.Pd.GetOperatorAsync(id, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is PdException or RpcException)
                {
                    still.Add(id);
                    continue;
                }

                if (op is { } running && running.Desc == "scatter-region" && running.Status == OperatorStatus.Running)
                {
                    still.Add(id);
                }
            }

            waiting = still;
            if (waiting.Count == 0)
            {
                break;
            }

            var left = scatterWait - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                DataRestoreLog.ScatterWaitExceeded(logger, waiting.Count, regions.Count, (long)scatterWait.TotalSeconds);
                return;
            }

            await Task.Delay(delay < left ? delay : left, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }

        DataRestoreLog.Scattered(logger, regions.Count, (long)clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>
    /// Which pieces of the key space are known to hold nothing: inside a restored table's key space (the table is new,
    /// so only restored data lives there), the parts no range with data touches. Raw key space is never known empty.
    /// </summary>
    private sealed class EmptyPieces
    {
        private readonly List<(byte[] Start, byte[] End, List<(byte[] Start, byte[] End)> Data)> _tables = [];

        public EmptyPieces(IReadOnlyList<RestoreRange> data, KeyMode mode)
        {
            if (mode != KeyMode.Txn)
            {
                return;
            }

            foreach (var table in data.Where(r => r.Table is not null).GroupBy(r => r.Table!.NewPhysicalId))
            {
                _tables.Add((RegionCache.ToRegionKey(TableCodec.TablePrefix(table.Key), mode), RegionCache.ToRegionKey(TableCodec.TablePrefix(table.Key + 1), mode),
                    [.. table.Select(r => (RegionCache.ToRegionKey(r.Start, mode), r.End.Length == 0 ? Array.Empty<byte>() : RegionCache.ToRegionKey(r.End, mode)))]));
            }
        }

        public bool IsEmpty(byte[] start, byte[] end)
        {
            if (end.Length == 0)
            {
                return false;
            }

            foreach (var (tableStart, tableEnd, data) in _tables)
            {
                if (start.AsSpan().SequenceCompareTo(tableStart) >= 0 && end.AsSpan().SequenceCompareTo(tableEnd) <= 0)
                {
                    return !data.Any(d => (d.End.Length == 0 || d.End.AsSpan().SequenceCompareTo(start) > 0) && d.Start.AsSpan().SequenceCompareTo(end) < 0);
                }
            }

            return false;
        }
    }
}
