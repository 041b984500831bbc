using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Client.Catalog;

/// <summary>A finished DDL job in the history hash, serialized like TiDB's <c>model.Job</c>.</summary>
public sealed record DdlJob
{
    /// <summary>Job id (from the global id allocator).</summary>
    [JsonPropertyName("id")]
    public long Id { get; init; }

    /// <summary>Job type.</summary>
    [JsonPropertyName("type")]
    public DdlActionType Type { get; init; }

    /// <summary>Database id.</summary>
    [JsonPropertyName("schema_id")]
    public long SchemaId { get; init; }

    /// <summary>Table id (0 for database jobs).</summary>
    [JsonPropertyName("table_id")]
    public long TableId { get; init; }

    /// <summary>Database name.</summary>
    [JsonPropertyName("schema_name")]
    public string SchemaName { get; init; } = "";

    /// <summary>Table name.</summary>
    [JsonPropertyName("table_name")]
    public string TableName { get; init; } = "";

    /// <summary>Job state (6 = synced, as TiDB's <c>JobStateSynced</c>).</summary>
    [JsonPropertyName("state")]
    public int State { get; init; } = 6;

    /// <summary>Readable statement describing the job.</summary>
    [JsonPropertyName("query")]
    public string Query { get; init; } = "";

    /// <summary>Start timestamp of the job's transaction (TSO).</summary>
    [JsonPropertyName("start_ts")]
    public ulong StartTs { get; init; }

    /// <summary>Result of the job.</summary>
    [JsonPropertyName("binlog")]
    public DdlJobBinlog Binlog { get; init; } = new();

    /// <summary>Fields not modelled here, kept so a round trip preserves them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
