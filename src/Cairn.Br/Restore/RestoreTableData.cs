using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Restore;

/// <summary>One physical table (a table or one of its partitions) to restore: its backup files and the rules mapping its keys.</summary>
/// <param name="Database">The target database name.</param>
/// <param name="Table">The target table name.</param>
/// <param name="OldPhysicalId">The table or partition ID in the backup.</param>
/// <param name="NewPhysicalId">The table or partition ID created in the target cluster.</param>
/// <param name="Files">The backup files holding this physical table's keys.</param>
/// <param name="Rules">The prefix rewrites from backup keys to target keys (record prefix and every index prefix).</param>
public sealed record RestoreTableData(string Database, string Table, long OldPhysicalId, long NewPhysicalId,
    IReadOnlyList<BackupFile> Files, IReadOnlyList<RewriteRule> Rules);
