namespace Cairn.RocksDb;

/// <summary>The class of a RocksDB status, read from the prefix of its message (<c>Status::ToString</c>).</summary>
public enum RocksDbStatusKind
{
    /// <summary>The message carried no known prefix.</summary>
    Unknown,
    /// <summary><c>NotFound:</c> a file, column family or key did not exist.</summary>
    NotFound,
    /// <summary><c>Corruption:</c> data on disk failed a check.</summary>
    Corruption,
    /// <summary><c>Not implemented:</c> the operation or setting is not supported by this build.</summary>
    NotSupported,
    /// <summary><c>Invalid argument:</c> the caller passed something RocksDB refuses (out-of-order keys, bad options).</summary>
    InvalidArgument,
    /// <summary><c>IO error:</c> the file system failed, or the database lock is held by another process.</summary>
    IOError,
    /// <summary><c>Merge in progress:</c>.</summary>
    MergeInProgress,
    /// <summary><c>Result incomplete:</c> the answer needs I/O that was not allowed, or a write would have stalled.</summary>
    Incomplete,
    /// <summary><c>Shutdown in progress:</c> the database is closing.</summary>
    ShutdownInProgress,
    /// <summary><c>Operation timed out:</c>.</summary>
    TimedOut,
    /// <summary><c>Operation aborted:</c>.</summary>
    Aborted,
    /// <summary><c>Resource busy:</c> a conflicting operation is running; retrying may succeed.</summary>
    Busy,
    /// <summary><c>Operation expired:</c>.</summary>
    Expired,
    /// <summary><c>Operation failed. Try again.:</c>.</summary>
    TryAgain,
    /// <summary><c>Column family dropped:</c>.</summary>
    ColumnFamilyDropped,
}
