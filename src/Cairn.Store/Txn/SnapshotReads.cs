using Cairn.Common.Mvcc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Store.Engine;
using Google.Protobuf;

namespace Cairn.Store.Txn;

/// <summary>
/// Transactional reads at a timestamp: KvGet, KvBatchGet and KvScan. Each runs at its own RocksDB snapshot, takes no
/// latches, and answers KeyIsLocked for a lock that may still commit below the read ts.
/// </summary>
internal sealed class SnapshotReads
{
    private readonly StoreEngine _engine;

    public SnapshotReads(StoreEngine engine) => _engine = engine;

    /// <summary>KvGet: the value visible at <c>version</c>, or KeyIsLocked.</summary>
    public GetResponse Get(GetRequest request)
    {
        var response = new GetResponse();
        var encoded = MvccKey.EncodeKey(request.Key.Span);
        using var reader = MvccReader.AtSnapshot(_engine);
        if (reader.LoadLock(encoded) is { } lockRecord
            && LockVisibility.BlocksRead(lockRecord, request.Key.Span, request.Version, request.Context?.ResolvedLocks))
        {
            response.Error = TxnErrors.Locked(lockRecord, request.Key.Span);
            return response;
        }

        if (reader.TryGetValue(encoded, request.Version, out var value, out var commitTs))
        {
            response.Value = UnsafeByteOperations.UnsafeWrap(value);
            if (request.NeedCommitTs)
            {
                response.CommitTs = commitTs;
            }
        }
        else
        {
            response.NotFound = true;
        }

        return response;
    }

    /// <summary>KvBatchGet: found pairs only; a blocking lock fails the whole read.</summary>
    public BatchGetResponse BatchGet(BatchGetRequest request)
    {
        var response = new BatchGetResponse();
        using var reader = MvccReader.AtSnapshot(_engine);
        foreach (var key in request.Keys)
        {
            var encoded = MvccKey.EncodeKey(key.Span);
            if (reader.LoadLock(encoded) is { } lockRecord
                && LockVisibility.BlocksRead(lockRecord, key.Span, request.Version, request.Context?.ResolvedLocks))
            {
                response.Pairs.Clear();
                response.Error = TxnErrors.Locked(lockRecord, key.Span);
                return response;
            }

            if (reader.TryGetValue(encoded, request.Version, out var value, out var commitTs))
            {
                response.Pairs.Add(new KvPair
                {
                    Key = key,
                    Value = UnsafeByteOperations.UnsafeWrap(value),
                    CommitTs = request.NeedCommitTs ? commitTs : 0,
                });
            }
        }

        return response;
    }

    /// <summary>
    /// KvScan at <c>version</c>, clipped to <paramref name="region"/>. Forward scans cover [start_key, end_key);
    /// reverse scans cover [end_key, start_key) downward. A blocking lock stops the scan with an error and no pairs.
    /// A limit of 0 means no limit (clients always set one; the whole region is then the bound).
    /// </summary>
    public ScanResponse Scan(ScanRequest request, Region region)
    {
        var response = new ScanResponse();
        var limit = ScanBounds.Limit(request.Limit);
        var (lower, upper) = request.Reverse
            ? ScanBounds.Clip(request.EndKey.Span, request.StartKey.Span, region)
            : ScanBounds.Clip(request.StartKey.Span, request.EndKey.Span, region);
        var options = MvccScanOptions.Latest(lower, upper, request.Version) with
        {
            BypassLocks = request.Context?.ResolvedLocks,
            Reverse = request.Reverse,
            KeyOnly = request.KeyOnly,
        };
        using var scanner = new MvccScanner(_engine, options);
        while (response.Pairs.Count < limit && scanner.MoveNext())
        {
            var entry = scanner.Current;
            response.Pairs.Add(new KvPair
            {
                Key = UnsafeByteOperations.UnsafeWrap(entry.Key.ToArray()),
                Value = request.KeyOnly ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(entry.Value.ToArray()),
            });
        }

        if (scanner.Error is { } error)
        {
            response.Pairs.Clear();
            response.Error = error;
        }

        return response;
    }
}
