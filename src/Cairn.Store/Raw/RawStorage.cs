using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Store.Engine;
using Google.Protobuf;

namespace Cairn.Store.Raw;

/// <summary>
/// Raw KV as TiKV's API v1: keys stored as <c>z + raw key</c> without timestamps in the CF the request names
/// (default when empty), region boundaries compared with raw keys. Every write is one atomic batch. Region and
/// key-range checks happen before these methods are called; scans and range deletes are clipped to the region.
/// </summary>
internal sealed class RawStorage
{
    private readonly StoreEngine _engine;

    /// <summary>Creates the raw layer over <paramref name="engine"/>.</summary>
    public RawStorage(StoreEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
    }

    /// <summary>RawGet.</summary>
    public RawGetResponse Get(RawGetRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Cf(request.Cf) is not { } cf)
        {
            return new RawGetResponse { Error = UnknownCf(request.Cf) };
        }

        var value = _engine.Db.Get(cf, MvccKey.RawKvDataKey(request.Key.Span));
        return value is null
            ? new RawGetResponse { NotFound = true }
            : new RawGetResponse { Value = UnsafeByteOperations.UnsafeWrap(value) };
    }

    /// <summary>RawBatchGet: found pairs only, read at one snapshot.</summary>
    public RawBatchGetResponse BatchGet(RawBatchGetRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new RawBatchGetResponse();
        if (Cf(request.Cf) is not { } cf)
        {
            // RawBatchGetResponse has no error field: an unknown CF is a caller bug, reported as a failed call.
            throw new ArgumentException(UnknownCf(request.Cf));
        }

        using var snapshot = _engine.Db.CreateSnapshot();
        using var read = new ReadOptions { Snapshot = snapshot };
        foreach (var key in request.Keys)
        {
            if (_engine.Db.Get(cf, MvccKey.RawKvDataKey(key.Span), read) is { } value)
            {
                response.Pairs.Add(new KvPair { Key = key, Value = UnsafeByteOperations.UnsafeWrap(value) });
            }
        }

        return response;
    }

    /// <summary>RawPut.</summary>
    public RawPutResponse Put(RawPutRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Cf(request.Cf) is not { } cf)
        {
            return new RawPutResponse { Error = UnknownCf(request.Cf) };
        }

        if (request.Ttl != 0)
        {
            return new RawPutResponse { Error = "TTL is not supported in API v1" };
        }

        using var batch = new WriteBatch();
        batch.Put(cf, MvccKey.RawKvDataKey(request.Key.Span), request.Value.Span);
        _engine.WriteData(batch);
        return new RawPutResponse();
    }

    /// <summary>RawBatchPut: all pairs in one atomic batch.</summary>
    public RawBatchPutResponse BatchPut(RawBatchPutRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Cf(request.Cf) is not { } cf)
        {
            return new RawBatchPutResponse { Error = UnknownCf(request.Cf) };
        }

#pragma warning disable CS0612 // The deprecated single ttl is still sent by old clients.
        var legacyTtl = request.Ttl;
