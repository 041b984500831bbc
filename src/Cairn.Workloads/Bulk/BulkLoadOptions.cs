using Microsoft.Extensions.Logging;

namespace Cairn.Workloads.Bulk;

/// <summary>How a bulk load stages and imports its files.</summary>
public sealed record BulkLoadOptions
{
    /// <summary>Folder the staging folder is created in (default the system temp folder); every store must be able to read it as <c>local://</c> storage.</summary>
    public string? StagingRoot { get; init; }

    /// <summary>Keys and values (as stored, all column families) per SST file pair; each pair becomes one region or more. Default 64 MiB, below a store's 96 MiB region split size.</summary>
    public long FileBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>File pairs downloaded and ingested at once.</summary>
    public int ImportConcurrency { get; init; } = 16;

    /// <summary>Where the import's lines go (none when null).</summary>
    public ILogger? Logger { get; init; }
}
