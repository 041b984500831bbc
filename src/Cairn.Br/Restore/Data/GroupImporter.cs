using Cairn.Br.Cluster;
using Cairn.Client;
using Cairn.Client.Regions;
using Cairn.Common.Codec;
using Cairn.Rpc;
using Cairn.Rpc.Backup;
using Cairn.Rpc.ImportSstpb;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using BackupFile = Cairn.Rpc.Backup.File;
using ImportRange = Cairn.Rpc.ImportSstpb.Range;
using ImportRewriteRule = Cairn.Rpc.ImportSstpb.RewriteRule;

namespace Cairn.Br.Restore.Data;

/// <summary>
/// Download and ingest of one file group (br-spec §d.12): for every region of the group's rewritten range, each
/// file is downloaded (clipped to the region) to every peer of the region, then ingested at the leader with one
/// MultiIngest. A region that moved, split or lost its leader is looked up again and retried, inside the group's
/// retry budget; a file the backup lacks, or cannot be read, fails at once.
/// </summary>
internal sealed class GroupImporter
{
    private const string NonRetryable = "non-retryable";

    private static readonly byte[] PrefixRangeTail = [.. Enumerable.Repeat((byte)0xFF, 10)];
    private readonly ClusterConnection _cluster;
    private readonly StorageBackend _backend;
    private readonly ulong _newTimestamp;
    private readonly KeyMode _mode;
    private readonly DataRestoreOptions _options;
    private readonly StoreDirectory _stores;
    private readonly ILogger _logger;
    private readonly byte[] _rawStart;
    private readonly byte[] _rawEnd;

    /// <summary>Creates an importer; <paramref name="rawStart"/> and <paramref name="rawEnd"/> bound what a raw restore takes.</summary>
    public GroupImporter(ClusterConnection cluster, StorageBackend backend, ulong newTimestamp, KeyMode mode, DataRestoreOptions options, StoreDirectory stores,
        ILogger logger, byte[]? rawStart = null, byte[]? rawEnd = null)
    {
        _cluster = cluster;
        _backend = backend;
        _newTimestamp = newTimestamp;
        _mode = mode;
        _options = options;
        _stores = stores;
        _logger = logger;
        _rawStart = rawStart ?? [];
        _rawEnd = rawEnd ?? [];
    }

    /// <summary>Runs after a region's downloads and before its ingest (tests change the region there).</summary>
    internal Func<CachedRegion, CancellationToken, Task>? BeforeIngest { get; init; }

    private RegionCache Cache => _cluster.Txn.Cache;

    /// <summary>Restores <paramref name="group"/>; returns the regions its data went into.</summary>
    /// <exception cref="BrException">A file is missing or unreadable, or the retry budget ran out.</exception>
    public async Task<int> ImportAsync(FileGroup group, CancellationToken cancellationToken)
    {
        var (start, end) = ScanBounds(group);
        var backoffer = new Backoffer(_options.ImportRetryBudget);
        var pending = new Queue<(byte[] Start, byte[] End)>();
        pending.Enqueue((start, end));
        var regions = 0;
        var lastStore = "";
        try
        {
            while (pending.TryDequeue(out var range))
            {
                var pieces = await Cache.SplitRangeAsync(range.Start, range.End, _mode, backoffer, cancellationToken).ConfigureAwait(false);
                foreach (var piece in pieces)
                {
                    lastStore = $"store {piece.Region.Leader.StoreId} ({piece.Region.StoreAddress})";
                    var retry = await ImportRegionAsync(group, piece.Region, _newTimestamp, cancellationToken).ConfigureAwait(false);
                    if (retry is null)
                    {
                        regions++;
                        continue;
                    }

                    DataRestoreLog.RegionRetry(_logger, Describe(group), piece.Region.Id, retry.Reason);
                    await backoffer.BackoffAsync(retry.Kind, $"{Describe(group)} in region {piece.Region.Id} at {lastStore}", retry.Reason, cancellationToken).ConfigureAwait(false);
                    pending.Enqueue((piece.Start, range.End));
                    break;
                }
            }
        }
        catch (ClientException e)
        {
            throw new BrException("ErrRestoreImportFailed",
                $"restoring {Describe(group)} of {group.Owner} failed at {lastStore} after retrying for {_options.ImportRetryBudget.TotalSeconds:0} s: {e.Message}; check that the store is up and has disk space, then retry the restore",
                e);
        }

        return regions;
    }

