namespace Cairn.Client.Catalog;

/// <summary>Partitioning method (TiDB's <c>model.PartitionType</c> numbering).</summary>
public enum PartitionType
{
    /// <summary>By ranges of an integer column.</summary>
    Range = 1,

    /// <summary>By an integer column modulo the partition count.</summary>
    Hash = 2,
}
