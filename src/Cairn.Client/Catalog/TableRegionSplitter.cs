using Cairn.Client.Regions;
using Cairn.Client.Txn;
using Cairn.Common.Keys;
using Cairn.Pd.Client;
using Cairn.Rpc;

namespace Cairn.Client.Catalog;

/// <summary>
/// TiDB's <c>split-table</c>: after a table is created (or truncated, which gives it new ids) the region holding it is
/// split at the start of each physical table (every partition of a partitioned one), so each table lives in regions
/// of its own, which pd can place on different stores; the new regions are then scattered. Best effort, as in TiDB: a
/// split or scatter that fails leaves the table where it is and the DDL stands.
/// </summary>
internal sealed class TableRegionSplitter(TxnClient client, CatalogOptions options)
{
    public async Task SplitAsync(TableInfo table, CancellationToken cancellationToken)
    {
        if (!options.SplitTable || table.PhysicalIds.Count == 0)
        {
            return;
        }

        var keys = table.PhysicalIds.Select(TableCodec.TablePrefix).ToList();
        try
        {
            var produced = await new RegionSplitter(client.Cache).SplitAsync(keys, KeyMode.Txn, cancellationToken).ConfigureAwait(false);
            if (!options.ScatterTable)
            {
                return;
            }

            // Only the regions that start at a table of this DDL: the left parts hold older tables, placed already.
            var starts = keys.Select(k => RegionCache.ToRegionKey(k, KeyMode.Txn)).ToHashSet(ByteKeyComparer.Instance);
            var ids = produced.Where(r => starts.Contains(r.StartKey.ToByteArray())).Select(r => r.Id).Distinct().ToList();
            if (ids.Count > 0)
            {
                await client.Cache.Pd.ScatterRegionsAsync(ids, "", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ClientException or PdException or RpcException)
        {
            // The table works in whatever region holds it; pd's balance still spreads regions as they split by size.
        }
    }
}
