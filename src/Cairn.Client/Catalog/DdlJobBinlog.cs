using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Client.Catalog;

/// <summary>The result part of a finished DDL job (TiDB's <c>model.HistoryInfo</c>).</summary>
public sealed record DdlJobBinlog
{
    /// <summary>Schema version the job produced.</summary>
    [JsonPropertyName("SchemaVersion")]
    public long SchemaVersion { get; init; }

    /// <summary>Database after the job, for database jobs.</summary>
    [JsonPropertyName("DBInfo")]
    public DBInfo? DbInfo { get; init; }

    /// <summary>Table after the job, for table jobs.</summary>
    [JsonPropertyName("TableInfo")]
    public TableInfo? TableInfo { get; init; }

    /// <summary>Commit timestamp of the job's transaction start (TSO).</summary>
    [JsonPropertyName("FinishedTS")]
    public ulong FinishedTs { get; init; }

    /// <summary>Fields not modelled here, kept so a round trip preserves them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
