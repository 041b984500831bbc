namespace Cairn.Workloads.Bulk;

/// <summary>What a bulk load did.</summary>
/// <param name="Rows">Rows loaded.</param>
/// <param name="Kvs">Key-value pairs (rows and index entries).</param>
/// <param name="Bytes">Logical bytes (raw keys and values, as a table checksum counts them).</param>
/// <param name="Files">SST files written and ingested.</param>
/// <param name="FileBytes">Bytes of those files.</param>
/// <param name="Ranges">Ranges the regions were split for.</param>
/// <param name="Encode">Time spent encoding rows into SST files.</param>
/// <param name="Import">Time spent splitting, scattering, downloading and ingesting.</param>
/// <param name="Elapsed">Whole load, the checksum check included.</param>
public sealed record BulkLoadResult(long Rows, ulong Kvs, ulong Bytes, int Files, long FileBytes, long Ranges, TimeSpan Encode, TimeSpan Import, TimeSpan Elapsed);
