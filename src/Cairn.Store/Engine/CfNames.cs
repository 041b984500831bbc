namespace Cairn.Store.Engine;

/// <summary>Column family names, as TiKV names them.</summary>
internal static class CfNames
{
    /// <summary>Values of transactions too long to inline, keyed by start_ts; raw-KV data; local metadata.</summary>
    public const string Default = "default";

    /// <summary>Commit (and rollback) records keyed by commit_ts.</summary>
    public const string Write = "write";

    /// <summary>Percolator locks, one per key, without timestamp.</summary>
    public const string Lock = "lock";
}
