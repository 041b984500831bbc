using System.Text.Json.Serialization;

namespace Cairn.Br.Restore.Incremental;

/// <summary>
/// Which backup a cluster restored last, kept in the target cluster (under the meta string key
/// <see cref="RestoreChain.KeyName"/>) so that the next incremental of the chain can be checked to follow it.
/// </summary>
internal sealed record RestoreChainRecord
{
    /// <summary>Cluster id of the cluster the backup was taken from.</summary>
    [JsonPropertyName("source_cluster_id")]
    public ulong SourceClusterId { get; init; }

    /// <summary>The backup's start version (0 for a full backup).</summary>
    [JsonPropertyName("start_version")]
    public ulong StartVersion { get; init; }

    /// <summary>The backup's end version: the next incremental must start here.</summary>
    [JsonPropertyName("end_version")]
    public ulong EndVersion { get; init; }

    /// <summary>Where the backup was read from (credentials removed), for messages.</summary>
    [JsonPropertyName("storage")]
    public string Storage { get; init; } = "";

    /// <summary>The target's timestamp when the restore finished.</summary>
    [JsonPropertyName("restored_ts")]
    public ulong RestoredTs { get; init; }
}
