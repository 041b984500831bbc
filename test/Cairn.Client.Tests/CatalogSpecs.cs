using Cairn.Client.Catalog;

namespace Cairn.Client.Tests;

/// <summary>Table definitions used by the catalog and table tests.</summary>
internal static class CatalogSpecs
{
    public static ColumnInfo IntColumn(string name, int flag = 0) =>
        new() { Name = new CIStr(name), Type = new FieldType { Tp = FieldType.TypeLongLong, Flen = 20, Flag = flag } };

    public static ColumnInfo TextColumn(string name) =>
        new() { Name = new CIStr(name), Type = new FieldType { Tp = FieldType.TypeVarchar, Flen = 16384, Charset = "utf8mb4", Collate = "utf8mb4_bin" } };

    public static IndexInfo Index(string name, bool unique, bool primary, params string[] columns) =>
        new() { Name = new CIStr(name), IsUnique = unique, IsPrimary = primary, Columns = columns.Select(c => new IndexColumn { Name = new CIStr(c) }).ToArray() };

    /// <summary><c>(id BIGINT PRIMARY KEY AUTO_INCREMENT, k BIGINT, c VARCHAR, KEY k_idx(k), UNIQUE KEY c_uk(c))</c>.</summary>
    public static TableInfo Sbtest(string name) => new()
    {
        Name = new CIStr(name),
        Columns = [IntColumn("id", FieldType.AutoIncrementFlag), IntColumn("k"), TextColumn("c")],
        Indexes = [Index("PRIMARY", true, true, "id"), Index("k_idx", false, false, "k"), Index("c_uk", true, false, "c")],
    };
}
