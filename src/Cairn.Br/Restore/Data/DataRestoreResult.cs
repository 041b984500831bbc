namespace Cairn.Br.Restore.Data;

/// <summary>What a data restore did.</summary>
/// <param name="Ranges">Ranges after merging (the units split and scattered).</param>
/// <param name="Files">Backup files restored.</param>
/// <param name="Kvs">Key-value pairs in them.</param>
/// <param name="Bytes">Logical bytes in them.</param>
/// <param name="Tables">Each physical table, in the order its last file group finished (empty for a raw restore).</param>
public sealed record DataRestoreResult(long Ranges, long Files, ulong Kvs, ulong Bytes, IReadOnlyList<RestoredTable> Tables);
