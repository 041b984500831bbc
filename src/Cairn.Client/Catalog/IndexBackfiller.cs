using Cairn.Client.Tables;
using Cairn.Client.Txn;
using Cairn.Common.Codec;
using Cairn.Common.Keys;

namespace Cairn.Client.Catalog;

/// <summary>
/// Writes the entries of a new index for a table's existing rows, in batches of transactions, while writers already
/// maintain it (the index is in write-reorganization).
/// </summary>
internal sealed class IndexBackfiller(TxnClient client, CatalogOptions options)
{
    /// <exception cref="DuplicateKeyException">A unique index meets two rows with the same value.</exception>
    public async Task BackfillAsync(TableInfo table, IndexInfo index, CancellationToken cancellationToken)
    {
        foreach (var physicalId in table.PhysicalIds)
        {
            var range = TableCodec.RecordRange(physicalId, table.IsCommonHandle);
            var start = range.Start;
            while (true)
            {
                var snapshot = await client.SnapshotAsync(cancellationToken).ConfigureAwait(false);
                var rows = await snapshot.ScanAsync(start, range.End, options.BatchSize, keyOnly: false, cancellationToken).ConfigureAwait(false);
                if (rows.Count == 0)
                {
                    break;
                }

                await client.RunInTransactionAsync(async txn =>
                {
                    // Re-read the rows in the backfill transaction: a row changed or deleted since the scan must be
                    // indexed as it is now, and writing its index key makes a concurrent writer of that row conflict.
                    var current = await txn.BatchGetAsync(rows.Select(r => r.Key), cancellationToken).ConfigureAwait(false);
                    foreach (var (key, value) in current)
                    {
                        var row = TableLayout.DecodeRow(table, key, value);
                        var handle = TableLayout.HandleOf(table, row);
                        var (indexKey, indexValue, distinct) = TableLayout.IndexEntry(table, physicalId, index, row, handle);
                        if (distinct && await txn.GetAsync(indexKey, cancellationToken).ConfigureAwait(false) is { } existing
                            && !existing.AsSpan().SequenceEqual(indexValue))
                        {
                            throw new DuplicateKeyException($"duplicate entry for key {index.Name.O} (rows {handle} and another)");
                        }

                        txn.Set(indexKey, indexValue);
                    }
                }, cancellationToken).ConfigureAwait(false);
                start = KeyBytes.Next(rows[^1].Key);
            }
        }
    }
}