#pragma warning restore CS0612
        if (legacyTtl != 0 || request.Ttls.Any(t => t != 0))
        {
            return new RawBatchPutResponse { Error = "TTL is not supported in API v1" };
        }

        using var batch = new WriteBatch();
        foreach (var pair in request.Pairs)
        {
            batch.Put(cf, MvccKey.RawKvDataKey(pair.Key.Span), pair.Value.Span);
        }

        if (batch.Count > 0)
        {
            _engine.WriteData(batch);
        }

        return new RawBatchPutResponse();
    }

    /// <summary>RawDelete.</summary>
    public RawDeleteResponse Delete(RawDeleteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Cf(request.Cf) is not { } cf)
        {
            return new RawDeleteResponse { Error = UnknownCf(request.Cf) };
        }

        using var batch = new WriteBatch();
        batch.Delete(cf, MvccKey.RawKvDataKey(request.Key.Span));
        _engine.WriteData(batch);
        return new RawDeleteResponse();
    }

    /// <summary>RawBatchDelete: all keys in one atomic batch.</summary>
    public RawBatchDeleteResponse BatchDelete(RawBatchDeleteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Cf(request.Cf) is not { } cf)
        {
            return new RawBatchDeleteResponse { Error = UnknownCf(request.Cf) };
        }

        using var batch = new WriteBatch();
        foreach (var key in request.Keys)
        {
            batch.Delete(cf, MvccKey.RawKvDataKey(key.Span));
        }

        if (batch.Count > 0)
        {
            _engine.WriteData(batch);
        }

        return new RawBatchDeleteResponse();
    }

    /// <summary>
    /// RawScan clipped to the region: forward over [start_key, end_key), reverse over [end_key, start_key)
    /// downward; an empty end_key means the region's end (forward) or start (reverse).
    /// </summary>
    public RawScanResponse Scan(RawScanRequest request, Region region)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(region);
        if (Cf(request.Cf) is not { } cf)
        {
            throw new ArgumentException(UnknownCf(request.Cf));
        }

        var response = new RawScanResponse();
        var limit = request.Limit == 0 ? int.MaxValue : (int)Math.Min(request.Limit, int.MaxValue);
        var (lower, upper) = request.Reverse
            ? Clip(request.EndKey.Span, request.StartKey.Span, region)
            : Clip(request.StartKey.Span, request.EndKey.Span, region);
        if (lower.AsSpan().SequenceCompareTo(upper) >= 0)
        {
            return response;
        }

        using var snapshot = _engine.Db.CreateSnapshot();
        using var read = new ReadOptions { Snapshot = snapshot };
        using var it = _engine.Db.NewIterator(cf, lower, upper, read);
        if (request.Reverse)
        {
            it.SeekToLast();
        }
        else
        {
            it.SeekToFirst();
        }

        while (it.Valid && response.Kvs.Count < limit)
        {
            response.Kvs.Add(new KvPair
            {
                Key = ByteString.CopyFrom(MvccKey.DecodeRawKvDataKey(it.Key)),
                Value = request.KeyOnly ? ByteString.Empty : ByteString.CopyFrom(it.Value),
            });
            if (request.Reverse)
            {
                it.Prev();
            }
            else
            {
                it.Next();
            }
        }

        it.ThrowIfError();
        return response;
    }

    /// <summary>RawDeleteRange over [start_key, end_key) ∩ region.</summary>
    public RawDeleteRangeResponse DeleteRange(RawDeleteRangeRequest request, Region region)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(region);
        if (Cf(request.Cf) is not { } cf)
        {
            return new RawDeleteRangeResponse { Error = UnknownCf(request.Cf) };
        }

        var (lower, upper) = Clip(request.StartKey.Span, request.EndKey.Span, region);
        if (lower.AsSpan().SequenceCompareTo(upper) < 0)
        {
            using var batch = new WriteBatch();
            batch.DeleteRange(cf, lower, upper);
            _engine.WriteData(batch);
        }

        return new RawDeleteRangeResponse();
    }

    private ColumnFamily? Cf(string name) => _engine.ResolveCf(name);

    private static string UnknownCf(string name) => $"unknown column family '{name}'; expected default, write or lock";

    /// <summary>Data-key bounds of raw [start, end) clipped to the region (raw boundaries in API v1).</summary>
    internal static (byte[] Lower, byte[] Upper) Clip(ReadOnlySpan<byte> rawStart, ReadOnlySpan<byte> rawEnd, Region region)
    {
        var start = rawStart.SequenceCompareTo(region.StartKey.Span) < 0 ? region.StartKey.Span : rawStart;
        var end = rawEnd;
        if (!region.EndKey.IsEmpty && (end.IsEmpty || end.SequenceCompareTo(region.EndKey.Span) > 0))
        {
            end = region.EndKey.Span;
        }

        var lower = MvccKey.RawKvDataKey(start);
        var upper = end.IsEmpty ? LocalKeys.DataMax.ToArray() : MvccKey.RawKvDataKey(end);
        return (lower, upper);
    }
}
