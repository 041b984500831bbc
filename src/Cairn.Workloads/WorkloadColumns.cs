using Cairn.Client.Catalog;

namespace Cairn.Workloads;

/// <summary>Column and index definitions shared by the workloads.</summary>
public static class WorkloadColumns
{
    /// <summary>A BIGINT column.</summary>
    public static ColumnInfo Int(string name, int flag = 0) =>
        new() { Name = new CIStr(name), Type = new FieldType { Tp = FieldType.TypeLongLong, Flen = 20, Flag = flag } };

    /// <summary>A VARCHAR column.</summary>
    public static ColumnInfo Text(string name, int length = 255) =>
        new() { Name = new CIStr(name), Type = new FieldType { Tp = FieldType.TypeVarchar, Flen = length, Charset = "utf8mb4", Collate = "utf8mb4_bin" } };

    /// <summary>An index over named columns.</summary>
    public static IndexInfo Index(string name, bool unique, bool primary, params string[] columns) =>
        new() { Name = new CIStr(name), IsUnique = unique || primary, IsPrimary = primary, Columns = columns.Select(c => new IndexColumn { Name = new CIStr(c) }).ToArray() };
}
