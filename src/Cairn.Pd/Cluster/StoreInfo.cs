using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Cluster;

/// <summary>What pd knows of one store. Guarded by the cluster's lock; <see cref="Meta"/> is replaced, never mutated.</summary>
internal sealed class StoreInfo(Store meta, DateTimeOffset seenSince)
{
    public Store Meta { get; set; } = meta;

    public StoreStats? Stats { get; set; }

    /// <summary>Last heartbeat, or registration / pd start when none arrived yet (the base for Disconnected and Down).</summary>
    public DateTimeOffset LastSeen { get; set; } = seenSince;

    public DateTimeOffset? LastHeartbeat { get; set; }

    public ulong Id => Meta.Id;

    /// <summary>Stores labelled <c>engine=tiflash</c> hold no row data pd places: scatter and balance skip them.</summary>
    public bool IsTiFlash
    {
        get
        {
            foreach (var label in Meta.Labels)
            {
                if (label.Key == "engine" && label.Value == "tiflash")
                {
                    return true;
                }
            }

            return false;
        }
    }

    public StoreStateName StateName(DateTimeOffset now, TimeSpan disconnectAfter, TimeSpan downAfter)
    {
        switch (Meta.State)
        {
            case StoreState.Tombstone:
                return StoreStateName.Tombstone;
            case StoreState.Offline:
                return StoreStateName.Offline;
        }

        var silent = now - LastSeen;
        if (silent >= downAfter)
        {
            return StoreStateName.Down;
        }

        return silent >= disconnectAfter ? StoreStateName.Disconnected : StoreStateName.Up;
    }

    /// <summary>The metadata with <c>last_heartbeat</c> filled in (Unix nanoseconds, as PD reports it).</summary>
    public Store ToReported()
    {
        var store = Meta.Clone();
        store.LastHeartbeat = LastHeartbeat is { } t ? (t.ToUnixTimeMilliseconds() * 1_000_000) : 0;
        return store;
    }
}
