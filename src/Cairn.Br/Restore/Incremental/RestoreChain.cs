using System.Text.Json;
using Cairn.Client.Txn;
using Cairn.Common;
using Cairn.Common.Keys;
using Cairn.Rpc.Backup;

namespace Cairn.Br.Restore.Incremental;

/// <summary>
/// The restore chain of a target cluster (br-spec §c, restore side): a full, db or table restore records the backup's
/// end version; an incremental backup (<c>start_version ≠ 0</c>, <c>≠ end_version</c>) is restored only when its
/// start version is the recorded end version and it comes from the same source cluster, and then records its own.
/// </summary>
internal static class RestoreChain
{
    /// <summary>The meta string key (TiDB's TxStructure layout, like <c>SchemaVersionKey</c>) holding the record as JSON.</summary>
    public const string KeyName = "BRRestoreChain";

    /// <summary>BR-style error code of a refused incremental restore.</summary>
    public const string OutOfChainCode = "ErrRestoreIncrementalOutOfChain";

    private static readonly byte[] Key = MetaKeys.StringKey(KeyName);

    /// <summary>Whether the backup is incremental (BR's <c>IsIncremental</c>).</summary>
    public static bool IsIncremental(BackupMeta meta) => meta.StartVersion != 0 && meta.StartVersion != meta.EndVersion;

    /// <summary>The target's record, or null when nothing was restored into it by br.</summary>
    /// <exception cref="BrException">The record is not readable.</exception>
    public static async Task<RestoreChainRecord?> ReadAsync(TxnClient client, ulong ts, CancellationToken cancellationToken)
    {
        var snapshot = await client.SnapshotAsync(ts, cancellationToken).ConfigureAwait(false);
        var value = await snapshot.GetAsync(Key, cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<RestoreChainRecord>(value);
        }
        catch (JsonException e)
        {
            throw new BrException("ErrRestoreFailed", $"the target's restore chain record ({KeyName}) is not readable: {JobErrors.OneLine(e.Message)}", e);
        }
    }

    /// <summary>Refuses an incremental restore that does not follow the target's record; returns nothing when it does.</summary>
    /// <exception cref="BrException">No record, another source cluster, or a start version other than the recorded end.</exception>
    public static void CheckFollows(RestoreChainRecord? record, BackupMeta meta, string storage)
    {
        if (record is null)
        {
            throw new BrException(OutOfChainCode,
                $"{storage} is an incremental backup of ({meta.StartVersion}, {meta.EndVersion}] but the target cluster has no restored backup to continue: nothing was restored; restore the chain's full backup (ending at {meta.StartVersion}) first, then its incrementals in order");
        }

        if (record.SourceClusterId != meta.ClusterId)
        {
            throw new BrException(OutOfChainCode,
                $"{storage} was backed up from cluster {meta.ClusterId}, but the target's last restore ({record.Storage}) came from cluster {record.SourceClusterId}: nothing was restored; an incremental continues a chain of backups of one cluster");
        }

        if (record.EndVersion != meta.StartVersion)
        {
            var why = meta.StartVersion > record.EndVersion
                ? "a gap: an incremental between them is missing"
                : "out of order: it starts before what was restored last";
            throw new BrException(OutOfChainCode,
                $"{storage} starts at ts {meta.StartVersion} ({Tso.Format(meta.StartVersion)}) but the target's last restore ({record.Storage}) ends at ts {record.EndVersion} ({Tso.Format(record.EndVersion)}): {why}; nothing was restored; restore the incremental whose start ts is {record.EndVersion}");
        }
    }

    /// <summary>Records <paramref name="meta"/> as the backup the target restored last.</summary>
    public static Task WriteAsync(TxnClient client, BackupMeta meta, string storage, CancellationToken cancellationToken) =>
        client.RunInTransactionAsync(txn =>
        {
            var record = new RestoreChainRecord
            {
                SourceClusterId = meta.ClusterId,
                StartVersion = IsIncremental(meta) ? meta.StartVersion : 0,
                EndVersion = meta.EndVersion,
                Storage = storage,
                RestoredTs = txn.StartTs,
            };
            txn.Set(Key, JsonSerializer.SerializeToUtf8Bytes(record));
            return Task.CompletedTask;
        }, cancellationToken);
}
