using Cairn.Br.Cluster;
using Cairn.Br.Filter;
using Cairn.Br.Metadata;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Restore.Incremental;

/// <summary>
/// What a restore of an incremental backup does beyond a full one: the chain check (before anything changes), the
/// DDL replay, the binding of the backup's tables to the target's existing ones by name (the target's tables from
/// the chain's earlier restores are written into), and the fresh timestamp every restored version is written at.
/// </summary>
internal static class IncrementalRestore
{
    /// <summary>Refusals of an incremental restore that need no cluster: table routes do not apply to a chain.</summary>
    /// <exception cref="BrException">The options route tables.</exception>
    public static void CheckOptions(RestoreOptions options, string storage)
    {
        if (options.Renames.Count > 0)
        {
            throw new BrException("ErrInvalidArgument",
                $"{storage} is an incremental backup, which restores into the tables of its chain's earlier restores: --rename does not apply; restore the chain without it");
        }
    }

    /// <summary>The filter that decides which DDL jobs are replayed: the restore's own selection.</summary>
    public static TableFilter ReplayFilter(RestoreOptions options) => options.Filter ?? options.Kind switch
    {
        RestoreKind.Database => TableFilter.ForSchemas(options.Databases!, options.CaseSensitive),
        RestoreKind.Table => TableFilter.ForTables(options.Tables!, options.CaseSensitive),
        _ => TableFilter.RestoreDefault,
    };

    /// <summary>Replays the backup's DDL jobs on the target; returns how many changed it.</summary>
    public static async Task<int> ReplayAsync(ClusterConnection cluster, BackupMetaReader reader, RestoreOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var jobs = DdlReplayer.Decode(await reader.ReadDdlsAsync(cancellationToken).ConfigureAwait(false));
        return await new DdlReplayer(cluster.Catalog, ReplayFilter(options), logger).ReplayAsync(jobs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After the replay: every target that exists in the cluster by name becomes the restore's target table.</summary>
    /// <exception cref="BrException">An existing object is of the other kind (view or table) or handle kind.</exception>
    public static async Task BindExistingAsync(ClusterConnection cluster, IReadOnlyList<RestoreTarget> targets, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var target in targets.Where(t => t.Target is null))
        {
            var existing = await cluster.Catalog.GetTableAsync(target.TargetDatabase, target.TargetTable, null, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                continue;
            }

            if (existing.IsView != target.Backup.IsView)
            {
                throw new BrException(TargetCheck.ModeMismatchCode,
                    $"{target.TargetName} exists in the target as a {(existing.IsView ? "view" : "table")} but the incremental backup holds a {(target.Backup.IsView ? "view" : "table")}: the target has left the chain; restore the chain from its full backup into a fresh cluster");
            }

            if (!existing.IsView && existing.IsCommonHandle != target.Backup.IsCommonHandle)
            {
                throw new BrException(TargetCheck.ModeMismatchCode,
                    $"{target.TargetName} exists in the target with a {(existing.IsCommonHandle ? "clustered" : "non-clustered")} primary key but the incremental backup's is {(target.Backup.IsCommonHandle ? "clustered" : "non-clustered")}: restore the chain from its full backup into a fresh cluster");
            }

            target.Target = existing;
            IncrementalRestoreLog.IntoExisting(logger, target.TargetDatabase, target.TargetTable);
        }
    }
}
