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

    /// <summary>
    /// Split a region at each new table's (and partition's) prefix, on create and truncate, as TiDB's
    /// <c>split-table</c> (on by default there too), so that tables can live on different stores. Default true.
    /// </summary>
    public bool SplitTable { get; init; } = true;

    /// <summary>
    /// Ask pd to scatter the regions <see cref="SplitTable"/> made (TiDB's <c>tidb_scatter_region</c>), so a new table
    /// starts on a store of pd's choosing instead of waiting for balance. Default true.
    /// </summary>
    public bool ScatterTable { get; init; } = true;

    /// <summary>Auto ids taken from the meta allocator at a time.</summary>
    public int AutoIdBatch { get; init; } = 1000;
}
