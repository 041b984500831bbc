namespace Cairn.Br;

/// <summary>What a restore covers: <c>br restore full|db|table|raw</c>.</summary>
public enum RestoreKind
{
    /// <summary>Every table of the backup the filter matches (default: all but the system databases).</summary>
    Full,

    /// <summary>One or more whole databases of the backup.</summary>
    Database,

    /// <summary>One or more tables of the backup.</summary>
    Table,

    /// <summary>A raw-KV range of a raw backup.</summary>
    Raw,
}
