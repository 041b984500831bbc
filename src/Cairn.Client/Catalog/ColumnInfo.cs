using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Client.Catalog;

/// <summary>A table column, serialized like TiDB's <c>model.ColumnInfo</c>.</summary>
public sealed record ColumnInfo
{
    /// <summary>Column id, unique within the table.</summary>
    [JsonPropertyName("id")]
    public long Id { get; init; }

    /// <summary>Column name.</summary>
    [JsonPropertyName("name")]
    public required CIStr Name { get; init; }

    /// <summary>Position in the table.</summary>
    [JsonPropertyName("offset")]
    public int Offset { get; init; }

    /// <summary>Default value, when any.</summary>
    [JsonPropertyName("default")]
    public JsonElement? Default { get; init; }

    /// <summary>Column type.</summary>
    [JsonPropertyName("type")]
    public FieldType Type { get; init; } = new();

    /// <summary>Schema state.</summary>
    [JsonPropertyName("state")]
    public SchemaState State { get; init; } = SchemaState.Public;

    /// <summary>Comment.</summary>
    [JsonPropertyName("comment")]
    public string Comment { get; init; } = "";

    /// <summary>Column info version (2 as current TiDB).</summary>
    [JsonPropertyName("version")]
    public int Version { get; init; } = 2;

    /// <summary>Fields not modelled here, kept so a round trip preserves them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
