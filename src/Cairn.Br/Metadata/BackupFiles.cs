using System.Text;

namespace Cairn.Br.Metadata;

/// <summary>Names (and the lock's content) of the files br itself writes into a backup folder.</summary>
public static class BackupFiles
{
    /// <summary>The top-level meta file, written once and last: its presence means the backup is complete.</summary>
    public const string Meta = "backupmeta";

    /// <summary>Written first, never removed: tells other jobs that the folder is taken.</summary>
    public const string Lock = "backup.lock";

    /// <summary>What <c>br debug decode</c> writes and <c>br debug encode</c> reads.</summary>
    public const string MetaJson = "backupmeta.json";

    /// <summary>Where <c>br debug encode</c> writes when <see cref="Meta"/> already exists.</summary>
    public const string MetaFromJson = "backupmeta_from_json";

    /// <summary>The folder that holds a running backup's checkpoint.</summary>
    public const string CheckpointFolder = "checkpoint";

    private static readonly byte[] LockBytes =
        Encoding.UTF8.GetBytes("DO NOT DELETE\nThis file exists to remind other backup jobs won't use this path");

    /// <summary>The content of <see cref="Lock"/>, the same text BR writes.</summary>
    public static ReadOnlyMemory<byte> LockContent => LockBytes;
}
