using System.Globalization;
using Cairn.Rpc.ImportSstpb;

namespace Cairn.Store.Import;

/// <summary>
/// The store's import folder, <c>&lt;data-dir&gt;/import</c> as in TiKV: downloads land in <c>.temp/</c>, staged
/// (rewritten) SSTs wait in the folder itself under a name made of the SST's uuid, region, epoch and column family
/// (<c>{uuid}_{region}_{conf_ver}_{version}_{cf}.sst</c>, TiKV 5.1's form) until an ingest moves them into the
/// engine. Nothing in it survives a restart: staged files of a crashed store belong to requests nobody waits for.
/// </summary>
internal sealed class ImportDirectory
{
    private long _sequence;

    /// <summary>Wipes <paramref name="root"/> (left over by an earlier run) and recreates it with an empty <c>.temp/</c>.</summary>
    public ImportDirectory(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        TempDir = Path.Combine(Root, ".temp");
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }

        Directory.CreateDirectory(TempDir);
    }

    /// <summary>The folder staged SSTs live in.</summary>
    public string Root { get; }

    /// <summary>The folder downloads are written to before they are rewritten.</summary>
    public string TempDir { get; }

    /// <summary>
    /// A fresh path in <c>.temp/</c> for one download of <paramref name="name"/> (the storage path's last part,
    /// made unique so concurrent downloads of one file do not collide).
    /// </summary>
    public string NewTempPath(string name)
    {
        var leaf = Path.GetFileName(name.Replace('\\', '/').TrimEnd('/'));
        var unique = Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
        return Path.Combine(TempDir, $"{unique}_{(leaf.Length == 0 ? "file" : leaf)}");
    }

    /// <summary>
    /// The staged path of <paramref name="meta"/>; null when its uuid is not 16 bytes, which TiKV refuses too
    /// ("invalid uuid").
    /// </summary>
    public string? StagedPath(SSTMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        if (meta.Uuid.Length != 16)
        {
            return null;
        }

        var uuid = new Guid(meta.Uuid.Span, bigEndian: true).ToString("D");
        var cf = meta.CfName.Length == 0 ? "default" : meta.CfName;
        var epoch = meta.RegionEpoch;
        return Path.Combine(Root, string.Create(CultureInfo.InvariantCulture,
            $"{uuid}_{meta.RegionId}_{epoch?.ConfVer ?? 0}_{epoch?.Version ?? 0}_{cf}.sst"));
    }

    /// <summary>Staged SST files now in the folder.</summary>
    public IReadOnlyList<string> StagedFiles() => [.. Directory.EnumerateFiles(Root, "*.sst")];

    /// <summary>Free bytes on the file system of the folder.</summary>
    public long AvailableBytes() => new DriveInfo(Root).AvailableFreeSpace;
}
