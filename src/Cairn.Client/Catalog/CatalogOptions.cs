namespace Cairn.Client.Catalog;

/// <summary>Settings of a <see cref="CatalogClient"/>.</summary>
public sealed record CatalogOptions
{
    /// <summary>
    /// Time DDL waits after each schema state change, so that writers which loaded the previous state have either
    /// committed or noticed the change (writers recheck the schema right before committing).
    /// </summary>
    public TimeSpan SchemaLease { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Rows per transaction when backfilling an index or deleting a dropped table's data.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Auto ids taken from the meta allocator at a time.</summary>
    public int AutoIdBatch { get; init; } = 1000;
}
