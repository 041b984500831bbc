using System.Collections.Concurrent;
using Cairn.Br.Cluster;
using Cairn.Br.RangeTree;
using Cairn.Client.Regions;
using Cairn.Common.Errors;
using Cairn.Rpc;
using Cairn.Rpc.Backup;
using Cairn.Rpc.Metapb;
using KeyRange = Cairn.Common.Keys.KeyRange;

namespace Cairn.Br.Backup;

/// <summary>
/// Backs up one key range (br-spec §b.11): the request is pushed down to every Up store that is not TiFlash, each
/// backing up the regions it leads; their answers go into a <see cref="FileRangeTree"/>. Then the fine-grained
/// phase retries every gap region by region at its leader (from pd), resolving locks at the snapshot and waiting
/// out moving regions and stores that are down, until the range is complete or one backoff budget for the phase
/// is spent, when the error names the stores and the ranges left.
/// </summary>
internal sealed class RangeBackuper(BackupContext context)
{
    private static readonly TimeSpan RegionErrorBackoff = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan StoreDownBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryableBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan NoAnswerBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MinimumRoundBackoff = TimeSpan.FromMilliseconds(50);

    /// <summary>Backs up <paramref name="range"/> (raw keys) and returns its pieces.</summary>
    /// <exception cref="BrException">A store answered a fatal error, or the budget ran out.</exception>
    public async Task<FileRangeTree> BackupAsync(KeyRange range, CancellationToken cancellationToken)
    {
        var tree = new FileRangeTree();
        await PushDownAsync(range, tree, cancellationToken).ConfigureAwait(false);
        await FineGrainedAsync(range, tree, cancellationToken).ConfigureAwait(false);
        return tree;
    }

    /// <summary>
    /// Completes <paramref name="range"/> from the pieces a dead run left in <paramref name="tree"/>: only the gaps
    /// are pushed down (each as a narrower range), then the fine-grained phase fills what they left.
    /// </summary>
    public async Task<FileRangeTree> ResumeAsync(KeyRange range, FileRangeTree tree, CancellationToken cancellationToken)
    {
        foreach (var gap in tree.GetIncompleteRanges(range.Start, range.End))
        {
            await PushDownAsync(gap, tree, cancellationToken).ConfigureAwait(false);
        }

        await FineGrainedAsync(range, tree, cancellationToken).ConfigureAwait(false);
        return tree;
    }

    private async Task PushDownAsync(KeyRange range, FileRangeTree tree, CancellationToken cancellationToken)
    {
        var stores = StoreSelection.BackupTargets(await context.Cluster.Pd.GetAllStoresAsync(excludeTombstones: true, cancellationToken).ConfigureAwait(false));
        var request = context.RequestFor(range.Start, range.End);
        await Task.WhenAll(stores.Select(store => PushToStoreAsync(store, request, range, tree, cancellationToken))).ConfigureAwait(false);
    }

    private async Task PushToStoreAsync(Store store, BackupRequest request, KeyRange range, FileRangeTree tree, CancellationToken cancellationToken)
    {
        try
        {
            var call = context.Cluster.StoreChannel(store).Backup.backup(request, RpcChannel.CallOptions(null, cancellationToken));
            await foreach (var response in call.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                // Locks, region errors and dropped storage connections are left as gaps for the fine-grained phase.
                if (BackupResponses.Classify(response, store.Id) == ResponseKind.Accepted)
                {
                    Accept(tree, response);
                }
            }
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            BackupLog.StoreSkipped(context.Logger, store.Id, store.Address, Keys.Describe(range.Start, range.End), e.Message);
        }
    }

    private async Task FineGrainedAsync(KeyRange range, FileRangeTree tree, CancellationToken cancellationToken)
    {
        var spent = TimeSpan.Zero;
        for (var round = 1; ; round++)
        {
            var gaps = tree.GetIncompleteRanges(range.Start, range.End);
            if (gaps.Count == 0)
            {
                return;
            }

            var outcomes = new ConcurrentBag<GapOutcome>();
            await Parallel.ForEachAsync(gaps, new ParallelOptions { MaxDegreeOfParallelism = context.FineGrainedWorkers, CancellationToken = cancellationToken },
                async (gap, ct) => outcomes.Add(await BackupGapAsync(gap, tree, ct).ConfigureAwait(false))).ConfigureAwait(false);
            var left = tree.GetIncompleteRanges(range.Start, range.End);
            if (left.Count == 0)
            {
                return;
            }

            var backoff = outcomes.Select(o => o.Backoff).DefaultIfEmpty(TimeSpan.Zero).Max();
            if (backoff < MinimumRoundBackoff)
            {
                backoff = MinimumRoundBackoff;
            }

            if (spent + backoff > context.FineGrainedBudget)
            {
                throw BudgetExhausted(range, left, outcomes);
            }

            BackupLog.FineGrainedRound(context.Logger, round, Keys.Describe(range.Start, range.End), left.Count, (long)backoff.TotalMilliseconds, (long)spent.TotalMilliseconds);
            await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            spent += backoff;
        }
    }

