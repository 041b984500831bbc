using Cairn.Common.Hashing;

namespace Cairn.Br.Debug;

/// <summary>One table's checksum as the backup's files add it up, beside the one its schema recorded.</summary>
/// <param name="Database">The database, or null for data whose table ID no schema has.</param>
/// <param name="Table">The table, or null as above.</param>
/// <param name="TableId">The logical table ID (for unknown data, the ID in the keys).</param>
/// <param name="Files">How many files hold its data.</param>
/// <param name="FromFiles">XOR of the files' crc64xor, sums of their kvs and bytes.</param>
/// <param name="FromSchema">What the schema recorded, or null when the backup ran without checksums (all zero).</param>
public sealed record TableChecksum(string? Database, string? Table, long TableId, int Files, KvChecksum FromFiles, KvChecksum? FromSchema)
{
    /// <summary>Whether the files agree with the schema (true when the schema recorded nothing to compare).</summary>
    public bool Matches => FromSchema is null || FromSchema == FromFiles;
}
