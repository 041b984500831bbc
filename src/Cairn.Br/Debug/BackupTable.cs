using System.Text.Json;
using Cairn.Rpc.Backup;

namespace Cairn.Br.Debug;

/// <summary>What the debug commands need of one backed-up table: its names and IDs, read from the schema's TiDB JSON.</summary>
/// <param name="Database">The database name (<c>db_name.O</c>).</param>
/// <param name="Name">The table name (<c>name.O</c>).</param>
/// <param name="Id">The logical table ID.</param>
/// <param name="PhysicalIds">The IDs data is stored under: the partition IDs of a partitioned table, else the table ID.</param>
/// <param name="Schema">The schema as stored in backupmeta.</param>
public sealed record BackupTable(string Database, string Name, long Id, IReadOnlyList<long> PhysicalIds, Schema Schema)
{
    /// <summary>
    /// Reads the names and IDs out of <paramref name="schema"/>; null when it holds a database without a table (BR
    /// stores those too). Throws <see cref="FormatException"/> when the JSON is not TiDB's DBInfo/TableInfo.
    /// </summary>
    public static BackupTable? From(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Table.IsEmpty)
        {
            return null;
        }
        try
        {
            using var db = JsonDocument.Parse(schema.Db.Memory);
            using var table = JsonDocument.Parse(schema.Table.Memory);
            var database = NameOf(db.RootElement, "db_name");
            var name = NameOf(table.RootElement, "name");
            var id = table.RootElement.GetProperty("id").GetInt64();
            var physical = new List<long>();
            if (table.RootElement.TryGetProperty("partition", out var partition) && partition.ValueKind == JsonValueKind.Object &&
                partition.TryGetProperty("definitions", out var definitions) && definitions.ValueKind == JsonValueKind.Array)
            {
                foreach (var definition in definitions.EnumerateArray())
                {
                    physical.Add(definition.GetProperty("id").GetInt64());
                }
            }
            if (physical.Count == 0)
            {
                physical.Add(id);
            }
            return new BackupTable(database, name, id, physical, schema);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"a schema in backupmeta is not TiDB's DBInfo/TableInfo JSON: {e.Message}", e);
        }
    }

    /// <summary><c>`db`.`table`</c>.</summary>
    public string QualifiedName => $"`{Database}`.`{Name}`";

    private static string NameOf(JsonElement element, string property)
    {
        var name = element.GetProperty(property);
        return name.ValueKind == JsonValueKind.String ? name.GetString()! : name.GetProperty("O").GetString()!;
    }
}
