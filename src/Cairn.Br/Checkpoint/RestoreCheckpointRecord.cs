using System.Text.Json.Serialization;

namespace Cairn.Br.Checkpoint;

/// <summary>
/// What a checkpointed restore has done, as kept between runs (JSON): which backup and job it belongs to, the tables
/// it created with their new ids, the file groups ingested and the tables whose checksum was verified. Progress is
/// keyed by new table id, so a table dropped and created again (a new id) starts over.
/// </summary>
internal sealed record RestoreCheckpointRecord
{
    /// <summary>Bumped when the layout changes incompatibly; a reader refuses a version it does not know.</summary>
    [JsonPropertyName("format_version")]
    public int FormatVersion { get; init; }

    /// <summary>Cluster id of the backup (its backupmeta's cluster_id).</summary>
    [JsonPropertyName("upstream_cluster_id")]
    public ulong UpstreamClusterId { get; init; }

    /// <summary>The backup's end version.</summary>
    [JsonPropertyName("restored_ts")]
    public ulong RestoredTs { get; init; }

    /// <summary>SHA-256 (hex) of what selects and shapes the restore: kind, filter, names, renames, raw range.</summary>
    [JsonPropertyName("hash")]
    public string Hash { get; init; } = "";

    /// <summary>Where the backup was read from (credentials removed), for messages.</summary>
    [JsonPropertyName("storage")]
    public string Storage { get; init; } = "";

    /// <summary>Tables created by the job: <c>db.table</c> (lower case) to the new table id.</summary>
    [JsonPropertyName("tables")]
    public Dictionary<string, long> Tables { get; init; } = [];

    /// <summary>
    /// Tables the job was about to create (<c>db.table</c>, lower case), written before creation starts, so that a
    /// run killed in the middle of creating them can tell its own tables (an id above <see cref="CreatingFromId"/>)
    /// from tables that were there before.
    /// </summary>
    [JsonPropertyName("creating")]
    public List<string> Creating { get; init; } = [];

    /// <summary>The cluster's global id when creation started: every table the job creates gets a larger id.</summary>
    [JsonPropertyName("creating-from-id")]
    public long CreatingFromId { get; init; }

    /// <summary>File groups ingested: <c>{new physical id}/{group key}</c>.</summary>
    [JsonPropertyName("ingested")]
    public List<string> Ingested { get; init; } = [];

    /// <summary>New table ids whose checksum matched the backup's.</summary>
    [JsonPropertyName("verified")]
    public List<long> Verified { get; init; } = [];
}
