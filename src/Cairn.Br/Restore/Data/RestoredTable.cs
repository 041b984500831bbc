namespace Cairn.Br.Restore.Data;

/// <summary>What the data restore put into one physical table.</summary>
/// <param name="Database">The target database.</param>
/// <param name="Table">The target table.</param>
/// <param name="NewPhysicalId">The table or partition id the data went to.</param>
/// <param name="Files">Backup files restored (zero-byte files included).</param>
/// <param name="Kvs">Key-value pairs in those files.</param>
/// <param name="Bytes">Logical bytes in those files.</param>
public sealed record RestoredTable(string Database, string Table, long NewPhysicalId, long Files, ulong Kvs, ulong Bytes);
