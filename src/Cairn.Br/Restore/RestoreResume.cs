using Cairn.Br.Checkpoint;
using Cairn.Br.Cluster;
using Cairn.Rpc.Backup;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Restore;

/// <summary>
/// The restore side of resuming: opening the job's checkpoint (refusing one of another backup or job), putting the
/// tables a dead run created back into the plan so they are neither created again nor refused as existing, and
/// clearing a checkpoint a run without one leaves behind.
/// </summary>
internal static class RestoreResume
{
    /// <summary>Opens the checkpoint of this restore where the options keep it (empty when there is none).</summary>
    public static async Task<RestoreCheckpoint> OpenAsync(RestoreOptions options, ClusterConnection cluster, BackupMeta meta, string storage, ILogger logger, CancellationToken cancellationToken)
    {
        var store = await RestoreCheckpointStore.OpenAsync(options, cluster.Txn, cancellationToken).ConfigureAwait(false);
        try
        {
            return await RestoreCheckpoint.OpenAsync(store, meta, RestoreCheckpoint.Hash(options), storage, logger, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Binds every target a dead run created (same name, and the id it recorded or one handed out after it began creating) to that table, as created by
    /// this job. A table that is gone or has another id is left to the usual checks: its progress does not apply.
    /// </summary>
    public static async Task BindCreatedAsync(ClusterConnection cluster, IReadOnlyList<RestoreTarget> targets, RestoreCheckpoint checkpoint, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var target in targets.Where(t => t.Target is null && checkpoint.MayHaveCreated(t.TargetDatabase, t.TargetTable)))
        {
            var existing = await cluster.Catalog.GetTableAsync(target.TargetDatabase, target.TargetTable, null, cancellationToken).ConfigureAwait(false);
            if (existing is null || existing.IsView != target.Backup.IsView || !checkpoint.CreatedByJob(target.TargetDatabase, target.TargetTable, existing.Id))
            {
                continue;
            }

            target.Target = existing;
            target.CreatedByJob = true;
            RestoreCheckpointLog.TableReused(logger, target.TargetDatabase, target.TargetTable, existing.Id);
        }
    }

    /// <summary>
    /// Records the tables this run is about to create, with the cluster's global id before any of them exists, and
    /// writes it: a run killed while creating them leaves tables a resume must know as its own.
    /// </summary>
    public static async Task PlanCreationAsync(ClusterConnection cluster, IEnumerable<RestoreTarget> targets, RestoreCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var planned = targets.Where(t => t.Target is null).Select(t => (t.TargetDatabase, t.TargetTable)).ToList();
        if (planned.Count == 0)
        {
            return;
        }

        checkpoint.PlanCreation(await cluster.Catalog.GetGlobalIdAsync(null, cancellationToken).ConfigureAwait(false), planned);
        await checkpoint.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records the tables this run created, so that a resume reuses them.</summary>
    public static void RecordCreated(RestoreCheckpoint checkpoint, IEnumerable<RestoreTarget> targets)
    {
        foreach (var target in targets.Where(t => t.CreatedByJob && t.Target is not null))
        {
            checkpoint.TableCreated(target.TargetDatabase, target.TargetTable, target.Target!.Id);
        }
    }

    /// <summary>A restore run without a checkpoint removes any left by an earlier run (it starts over).</summary>
    public static async Task ClearAsync(RestoreOptions options, ClusterConnection cluster, CancellationToken cancellationToken)
    {
        var store = await RestoreCheckpointStore.OpenAsync(options, cluster.Txn, cancellationToken).ConfigureAwait(false);
        await using (store.ConfigureAwait(false))
        {
            if (await store.ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                await store.DeleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
