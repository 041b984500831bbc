namespace Cairn.Client.Regions;

/// <summary>Why a request waits before its retry; each kind has its own base delay and cap.</summary>
public enum BackoffKind
{
    /// <summary>The cached region was wrong (RegionNotFound, KeyNotInRegion, StoreNotMatch, stale epoch without successors).</summary>
    RegionMiss,

    /// <summary>The region has no known leader, or its leader is moving.</summary>
    RegionScheduling,

    /// <summary>The store could not be reached.</summary>
    StoreUnreachable,

    /// <summary>The store shed the request (ServerIsBusy).</summary>
    ServerBusy,

    /// <summary>A key is locked by a live transaction.</summary>
    TxnLock,

    /// <summary>pd could not answer.</summary>
    PdUnavailable,
}