    private static string Describe(FileGroup group) => group.Files.Count == 1 ? $"file {group.Files[0].Name}" : $"files {string.Join(", ", group.Files.Select(f => f.Name))}";

    private static string CfOf(BackupFile file) => file.Cf.Length > 0 ? file.Cf
        : file.Name.Contains("default", StringComparison.Ordinal) ? "default"
        : file.Name.Contains("write", StringComparison.Ordinal) ? "write" : "";

    private static byte[] Max(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b) >= 0 ? a : b;

    // End bounds: empty = unbounded.
    private static byte[] MinEnd(byte[] a, byte[] b) => a.Length == 0 ? b : b.Length == 0 ? a : a.AsSpan().SequenceCompareTo(b) <= 0 ? a : b;

    private (byte[] Start, byte[] End) ScanBounds(FileGroup group) =>
        _mode == KeyMode.Raw ? (Max(group.Start, _rawStart), MinEnd(group.End, _rawEnd)) : (group.Start, group.End);

    private static ImportRewriteRule RuleOf(FileGroup group, ulong newTimestamp) => group.Rule is { } rule
        ? new ImportRewriteRule
        {
            OldKeyPrefix = ByteString.CopyFrom(MemComparable.EncodePrefix(rule.OldPrefix)),
            NewKeyPrefix = ByteString.CopyFrom(MemComparable.EncodePrefix(rule.NewPrefix)),
            NewTimestamp = newTimestamp,
        }
        : new ImportRewriteRule();

    // The part of the region the downloads may fill: the region inside the rule's new prefix range (table data) or
    // inside the requested range (raw data).
    private (ImportRange Range, bool EndExclusive) ClipRange(FileGroup group, CachedRegion region)
    {
        var regionStart = region.Region.StartKey.ToByteArray();
        var regionEnd = region.Region.EndKey.ToByteArray();
        if (group.Rule is null)
        {
            var start = Max(regionStart, _rawStart);
            var end = MinEnd(regionEnd, _rawEnd);
            return (new ImportRange { Start = ByteString.CopyFrom(start), End = ByteString.CopyFrom(end) }, true);
        }

        var prefix = MemComparable.EncodePrefix(group.Rule.NewPrefix);
        byte[] last = [.. prefix, .. PrefixRangeTail];
        var clippedStart = Max(regionStart, prefix);
        if (regionEnd.Length > 0 && regionEnd.AsSpan().SequenceCompareTo(last) <= 0)
        {
            return (new ImportRange { Start = ByteString.CopyFrom(clippedStart), End = ByteString.CopyFrom(regionEnd) }, true);
        }

        return (new ImportRange { Start = ByteString.CopyFrom(clippedStart), End = ByteString.CopyFrom(last) }, false);
    }

