using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Debug;

/// <summary>Two backup files whose key ranges overlap (or that cover the same range in the same column family).</summary>
/// <param name="First">The file with the earlier start key.</param>
/// <param name="Second">The file that overlaps it.</param>
public sealed record RangeOverlap(BackupFile First, BackupFile Second);