    private async Task<GapOutcome> BackupGapAsync(KeyRange gap, FileRangeTree tree, CancellationToken cancellationToken)
    {
        var gapText = Keys.Describe(gap.Start, gap.End);
        Cairn.Pd.Client.PdRegion? region;
        try
        {
            region = await context.Cluster.Pd.GetRegionAsync(RegionCache.ToRegionKey(gap.Start, context.KeyMode), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Transience.IsTransient(e, cancellationToken))
        {
            return new GapOutcome(gap, 0, StoreDownBackoff, $"pd could not be asked for the region: {e.Message}");
        }

        if (region?.Leader is not { StoreId: not 0 } leader)
        {
            return new GapOutcome(gap, 0, RegionErrorBackoff, "the region has no leader");
        }

        Store store;
        try
        {
            store = await context.Cluster.Pd.GetStoreAsync(leader.StoreId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Transience.IsTransient(e, cancellationToken))
        {
            return new GapOutcome(gap, leader.StoreId, StoreDownBackoff, $"pd could not be asked for the store: {e.Message}");
        }

        var backoff = TimeSpan.Zero;
        string? reason = null;
        var answered = false;
        try
        {
            var call = context.Cluster.StoreChannel(store).Backup.backup(context.RequestFor(gap.Start, gap.End), RpcChannel.CallOptions(null, cancellationToken));
            await foreach (var response in call.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                answered = true;
                var kind = BackupResponses.Classify(response, store.Id);
                var wait = kind switch
                {
                    ResponseKind.Accepted => TimeSpan.Zero,
                    ResponseKind.Locked => await ResolveLockAsync(response.Error.KvError.Locked, cancellationToken).ConfigureAwait(false),
                    ResponseKind.RegionError => RegionErrorBackoff,
                    _ => RetryableBackoff,
                };
                if (kind == ResponseKind.Accepted)
                {
                    Accept(tree, response);
                    continue;
                }

                reason = BackupResponses.Describe(response);
                BackupLog.FineGrainedRetry(context.Logger, gapText, store.Id, reason);
                if (wait > backoff)
                {
                    backoff = wait;
                }
            }
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            return new GapOutcome(gap, store.Id, StoreDownBackoff, $"store {store.Id} ({store.Address}) unreachable: {e.Message}");
        }

        if (!answered)
        {
            return new GapOutcome(gap, store.Id, NoAnswerBackoff, $"store {store.Id} ({store.Address}) answered nothing for the range (its region may have moved)");
        }

        return new GapOutcome(gap, store.Id, backoff, reason);
    }

    private async Task<TimeSpan> ResolveLockAsync(Rpc.Kvrpcpb.LockInfo locked, CancellationToken cancellationToken)
    {
        var backupTs = context.Template.EndVersion;
        var wait = await context.Cluster.Txn.Resolver.ResolveAsync([locked], backupTs, new Backoffer(TimeSpan.FromSeconds(20)), cancellationToken).ConfigureAwait(false);
        if (wait == TimeSpan.Zero)
        {
            BackupLog.LockResolved(context.Logger, locked.LockVersion, Convert.ToHexString(locked.Key.Span), backupTs);
            return TimeSpan.Zero;
        }

        // A live lock: wait for it to expire (then it is rolled back), a second at a time so progress is not held up.
        return wait < TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1);
    }

    private void Accept(FileRangeTree tree, BackupResponse response)
    {
        var start = response.StartKey.ToByteArray();
        var end = response.EndKey.ToByteArray();
        if (end.Length != 0 && start.AsSpan().SequenceCompareTo(end) >= 0)
        {
            return;
        }

        var files = response.Files.ToArray();
        tree.Put(start, end, files);
        context.OnPiece(start, end, files);
    }

    private static bool IsUnreachable(Exception e, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || e is BrException)
        {
            return false;
        }

        return e switch
        {
            RpcException r => r.Status is not StatusCode.Unimplemented and not StatusCode.InvalidArgument and not StatusCode.PermissionDenied and not StatusCode.Unauthenticated,
            Grpc.Core.RpcException g => g.StatusCode is not Grpc.Core.StatusCode.Unimplemented and not Grpc.Core.StatusCode.InvalidArgument,
            _ => Transience.IsTransient(e, cancellationToken),
        };
    }

    private static BrException BudgetExhausted(KeyRange range, IReadOnlyList<KeyRange> left, IEnumerable<GapOutcome> outcomes)
    {
        var stores = outcomes.Where(o => o.StoreId != 0).Select(o => o.StoreId).Distinct().Order().ToList();
        var reasons = outcomes.Where(o => o.Reason is not null).Select(o => o.Reason!).Distinct().Take(3);
        var ranges = string.Join(", ", left.Take(5).Select(g => Keys.Describe(g.Start, g.End))) + (left.Count > 5 ? $" and {left.Count - 5} more" : "");
        var storeText = stores.Count == 0 ? "no store leads them" : "store" + (stores.Count > 1 ? "s " : " ") + string.Join(", ", stores);
        return new BrException("ErrBackupRetryExhausted",
            $"backup of {Keys.Describe(range.Start, range.End)} gave up after its retry budget: {storeText}; ranges left {ranges}; last errors: {string.Join("; ", reasons)}. Bring the stores back up and run the backup again",
            isTransient: true);
    }

    private readonly record struct GapOutcome(KeyRange Gap, ulong StoreId, TimeSpan Backoff, string? Reason);
}
