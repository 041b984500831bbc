namespace Cairn.Faults.Tests;

/// <summary>The faults of the matrix, each injected on real processes while a backup or restore runs.</summary>
public enum FaultKind
{
    /// <summary>A store of the job's cluster is killed with SIGKILL at a random point and restarted.</summary>
    StoreKill,

    /// <summary>pd is killed with SIGKILL at a random point and restarted.</summary>
    PdKill,

    /// <summary>Splits and scatters fire continuously during the job.</summary>
    SplitStorm,

    /// <summary>The storage is reached through a proxy answering some requests with 503, cutting some responses and slowing some.</summary>
    StorageFaults,

    /// <summary>br itself is killed with SIGKILL at a random point and run again.</summary>
    BrKill,

    /// <summary>The disk the job writes to fills: the backup folder (backup) or a store's import folder (restore) is a tiny tmpfs.</summary>
    DiskFull,
}
