namespace Cairn.Pd.Cluster;

/// <summary>
/// A store's state as pd reports it (PD's <c>state_name</c>): the persisted <c>metapb.StoreState</c> (Up, Offline,
/// Tombstone) refined by heartbeat age for stores that are Up.
/// </summary>
public enum StoreStateName
{
    /// <summary>Registered and heartbeating.</summary>
    Up,

    /// <summary>Up, but silent for longer than the disconnect interval.</summary>
    Disconnected,

    /// <summary>Up, but silent for longer than the down interval.</summary>
    Down,

    /// <summary>Being removed: its regions are moved away, then it becomes Tombstone.</summary>
    Offline,

    /// <summary>Removed for good; it holds no regions and may not register again.</summary>
    Tombstone,
}
