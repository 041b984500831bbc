using Cairn.Br.Cluster;
using Cairn.Client.Txn;
using Cairn.Common.Keys;
using Cairn.Rpc.Backup;
using Microsoft.Extensions.Logging;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Restore.Data;

/// <summary>
/// Puts SST files that already hold a table's final keys into the cluster through the restore's own path: regions
/// split at the files' boundaries and the table's prefix and scattered, the stores kept in import mode (and always
/// switched back), every file downloaded to the region's peers clipped to the region and ingested at its leader,
/// with the restore's region-error retries. The files are in the backup SST layout (<c>z</c> + encoded key + ts in
/// the write and default column families) and described by backup <see cref="BackupFile"/> records; their keys
/// keep their table id and timestamps (the rewrite rule maps the table's prefix to itself). A bulk loader writes
/// such files, as TiDB Lightning's physical mode does.
/// </summary>
public static class SstImport
{
    /// <summary>The import plan of one table whose files hold keys under its own id (an identity rewrite rule).</summary>
    /// <param name="database">Database name (for messages).</param>
    /// <param name="table">Table name (for messages).</param>
    /// <param name="physicalId">The table's id, which every key of the files starts with.</param>
    /// <param name="files">The files, each inside <c>t{physicalId}</c>; a write file and its default file share a start key.</param>
    public static RestoreTableData Table(string database, string table, long physicalId, IReadOnlyList<BackupFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var prefix = TableCodec.TablePrefix(physicalId);
        return new RestoreTableData(database, table, physicalId, physicalId, files, [new RewriteRule(prefix, prefix)]);
    }

    /// <summary>
    /// Imports <paramref name="tables"/> (made by <see cref="Table"/>) from <paramref name="backend"/>, which every
    /// store must be able to read, over <paramref name="client"/>'s connections (left open).
    /// </summary>
    /// <exception cref="BrException">A split failed, a file is missing or unreadable, or a region could not take its data.</exception>
    public static async Task<DataRestoreResult> ImportAsync(TxnClient client, StorageBackend backend, IReadOnlyList<RestoreTableData> tables, DataRestoreOptions options,
        ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (tables.FirstOrDefault(t => t.OldPhysicalId != t.NewPhysicalId) is { } moved)
        {
            throw new ArgumentException($"table {moved.Database}.{moved.Table}: an import keeps its keys, so its old and new ids must be equal", nameof(tables));
        }

        var cluster = await ClusterConnection.OverAsync(client, cancellationToken).ConfigureAwait(false);
        await using (cluster.ConfigureAwait(false))
        {
            return await new DataRestorer(cluster, backend, options, null, logger).RestoreTablesAsync(tables, 0, cancellationToken).ConfigureAwait(false);
        }
    }
}
