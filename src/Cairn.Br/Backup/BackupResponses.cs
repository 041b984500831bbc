using Cairn.Client.Regions;
using Cairn.Rpc.Backup;

namespace Cairn.Br.Backup;

/// <summary>
/// Reads a <see cref="BackupResponse"/> (br-spec §b.11): no error → accepted; a lock or a region error → retried
/// by the fine-grained phase; a storage message that only says a connection dropped (BR's list) → retried; a
/// cluster id mismatch, any other key error and any other message → the job fails with the store's words.
/// </summary>
internal static class BackupResponses
{
    private static readonly string[] RetryableMessages =
    [
        "server closed", "connection refused", "connection reset by peer", "channel closed", "error trying to connect",
        "connection closed before message completed", "body write aborted", "error during dispatch",
    ];

    /// <summary>Classifies <paramref name="response"/>; throws <see cref="BrException"/> for what cannot be retried.</summary>
    public static ResponseKind Classify(BackupResponse response, ulong storeId)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Error is not { } error)
        {
            return ResponseKind.Accepted;
        }

        switch (error.DetailCase)
        {
            case Error.DetailOneofCase.ClusterIdError:
                throw new BrException("ErrKVClusterIDMismatch",
                    $"store {storeId} belongs to cluster {error.ClusterIdError.Current}, not {error.ClusterIdError.Request}: check -u/--pd names the cluster you mean to back up");
            case Error.DetailOneofCase.KvError when error.KvError.Locked is not null:
                return ResponseKind.Locked;
            case Error.DetailOneofCase.KvError:
                throw new BrException("ErrKVUnknown", $"store {storeId} failed backing up {Keys.Describe(response.StartKey.Span, response.EndKey.Span)}: {error.KvError}");
            case Error.DetailOneofCase.RegionError:
                return ResponseKind.RegionError;
        }

        if (IsRetryableMessage(error.Msg))
        {
            return ResponseKind.Retryable;
        }

        var hint = error.Msg.Contains("io", StringComparison.OrdinalIgnoreCase) && error.Msg.Contains("notfound", StringComparison.OrdinalIgnoreCase)
            ? " (the store could not find the storage path: local:// storage is each store's own folder, so it must exist on every store)"
            : error.Msg.Contains("permissiondenied", StringComparison.OrdinalIgnoreCase) || error.Msg.Contains("permission denied", StringComparison.OrdinalIgnoreCase)
                ? " (the store may not write to the storage: check its permissions or credentials)"
                : "";
        throw new BrException("ErrKVStorage", $"store {storeId} could not write the backup: {error.Msg}{hint}");
    }

    /// <summary>Why a retried response was retried, for the error when the budget runs out.</summary>
    public static string Describe(BackupResponse response) => response.Error switch
    {
        null => "ok",
        { RegionError: { } region } => RegionCache.Describe(region),
        { KvError.Locked: { } locked } => $"locked by txn {locked.LockVersion}",
        { } other => other.Msg,
    };

    /// <summary>Whether a store's message only says that a connection dropped (BR's list, case-insensitive).</summary>
    public static bool IsRetryableMessage(string message) =>
        !string.IsNullOrEmpty(message) && RetryableMessages.Any(m => message.Contains(m, StringComparison.OrdinalIgnoreCase));
}
