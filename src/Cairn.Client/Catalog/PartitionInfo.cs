using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Client.Catalog;

/// <summary>Partitioning of a table, serialized like TiDB's <c>model.PartitionInfo</c>.</summary>
public sealed record PartitionInfo
{
    /// <summary>Partitioning method.</summary>
    [JsonPropertyName("type")]
    public PartitionType Type { get; init; } = PartitionType.Range;

    /// <summary>Partitioning expression: here the name of an integer column.</summary>
    [JsonPropertyName("expr")]
    public required string Expr { get; init; }

    /// <summary>Whether partitioning is enabled.</summary>
    [JsonPropertyName("enable")]
    public bool Enable { get; init; } = true;

    /// <summary>Partitions in order.</summary>
    [JsonPropertyName("definitions")]
    public required IReadOnlyList<PartitionDefinition> Definitions { get; init; }

    /// <summary>Number of partitions.</summary>
    [JsonPropertyName("num")]
    public long Num { get; init; }

    /// <summary>Fields not modelled here, kept so a round trip preserves them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
