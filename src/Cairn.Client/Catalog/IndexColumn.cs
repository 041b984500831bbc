using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Client.Catalog;

/// <summary>One column of an index, serialized like TiDB's <c>model.IndexColumn</c>.</summary>
public sealed record IndexColumn
{
    /// <summary>Column name.</summary>
    [JsonPropertyName("name")]
    public required CIStr Name { get; init; }

    /// <summary>Offset of the column in the table's columns.</summary>
    [JsonPropertyName("offset")]
    public int Offset { get; init; }

    /// <summary>Prefix length, -1 for the whole value.</summary>
    [JsonPropertyName("length")]
    public int Length { get; init; } = -1;

    /// <summary>Fields not modelled here, kept so a round trip preserves them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
