using Cairn.Client.Catalog;
using Cairn.Rpc.Backup;

namespace Cairn.Br.Restore;

/// <summary>One table or view of the backup the restore selected, where it goes, and what the job did with it.</summary>
internal sealed class RestoreTarget
{
    /// <summary>Creates the target of <paramref name="backup"/> (database name as matched, temporary prefix removed).</summary>
    public RestoreTarget(string sourceDatabase, TableInfo backup, Schema schema, string targetDatabase, string targetTable, bool routed)
    {
        SourceDatabase = sourceDatabase;
        Backup = backup;
        Schema = schema;
        TargetDatabase = targetDatabase;
        TargetTable = targetTable;
        Routed = routed;
    }

    /// <summary>The database in the backup.</summary>
    public string SourceDatabase { get; }

    /// <summary>The table or view in the backup.</summary>
    public string SourceTable => Backup.Name.O;

    /// <summary>The definition as backed up (old ids).</summary>
    public TableInfo Backup { get; }

    /// <summary>The backup's schema entry (with the table's checksum).</summary>
    public Schema Schema { get; }

    /// <summary>The database restored into.</summary>
    public string TargetDatabase { get; }

    /// <summary>The name restored as.</summary>
    public string TargetTable { get; }

    /// <summary>Whether a table route (<c>--rename</c>) chose the target name.</summary>
    public bool Routed { get; }

    /// <summary>The target table the data goes to (created by the job, or an existing empty one); set once known.</summary>
    public TableInfo? Target { get; set; }

    /// <summary>Whether this job created <see cref="Target"/>.</summary>
    public bool CreatedByJob { get; set; }

    /// <summary>Whether the data was restored and verified.</summary>
    public bool Restored { get; set; }

    /// <summary><c>db.table</c> of the target, for messages.</summary>
    public string TargetName => $"{TargetDatabase}.{TargetTable}";

    /// <summary><c>db.table</c> in the backup, for messages.</summary>
    public string SourceName => $"{SourceDatabase}.{SourceTable}";
}
