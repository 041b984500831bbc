using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Restore.Data;

/// <summary>
/// Backup files that share a start key (a range's write and default files), with the rule that maps them and their
/// range in the new key space (user keys; an empty end is unbounded).
/// </summary>
/// <param name="Table">The physical table the files belong to; null for a raw restore.</param>
/// <param name="Files">The files.</param>
/// <param name="Rule">The rewrite of their keys; null when keys stay as they are (raw restores).</param>
/// <param name="Start">The rewritten start key (inclusive).</param>
/// <param name="End">The rewritten end key (exclusive; empty = unbounded).</param>
internal sealed record FileGroup(RestoreTableData? Table, IReadOnlyList<BackupFile> Files, RewriteRule? Rule, byte[] Start, byte[] End)
{
    /// <summary>Key-value pairs in the files.</summary>
    public ulong Kvs { get; } = Files.Aggregate(0UL, (sum, f) => sum + f.TotalKvs);

    /// <summary>Logical bytes in the files.</summary>
    public ulong Bytes { get; } = Files.Aggregate(0UL, (sum, f) => sum + f.TotalBytes);

    /// <summary>Whether the files hold no pairs at all (nothing to download, no region of their own).</summary>
    public bool IsEmpty => Kvs == 0 && Bytes == 0;

    /// <summary>"table db.t" or "the raw range" for messages.</summary>
    public string Owner => Table is null ? "the raw restore" : $"table {Table.Database}.{Table.Table}";
}
