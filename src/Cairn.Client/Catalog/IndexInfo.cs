using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Client.Catalog;

/// <summary>A table index, serialized like TiDB's <c>model.IndexInfo</c>.</summary>
public sealed record IndexInfo
{
    /// <summary>Index id, unique within the table.</summary>
    [JsonPropertyName("id")]
    public long Id { get; init; }

    /// <summary>Index name.</summary>
    [JsonPropertyName("idx_name")]
    public required CIStr Name { get; init; }

    /// <summary>Table name.</summary>
    [JsonPropertyName("tbl_name")]
    public CIStr? TableName { get; init; }

    /// <summary>Indexed columns.</summary>
    [JsonPropertyName("idx_cols")]
    public required IReadOnlyList<IndexColumn> Columns { get; init; }

    /// <summary>Schema state; only public indexes are used by reads, writes maintain every non-none index.</summary>
    [JsonPropertyName("state")]
    public SchemaState State { get; init; } = SchemaState.Public;

    /// <summary>Whether the index is unique (value = handle, key = values only).</summary>
    [JsonPropertyName("is_unique")]
    public bool IsUnique { get; init; }

    /// <summary>Whether this is the primary key.</summary>
    [JsonPropertyName("is_primary")]
    public bool IsPrimary { get; init; }

    /// <summary>Index type (1 = BTREE).</summary>
    [JsonPropertyName("index_type")]
    public int IndexType { get; init; } = 1;

    /// <summary>Comment.</summary>
    [JsonPropertyName("comment")]
    public string Comment { get; init; } = "";

    /// <summary>Fields not modelled here, kept so a round trip preserves them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
