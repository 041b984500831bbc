namespace Cairn.Br.Backup;

/// <summary>What a store's answer for one region piece means for the job.</summary>
internal enum ResponseKind
{
    /// <summary>The piece is backed up: its files are accepted.</summary>
    Accepted,

    /// <summary>A lock below the snapshot blocks the piece: resolve it, then retry.</summary>
    Locked,

    /// <summary>The region moved, split or lost its leader: retry at the current leader.</summary>
    RegionError,

    /// <summary>A transient failure (a store's connection to the storage dropped): retry later.</summary>
    Retryable,
}
