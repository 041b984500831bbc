using Cairn.Client.Regions;
using Cairn.Client.Txn;
using Cairn.Common.Hashing;
using Cairn.Common.Keys;
using Cairn.Rpc.Coprocessor;
using Cairn.Rpc.Tipb;
using Google.Protobuf;
using KeyRange = Cairn.Common.Keys.KeyRange;

namespace Cairn.Client.Catalog;

/// <summary>
/// Table checksums through the stores' coprocessor (<c>tp = 105</c>, br-spec §g): one request per region piece of
/// each range (the record range and every public index of every physical table), combined by XOR and sums. Region
/// errors re-split the failed piece; locks are resolved and the piece retried.
/// </summary>
public sealed class TableChecksum
{
    private const long ChecksumType = 105;
    private readonly TxnClient _client;

    /// <summary>Creates a checksum client over a transactional client (its region cache and lock resolver).</summary>
    public TableChecksum(TxnClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <summary>Checksums a table by name at <paramref name="ts"/> (latest when null).</summary>
    /// <exception cref="CatalogException">No such table, or it is a view.</exception>
    public async Task<KvChecksum> ChecksumTableAsync(CatalogClient catalog, string database, string table, ulong? ts = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var at = ts ?? (await _client.SnapshotAsync(cancellationToken).ConfigureAwait(false)).Timestamp;
        var info = await catalog.GetTableAsync(database, table, at, cancellationToken).ConfigureAwait(false)
            ?? throw new CatalogException($"unknown table {database}.{table}");
        if (info.IsView)
        {
            // A view has no rows of its own; a checksum of zeros would read as "empty table".
            throw new CatalogException($"{database}.{table} is a view");
        }

        return await ChecksumTableAsync(info, at, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Checksums a table at <paramref name="ts"/>. With <paramref name="oldPhysicalIds"/> (new physical id → id in the
    /// backup), each physical table is hashed as if its keys carried the old table prefix, so a restored table
    /// reproduces the backup's numbers.
    /// </summary>
    public Task<KvChecksum> ChecksumTableAsync(TableInfo table, ulong ts, IReadOnlyDictionary<long, long>? oldPhysicalIds = null, CancellationToken cancellationToken = default) =>
        ChecksumTableAsync(table, ts, oldPhysicalIds, null, cancellationToken);

    /// <summary>
    /// As <see cref="ChecksumTableAsync(TableInfo, ulong, IReadOnlyDictionary{long, long}?, CancellationToken)"/>; with
    /// <paramref name="oldIndexIds"/> (index id in <paramref name="table"/> → index id in the backup) each index is
    /// hashed as if its keys carried the backup's index prefix too: a table restored into an existing table whose
    /// indexes got other ids (indexes are matched by name) still reproduces the backup's numbers.
    /// </summary>
    public async Task<KvChecksum> ChecksumTableAsync(TableInfo table, ulong ts, IReadOnlyDictionary<long, long>? oldPhysicalIds, IReadOnlyDictionary<long, long>? oldIndexIds,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var total = KvChecksum.Empty;
        foreach (var physicalId in table.PhysicalIds)
        {
            ChecksumRewriteRule? rule = null;
            long? oldTableId = null;
            if (oldPhysicalIds is not null && oldPhysicalIds.TryGetValue(physicalId, out var oldId))
            {
                oldTableId = oldId;
                rule = new ChecksumRewriteRule
                {
                    OldPrefix = ByteString.CopyFrom(TableCodec.TablePrefix(oldId)),
                    NewPrefix = ByteString.CopyFrom(TableCodec.TablePrefix(physicalId)),
                };
            }

            total += await ChecksumRangeAsync(TableCodec.RecordRange(physicalId, table.IsCommonHandle), ts, ChecksumScanOn.Table, rule, cancellationToken).ConfigureAwait(false);
            foreach (var index in table.Indexes.Where(i => i.State == SchemaState.Public && !(i.IsPrimary && table.IsCommonHandle)))
            {
                var indexRule = rule;
                if (oldTableId is { } from && oldIndexIds is not null && oldIndexIds.TryGetValue(index.Id, out var oldIndexId))
                {
                    indexRule = new ChecksumRewriteRule
                    {
                        OldPrefix = ByteString.CopyFrom(TableCodec.IndexPrefix(from, oldIndexId)),
                        NewPrefix = ByteString.CopyFrom(TableCodec.IndexPrefix(physicalId, index.Id)),
                    };
                }

                total += await ChecksumRangeAsync(TableCodec.IndexRange(physicalId, index.Id), ts, ChecksumScanOn.Index, indexRule, cancellationToken).ConfigureAwait(false);
            }
        }

        return total;
    }

    /// <summary>Checksums the transactional key range <c>[start, end)</c> at <paramref name="ts"/>.</summary>
    /// <exception cref="ClientException">A store answered an error other than a region error or a lock.</exception>
    public async Task<KvChecksum> ChecksumRangeAsync(KeyRange range, ulong ts, ChecksumScanOn scanOn = ChecksumScanOn.Table, ChecksumRewriteRule? rule = null, CancellationToken cancellationToken = default)
    {
        var backoffer = _client.NewReadBackoffer();
        var data = new ChecksumRequest { ScanOn = scanOn, Algorithm = ChecksumAlgorithm.Crc64Xor };
        if (rule is not null)
        {
            data.Rule = rule;
        }

        var payload = data.ToByteString();
        var total = KvChecksum.Empty;
        var pending = new Queue<(byte[] Start, byte[] End)>();
        pending.Enqueue((range.Start, range.End));
        while (pending.TryDequeue(out var piece))
        {
            var parts = await _client.Cache.SplitRangeAsync(piece.Start, piece.End, KeyMode.Txn, backoffer, cancellationToken).ConfigureAwait(false);
            foreach (var part in parts)
            {
                var what = $"checksum of {Convert.ToHexString(part.Start)}..{Convert.ToHexString(part.End)} at ts {ts}";
                var response = await _client.Cache.SendAsync(part.Region, "Coprocessor", static (t, r, o) => t.CoprocessorAsync(r, o), c =>
                {
                    var request = new Request { Context = c, Tp = ChecksumType, Data = payload, StartTs = ts };
                    request.Ranges.Add(new Rpc.Coprocessor.KeyRange { Start = ByteString.CopyFrom(part.Start), End = ByteString.CopyFrom(part.End) });
                    return request;
                }, r => r.RegionError, backoffer, what, cancellationToken).ConfigureAwait(false);
                if (response is null)
                {
                    pending.Enqueue((part.Start, part.End));
                    continue;
                }

                if (response.Locked is { } locked)
                {
                    var wait = await _client.Resolver.ResolveAsync([locked], ts, backoffer, cancellationToken).ConfigureAwait(false);
                    if (wait > TimeSpan.Zero)
                    {
                        await backoffer.BackoffAsync(BackoffKind.TxnLock, what, $"locked by txn {locked.LockVersion}", cancellationToken).ConfigureAwait(false);
                    }

                    pending.Enqueue((part.Start, part.End));
                    continue;
                }

                if (!string.IsNullOrEmpty(response.OtherError))
                {
                    throw new ClientException($"{what} on {part.Region} failed: {response.OtherError}", isRetryable: false);
                }

                var result = ChecksumResponse.Parser.ParseFrom(response.Data);
                total += new KvChecksum(result.Checksum, result.TotalKvs, result.TotalBytes);
            }
        }

        return total;
    }
}
