using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Store.Engine;

namespace Cairn.Store.Txn;

/// <summary>
/// Removing data: KvGC drops versions no read at or above the safepoint can see, KvDeleteRange drops a whole
/// range. Neither takes latches: GC only touches versions below every live read, and DeleteRange is issued for
/// ranges no transaction writes any more (dropped tables).
/// </summary>
internal sealed class MvccGc
{
    private const int GcBatchSize = 1024;
    private readonly StoreEngine _engine;

    public MvccGc(StoreEngine engine) => _engine = engine;

    /// <summary>
    /// KvGC: for every key in the region, drops what no read at ts ≥ safe_point can see: every version older than the
    /// newest Put/Delete at or below the safepoint, that version itself when it is a Delete, Lock and Rollback records
    /// at or below it, and the default-CF values of dropped Puts.
    /// </summary>
    public GCResponse Gc(GCRequest request, Region region)
    {
        var safePoint = request.SafePoint;
        var (lower, upper) = MvccKeys.DataRange(region.StartKey.Span, region.EndKey.Span);
        using var reader = MvccReader.AtSnapshot(_engine);
        using var writes = reader.NewIterator(_engine.Write, lower, upper);
        var batch = new WriteBatch();
        try
        {
            byte[]? currentKey = null;
            var sawLatest = false;
            for (writes.SeekToFirst(); writes.Valid; writes.Next())
            {
                var dataKey = writes.Key;
                var userKey = MvccKeys.UserKeyOfVersioned(dataKey);
                if (currentKey is null || !userKey.SequenceEqual(currentKey))
                {
                    currentKey = userKey.ToArray();
                    sawLatest = false;
                }

                var commitTs = MvccKey.DecodeTs(dataKey);
                if (commitTs > safePoint)
                {
                    continue;
                }

                var view = WriteRecordView.Parse(writes.Value);
                var drop = true;
                if (!sawLatest)
                {
                    switch (view.Type)
                    {
                        case WriteType.Put:
                            sawLatest = true;
                            drop = false;
                            break;
                        case WriteType.Delete:
                            sawLatest = true;
                            break;
                    }
                }

                if (!drop)
                {
                    continue;
                }

                batch.Delete(_engine.Write, dataKey);
                if (view.Type == WriteType.Put && !view.HasShortValue)
                {
                    batch.Delete(_engine.Default, MvccKeys.Versioned(currentKey, view.StartTs));
                }

                if (batch.Count >= GcBatchSize)
                {
                    _engine.WriteData(batch);
                    batch.Dispose();
                    batch = new WriteBatch();
                }
            }

            writes.ThrowIfError();
            if (batch.Count > 0)
            {
                _engine.WriteData(batch);
            }
        }
        finally
        {
            batch.Dispose();
        }

        return new GCResponse();
    }

    /// <summary>KvDeleteRange: deletes every CF's data in [start_key, end_key) ∩ region (notify_only does nothing).</summary>
    public DeleteRangeResponse DeleteRange(DeleteRangeRequest request, Region region)
    {
        if (request.NotifyOnly)
        {
            return new DeleteRangeResponse();
        }

        var (lowerEncoded, upperEncoded) = ScanBounds.Clip(request.StartKey.Span, request.EndKey.Span, region);
        var (lower, upper) = MvccKeys.DataRange(lowerEncoded, upperEncoded);
        if (lower.AsSpan().SequenceCompareTo(upper) >= 0)
        {
            return new DeleteRangeResponse();
        }

        using var batch = new WriteBatch();
        batch.DeleteRange(_engine.Default, lower, upper);
        batch.DeleteRange(_engine.Write, lower, upper);
        batch.DeleteRange(_engine.Lock, lower, upper);
        _engine.WriteData(batch);
        return new DeleteRangeResponse();
    }
}
