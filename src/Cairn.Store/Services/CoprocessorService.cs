using Cairn.Common.Hashing;
using Cairn.Common.Mvcc;
using Cairn.Rpc.Coprocessor;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Tipb;
using Cairn.Store.Regions;
using Cairn.Store.Txn;
using Google.Protobuf;
using RegionError = Cairn.Rpc.Errorpb.Error;

namespace Cairn.Store.Services;

/// <summary>
/// <c>/tikvpb.Tikv/Coprocessor</c> for the checksum request (<c>tp = 105</c>, br-spec §g): scans the request's raw key
/// ranges at <c>start_ts</c> with MVCC visibility and answers a <c>tipb.ChecksumResponse</c> of crc64xor over
/// <c>crc64(key ‖ value)</c>, the pair count and the key+value bytes, optionally as if keys carried the rewrite rule's
/// old prefix. Region and key-range checks fail in <c>region_error</c>; a blocking lock is answered in <c>locked</c>.
/// </summary>
internal sealed class CoprocessorService
{
    /// <summary>Coprocessor request type of a checksum.</summary>
    public const long ChecksumRequestType = 105;

    private readonly RegionManager _regions;
    private readonly TxnStorage _txn;
    private readonly AdmissionControl _admission;

    /// <summary>Creates the service.</summary>
    public CoprocessorService(RegionManager regions, TxnStorage txn, AdmissionControl admission)
    {
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(admission);
        _regions = regions;
        _txn = txn;
        _admission = admission;
    }

    /// <summary>Answers one coprocessor request.</summary>
    public Response Handle(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Tp != ChecksumRequestType)
        {
            return new Response { OtherError = $"unsupported coprocessor request type {request.Tp}" };
        }

        if (!_admission.TryEnter())
        {
            return new Response { RegionError = RegionErrors.ServerIsBusy($"too many requests in flight (limit {_admission.Limit})", 20) };
        }

        Region? entered = null;
        try
        {
            if (_regions.Enter(request.Context, out var region) is { } error)
            {
                return new Response { RegionError = error };
            }

            entered = region;
            ChecksumRequest checksum;
            try
            {
                checksum = ChecksumRequest.Parser.ParseFrom(request.Data);
            }
            catch (InvalidProtocolBufferException e)
            {
                return new Response { OtherError = "invalid checksum request: " + e.Message };
            }

            foreach (var range in request.Ranges)
            {
                if (CheckRange(range, region) is { } rangeError)
                {
                    return new Response { RegionError = rangeError };
                }
            }

            var total = KvChecksum.Empty;
            foreach (var range in request.Ranges)
            {
                var (sum, locked, other) = ChecksumRange(request, region, range, checksum.Rule);
                if (locked is not null)
                {
                    return new Response { Locked = locked };
                }

                if (other is not null)
                {
                    return new Response { OtherError = other };
                }

                total += sum;
            }

            var response = new ChecksumResponse { Checksum = total.Crc64Xor, TotalKvs = total.TotalKvs, TotalBytes = total.TotalBytes };
            return new Response { Data = response.ToByteString() };
        }
        finally
        {
            if (entered is not null)
            {
                _regions.Exit(entered.Id);
            }

            _admission.Exit();
        }
    }

    /// <summary>Hashes one pair, as if its key started with the rule's old prefix when a rule is given.</summary>
    public static KvChecksum Accumulate(KvChecksum sum, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ChecksumRewriteRule? rule)
    {
        if (rule is null || !rule.HasNewPrefix)
        {
            return sum.Add(key, value);
        }

        var oldPrefix = rule.OldPrefix.Span;
        var rest = key[rule.NewPrefix.Length..];
        var crc = Crc64.Update(Crc64.Update(Crc64.Update(0, oldPrefix), rest), value);
        return new KvChecksum(sum.Crc64Xor ^ crc, sum.TotalKvs + 1, sum.TotalBytes + (ulong)(oldPrefix.Length + rest.Length + value.Length));
    }

    // Ranges are raw keys; the region bounds are memcomparable-encoded, so compare encoded forms. An empty end
    // means "to the end of the keyspace", which only a region without an end covers.
    private static RegionError? CheckRange(Cairn.Rpc.Coprocessor.KeyRange range, Region region)
    {
        var start = MvccKey.EncodeKey(range.Start.Span);
        if (!RegionManager.Contains(region, start))
        {
            return RegionErrors.KeyNotInRegion(start, region);
        }

        if (region.EndKey.IsEmpty)
        {
            return null;
        }

        if (range.End.IsEmpty)
        {
            return RegionErrors.KeyNotInRegion(region.EndKey.Span, region);
        }

        var end = MvccKey.EncodeKey(range.End.Span);
        return end.AsSpan().SequenceCompareTo(region.EndKey.Span) > 0 ? RegionErrors.KeyNotInRegion(end, region) : null;
    }

    // One scanner over the range at one snapshot: the newest visible Put of every key, as KvScan reads them.
    private (KvChecksum Sum, LockInfo? Locked, string? Other) ChecksumRange(Request request, Region region, Cairn.Rpc.Coprocessor.KeyRange range, ChecksumRewriteRule? rule)
    {
        var sum = KvChecksum.Empty;
        var (lower, upper) = ScanBounds.Clip(range.Start.Span, range.End.Span, region);
        var options = MvccScanOptions.Latest(lower, upper, request.StartTs) with { BypassLocks = request.Context?.ResolvedLocks };
        using var scanner = _txn.OpenScanner(options);
        while (scanner.MoveNext())
        {
            var entry = scanner.Current;
            if (rule is { HasNewPrefix: true } && !entry.Key.StartsWith(rule.NewPrefix.Span))
            {
                return (sum, null, $"key {Convert.ToHexString(entry.Key)} does not start with the rewrite rule's new prefix");
            }

            sum = Accumulate(sum, entry.Key, entry.Value, rule);
        }

        if (scanner.Error is { } keyError)
        {
            return keyError.Locked is { } locked ? (sum, locked, null) : (sum, null, keyError.ToString());
        }

        return (sum, null, null);
    }
}
