using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Client.Catalog;

/// <summary>A table or view, serialized like TiDB's <c>model.TableInfo</c>.</summary>
public sealed record TableInfo
{
    /// <summary>Logical table id (the physical id unless partitioned).</summary>
    [JsonPropertyName("id")]
    public long Id { get; init; }

    /// <summary>Table name.</summary>
    [JsonPropertyName("name")]
    public required CIStr Name { get; init; }

    /// <summary>Character set.</summary>
    [JsonPropertyName("charset")]
    public string Charset { get; init; } = "utf8mb4";

    /// <summary>Collation.</summary>
    [JsonPropertyName("collate")]
    public string Collate { get; init; } = "utf8mb4_bin";

    /// <summary>Columns in order.</summary>
    [JsonPropertyName("cols")]
    public IReadOnlyList<ColumnInfo> Columns { get; init; } = [];

    /// <summary>Indexes (including a clustered primary key).</summary>
    [JsonPropertyName("index_info")]
    public IReadOnlyList<IndexInfo> Indexes { get; init; } = [];

    /// <summary>Whether the single integer primary-key column is the row handle.</summary>
    [JsonPropertyName("pk_is_handle")]
    public bool PkIsHandle { get; init; }

    /// <summary>Whether the row key is the datum-encoded clustered primary key.</summary>
    [JsonPropertyName("is_common_handle")]
    public bool IsCommonHandle { get; init; }

    /// <summary>Comment.</summary>
    [JsonPropertyName("comment")]
    public string Comment { get; init; } = "";

    /// <summary>AUTO_INCREMENT start value from the DDL.</summary>
    [JsonPropertyName("auto_inc_id")]
    public long AutoIncId { get; init; }

    /// <summary>Shard bits of an AUTO_RANDOM primary key (0 = none).</summary>
    [JsonPropertyName("auto_random_bits")]
    public int AutoRandomBits { get; init; }

    /// <summary>Highest column id used.</summary>
    [JsonPropertyName("max_col_id")]
    public long MaxColumnId { get; init; }

    /// <summary>Highest index id used.</summary>
    [JsonPropertyName("max_idx_id")]
    public long MaxIndexId { get; init; }

    /// <summary>Schema state.</summary>
    [JsonPropertyName("state")]
    public SchemaState State { get; init; } = SchemaState.Public;

    /// <summary>Partitioning, when partitioned.</summary>
    [JsonPropertyName("partition")]
    public PartitionInfo? Partition { get; init; }

    /// <summary>View definition, when this is a view.</summary>
    [JsonPropertyName("view")]
    public ViewInfo? View { get; init; }

    /// <summary>Timestamp of the last change (TSO).</summary>
    [JsonPropertyName("update_timestamp")]
    public ulong UpdateTimestamp { get; init; }

    /// <summary>Table info version (5 as current TiDB).</summary>
    [JsonPropertyName("version")]
    public int Version { get; init; } = 5;

    /// <summary>Fields not modelled here, kept so a round trip preserves them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>Whether this entry is a view.</summary>
    [JsonIgnore]
    public bool IsView => View is not null;

    /// <summary>Physical table ids holding this table's keys: each partition's id, or the table id.</summary>
    [JsonIgnore]
    public IReadOnlyList<long> PhysicalIds =>
        Partition is { } p ? p.Definitions.Select(d => d.Id).ToArray() : IsView ? [] : [Id];

    /// <summary>Finds a column by name (case-insensitive).</summary>
    public ColumnInfo? FindColumn(string name) =>
        Columns.FirstOrDefault(c => c.Name.L == name.ToLowerInvariant());

    /// <summary>Finds an index by name (case-insensitive).</summary>
    public IndexInfo? FindIndex(string name) =>
        Indexes.FirstOrDefault(i => i.Name.L == name.ToLowerInvariant());
}
