namespace Cairn.RocksDb;

/// <summary>
/// What an <see cref="MvccTableFilter"/> decided so far. Each SST is counted once however often iterators reopen it;
/// bytes are the file's data, index and filter blocks as its table properties give them.
/// </summary>
/// <param name="FilesRead">SSTs the iterators read.</param>
/// <param name="FilesSkipped">SSTs skipped because every version in them is at or before the start ts.</param>
/// <param name="BytesRead">Block bytes of the files read.</param>
/// <param name="BytesSkipped">Block bytes of the files skipped.</param>
/// <param name="FilesWithoutProperties">Files read because they carry no MVCC properties.</param>
public readonly record struct MvccTableFilterCounters(ulong FilesRead, ulong FilesSkipped, ulong BytesRead, ulong BytesSkipped, ulong FilesWithoutProperties);