    private async Task<Retry?> ImportRegionAsync(FileGroup group, CachedRegion region, ulong newTimestamp, CancellationToken cancellationToken)
    {
        var (range, endExclusive) = ClipRange(group, region);
        var rule = RuleOf(group, newTimestamp);
        var ssts = new List<SSTMeta>();
        // A write-CF file may hold records while its counts are zero: an entry with a default-CF value is counted in
        // the default file only (br-spec §g). So every file is downloaded; one with nothing in the region answers is_empty.
        foreach (var file in group.Files)
        {
            var meta = new SSTMeta
            {
                Uuid = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
                CfName = CfOf(file),
                Range = range.Clone(),
                Length = file.Size,
                RegionId = region.Id,
                RegionEpoch = region.Region.RegionEpoch.Clone(),
                EndKeyExclusive = endExclusive,
                CipherIv = file.CipherIv,
            };
            var request = new DownloadRequest
            {
                Sst = meta,
                Name = file.Name,
                RewriteRule = rule,
                StorageBackend = _backend,
                IsRawKv = _mode == KeyMode.Raw,
                CipherInfo = _options.Cipher,
            };

            DownloadResponse? answer = null;
            foreach (var peer in region.Region.Peers)
            {
                var store = await _stores.GetAsync(peer.StoreId, cancellationToken).ConfigureAwait(false);
                if (StoreSelection.IsTiFlash(store))
                {
                    continue;
                }

                DownloadResponse response;
                try
                {
                    response = await _cluster.StoreChannel(store).ImportSst.DownloadAsync(request, CallOptions(cancellationToken)).ResponseAsync.ConfigureAwait(false);
                }
                catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
                {
                    Cache.OnStoreFailure(region);
                    _stores.Forget(store.Id);
                    return new Retry(BackoffKind.StoreUnreachable, $"download of {file.Name} at store {store.Id} ({store.Address}) failed: {e.Status} {e.Detail}");
                }

                if (response.Error is { } error)
                {
                    if (error.StoreError is { } regionError)
                    {
                        return new Retry(Cache.OnRegionError(region, regionError), $"download of {file.Name} at store {store.Id}: {RegionCache.Describe(regionError)}");
                    }

                    if (error.Message.Contains("does not exist", StringComparison.Ordinal) && _backend.Local is { } local)
                    {
                        throw LocalServer.LocalFiles.NotOnStore(file.Name, group.Owner, local.Path, store.Id);
                    }

                    if (error.Message.Contains("does not exist", StringComparison.Ordinal))
                    {
                        throw new BrException("ErrKVDownloadFailed", $"file {file.Name} of {group.Owner} is missing from the backup: {error.Message}");
                    }

                    if (error.Message.Contains(NonRetryable, StringComparison.Ordinal))
                    {
                        throw new BrException("ErrKVDownloadFailed", $"file {file.Name} of {group.Owner} cannot be restored (store {store.Id} {store.Address}): {error.Message}");
                    }

                    return new Retry(BackoffKind.ServerBusy, $"download of {file.Name} at store {store.Id} ({store.Address}): {error.Message}");
                }

                if (peer.Id == region.Leader.Id || answer is null)
                {
                    answer = response;
                }
            }

            if (answer is null || answer.IsEmpty)
            {
                // Nothing of this file lies in the region (or no peer takes data).
                continue;
            }

            var ingested = meta.Clone();
            ingested.Range = answer.Range.Clone();
            ssts.Add(ingested);
        }

        if (ssts.Count == 0)
        {
            return null;
        }

        if (BeforeIngest is { } hook)
        {
            await hook(region, cancellationToken).ConfigureAwait(false);
        }

        return await IngestAsync(group, region, ssts, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Retry?> IngestAsync(FileGroup group, CachedRegion region, List<SSTMeta> ssts, CancellationToken cancellationToken)
    {
        IngestResponse response;
        try
        {
            response = await Cache.GetChannel(region.StoreAddress).ImportSst.MultiIngestAsync(new MultiIngestRequest { Context = region.ToContext(), Ssts = { ssts } }, CallOptions(cancellationToken))
                .ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            Cache.OnStoreFailure(region);
            return new Retry(BackoffKind.StoreUnreachable, $"ingest into {region} failed: {e.Status} {e.Detail}");
        }

        if (response.Error is not { } error)
        {
            DataRestoreLog.Ingested(_logger, Describe(group), region.Id, ssts.Count);
            return null;
        }

        // Every refusal is retried with fresh downloads: ours carry new uuids, and a range ingested twice holds the same data.
        var kind = Cache.OnRegionError(region, error);
        return new Retry(kind, $"ingest into {region} refused: {RegionCache.Describe(error)}");
    }

    private Grpc.Core.CallOptions CallOptions(CancellationToken cancellationToken) =>
        RpcChannel.CallOptions(new RpcCallOptions { Timeout = _options.CallTimeout }, cancellationToken);

    private sealed record Retry(BackoffKind Kind, string Reason);
}
