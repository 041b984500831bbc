using Cairn.Br.Cluster;
using Cairn.Client.Catalog;
using Cairn.Common.Keys;

namespace Cairn.Br.Restore;

/// <summary>
/// The refusals about the target cluster, all made before anything is created: every target table that exists is
/// listed, and the job stops if any holds data, is the target of a table route, or exists without
/// <see cref="RestoreOptions.AllowExistingEmptyTables"/>. An existing empty table that may be used must match the
/// backup's kind (view or table), handle kind (clustered or not), partitions and indexes; it becomes the target.
/// </summary>
internal static class TargetCheck
{
    /// <summary>BR's error for a target that cannot take the backup's table as it is.</summary>
    public const string ModeMismatchCode = "ErrRestoreModeMismatch";

    /// <summary>Checks the targets and sets <see cref="RestoreTarget.Target"/> of those restored into existing empty tables.</summary>
    /// <exception cref="BrException">A target exists and may not be restored into.</exception>
    public static async Task CheckAsync(ClusterConnection cluster, IReadOnlyList<RestoreTarget> targets, bool allowExistingEmpty, CancellationToken cancellationToken)
    {
        var ts = await cluster.Pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
        var databases = (await cluster.Catalog.ListDatabasesAsync(ts, cancellationToken).ConfigureAwait(false)).ToDictionary(d => d.Name.L, StringComparer.Ordinal);
        var existingByDb = new Dictionary<string, Dictionary<string, TableInfo>>(StringComparer.Ordinal);
        var routedOnto = new List<string>();
        var notEmpty = new List<string>();
        var emptyRefused = new List<string>();
        var usable = new List<(RestoreTarget Target, TableInfo Existing)>();
        var snapshot = await cluster.Txn.SnapshotAsync(ts, cancellationToken).ConfigureAwait(false);
        foreach (var target in targets)
        {
            var dbKey = target.TargetDatabase.ToLowerInvariant();
            if (!databases.TryGetValue(dbKey, out var db))
            {
                continue;
            }

            if (!existingByDb.TryGetValue(dbKey, out var tables))
            {
                tables = (await cluster.Catalog.ListTablesAsync(db.Id, ts, cancellationToken).ConfigureAwait(false)).ToDictionary(t => t.Name.L, StringComparer.Ordinal);
                existingByDb[dbKey] = tables;
            }

            if (!tables.TryGetValue(target.TargetTable.ToLowerInvariant(), out var existing))
            {
                continue;
            }

            if (target.Routed)
            {
                routedOnto.Add(target.TargetName);
            }
            else if (!existing.IsView && await HoldsDataAsync(snapshot, existing, cancellationToken).ConfigureAwait(false))
            {
                notEmpty.Add(target.TargetName);
            }
            else if (!allowExistingEmpty || existing.IsView || target.Backup.IsView)
            {
                emptyRefused.Add(target.TargetName);
            }
            else
            {
                usable.Add((target, existing));
            }
        }

        if (notEmpty.Count > 0)
        {
            throw new BrException("ErrRestoreTargetNotEmpty",
                $"the target cluster already holds data in {Listing(notEmpty)}: nothing was restored; restore into a fresh cluster, drop or empty these tables, or route them elsewhere with --rename");
        }

        if (routedOnto.Count > 0)
        {
            throw new BrException("ErrRestoreTableExists", $"--rename routes onto existing {Listing(routedOnto)}: nothing was restored; route to a name that does not exist, or drop the table");
        }

        if (emptyRefused.Count > 0)
        {
            throw new BrException("ErrRestoreTableExists",
                $"{Listing(emptyRefused)} exist in the target cluster: nothing was restored; drop them, route them elsewhere with --rename, or, if they are empty tables of the same definition, pass --allow-existing-empty-tables");
        }

        foreach (var (target, existing) in usable)
        {
            if (existing.IsCommonHandle != target.Backup.IsCommonHandle)
            {
                throw new BrException(ModeMismatchCode,
                    $"table {target.TargetName} exists with a {(existing.IsCommonHandle ? "clustered" : "non-clustered")} primary key but {target.SourceName} was backed up {(target.Backup.IsCommonHandle ? "clustered" : "non-clustered")}: nothing was restored; drop the table or restore it under another name with --rename");
            }

            // Fails naming a missing partition or index before anything is created.
            foreach (var (oldId, newId) in RewriteRules.PhysicalPairs(target.Backup, existing))
            {
                _ = RewriteRules.For(target.Backup, existing, oldId, newId);
            }

            target.Target = existing;
        }
    }

    private static async Task<bool> HoldsDataAsync(Client.Txn.Snapshot snapshot, TableInfo table, CancellationToken cancellationToken)
    {
        foreach (var physicalId in table.PhysicalIds)
        {
            var range = TableCodec.TableRange(physicalId);
            if ((await snapshot.ScanAsync(range.Start, range.End, 1, keyOnly: true, cancellationToken).ConfigureAwait(false)).Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    private static string Listing(List<string> names) =>
        names.Count <= 20 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(20))} and {names.Count - 20} more";
}
