namespace Cairn.Br;

/// <summary>What a backup covers: <c>br backup full|db|table|raw</c>.</summary>
public enum BackupKind
{
    /// <summary>Every table the filter matches (default <c>*.*</c>).</summary>
    Full,

    /// <summary>One or more whole databases.</summary>
    Database,

    /// <summary>One or more tables.</summary>
    Table,

    /// <summary>One raw-KV key range of one column family.</summary>
    Raw,
}
