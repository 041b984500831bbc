using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Client.Catalog;

/// <summary>A database, serialized like TiDB's <c>model.DBInfo</c>.</summary>
public sealed record DBInfo
{
    /// <summary>Database id.</summary>
    [JsonPropertyName("id")]
    public long Id { get; init; }

    /// <summary>Database name.</summary>
    [JsonPropertyName("db_name")]
    public required CIStr Name { get; init; }

    /// <summary>Character set.</summary>
    [JsonPropertyName("charset")]
    public string Charset { get; init; } = "utf8mb4";

    /// <summary>Collation.</summary>
    [JsonPropertyName("collate")]
    public string Collate { get; init; } = "utf8mb4_bin";

    /// <summary>Schema state.</summary>
    [JsonPropertyName("state")]
    public SchemaState State { get; init; } = SchemaState.Public;

    /// <summary>Fields not modelled here, kept so a round trip preserves them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
