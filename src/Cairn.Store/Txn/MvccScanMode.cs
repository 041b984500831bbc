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

    /// <summary>
    /// Per key, only the newest Put or Delete with <c>start_ts &lt; commit_ts ≤ end_ts</c>: what TiKV's backup
    /// endpoint emits for an incremental backup (its entry scanner with <c>after_ts</c> and <c>output_delete</c>), so
    /// restore replays one final state per key rather than the history.
    /// </summary>
    NewestInRange,
}
