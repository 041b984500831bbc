namespace Cairn.Store.Txn;

/// <summary>Which versions an <see cref="MvccScanner"/> yields.</summary>
internal enum MvccScanMode
{
    /// <summary>
    /// Per key, the newest version visible at the read ts, when it is a Put (KvScan, checksum, full backup);
    /// a key whose newest visible version is a Delete yields nothing.
    /// </summary>
    Latest,

    /// <summary>
    /// Every Put and Delete with <c>start_ts &lt; commit_ts ≤ end_ts</c>, newest first per key (incremental
    /// backup's delta). Lock and Rollback records are never yielded.
    /// </summary>
    Delta,
}
