using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Client.Catalog;

/// <summary>One partition, serialized like TiDB's <c>model.PartitionDefinition</c>; it has its own physical table id.</summary>
public sealed record PartitionDefinition
{
    /// <summary>Physical table id of the partition.</summary>
    [JsonPropertyName("id")]
    public long Id { get; init; }

    /// <summary>Partition name.</summary>
    [JsonPropertyName("name")]
    public required CIStr Name { get; init; }

    /// <summary>Range partitions: the exclusive upper bound as text (<c>MAXVALUE</c> for none).</summary>
    [JsonPropertyName("less_than")]
    public IReadOnlyList<string>? LessThan { get; init; }

    /// <summary>Comment.</summary>
    [JsonPropertyName("comment")]
    public string Comment { get; init; } = "";

    /// <summary>Fields not modelled here, kept so a round trip preserves them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
