namespace Cairn.Store.Regions;

/// <summary>Hands out cluster-unique IDs for stores, regions and peers (pd's AllocID, or a local stand-in).</summary>
internal interface IIdAllocator
{
    /// <summary>Returns a new ID, never returned before, also across restarts.</summary>
    ValueTask<ulong> AllocAsync(CancellationToken cancellationToken = default);
}
