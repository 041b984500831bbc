namespace Cairn.RocksDb;

/// <summary>A column family to open, with its options (null: <see cref="ColumnFamilyOptions"/> defaults).</summary>
/// <param name="Name">The column family name, for example <c>default</c>, <c>write</c> or <c>lock</c>.</param>
/// <param name="Options">Its options.</param>
public sealed record ColumnFamilyDescriptor(string Name, ColumnFamilyOptions? Options = null);
