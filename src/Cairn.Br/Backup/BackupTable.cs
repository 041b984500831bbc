using Cairn.Client.Catalog;
using Cairn.Common.Keys;

namespace Cairn.Br.Backup;

/// <summary>
/// One table (or view) in a backup: its database and stored schema JSON, and the raw key ranges holding its data
/// (none for a view). A database backed up without tables has a null <see cref="Table"/>.
/// </summary>
/// <param name="Database">The database as read at the snapshot.</param>
/// <param name="DatabaseJson">The database's JSON as stored in the Schema message.</param>
/// <param name="Table">The table as read at the snapshot (non-public indexes dropped); null for an empty database.</param>
/// <param name="TableJson">The table's JSON as stored (auto-ID bases filled); empty for an empty database.</param>
/// <param name="Ranges">The ranges of every physical table: record range, then each public index.</param>
internal sealed record BackupTable(DBInfo Database, byte[] DatabaseJson, TableInfo? Table, byte[] TableJson, IReadOnlyList<KeyRange> Ranges)
{
    /// <summary><c>`db`.`table`</c>, for messages.</summary>
    public string Name => Table is null ? $"`{Database.Name.O}`" : $"`{Database.Name.O}`.`{Table.Name.O}`";

    /// <summary>Whether the table has rows to checksum (not a view, not an empty database).</summary>
    public bool HasData => Table is { IsView: false };
}
