using Cairn.Rpc.Backup;

namespace Cairn.Rpc;

/// <summary>Methods of kvproto's <c>backup.Backup</c> service.</summary>
public static class BackupMethods
{
    /// <summary><c>/backup.Backup/backup</c>: one request, a stream of responses (one per backed-up range piece).</summary>
    public static readonly RpcMethod<BackupRequest, BackupResponse> Backup = new("/backup.Backup/backup", BackupRequest.Parser, BackupResponse.Parser);
}
