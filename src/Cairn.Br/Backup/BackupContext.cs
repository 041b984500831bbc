using Cairn.Br.Cluster;
using Cairn.Client;
using Cairn.Rpc.Backup;
using Microsoft.Extensions.Logging;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Backup;

/// <summary>What every range of one job shares: the cluster, the request template and where accepted pieces go.</summary>
internal sealed class BackupContext
{
    /// <summary>Creates the context.</summary>
    public BackupContext(ClusterConnection cluster, BackupRequest template, KeyMode keyMode, ILogger logger, Action<byte[], byte[], IReadOnlyList<BackupFile>> onPiece)
    {
        Cluster = cluster;
        Template = template;
        KeyMode = keyMode;
        Logger = logger;
        OnPiece = onPiece;
    }

    /// <summary>The cluster.</summary>
    public ClusterConnection Cluster { get; }

    /// <summary>The request every store gets, without its key range.</summary>
    public BackupRequest Template { get; }

    /// <summary>How raw keys map to region keys (txn: memcomparable; raw: as they are).</summary>
    public KeyMode KeyMode { get; }

    /// <summary>The job's log.</summary>
    public ILogger Logger { get; }

    /// <summary>Called once for every piece a store answered and the job accepted (checkpoint, progress).</summary>
    public Action<byte[], byte[], IReadOnlyList<BackupFile>> OnPiece { get; }

    /// <summary>
    /// The fine-grained phase's backoff budget per range: the total time it may sleep between rounds before it gives
    /// up naming the stores and ranges left (BR's 80 s).
    /// </summary>
    public TimeSpan FineGrainedBudget { get; init; } = TimeSpan.FromSeconds(80);

    /// <summary>Gaps retried at once in the fine-grained phase (BR's 4).</summary>
    public int FineGrainedWorkers { get; init; } = 4;

    /// <summary>The request for <c>[start, end)</c>.</summary>
    public BackupRequest RequestFor(byte[] start, byte[] end)
    {
        var request = Template.Clone();
        request.StartKey = Google.Protobuf.ByteString.CopyFrom(start);
        request.EndKey = Google.Protobuf.ByteString.CopyFrom(end);
        return request;
    }
}
