using Cairn.Client.Catalog;
using Cairn.Common.Keys;

namespace Cairn.Br.Backup;

/// <summary>
/// The raw key ranges of a table (br-spec §b.8): for each physical id (each partition's, or the table's own) the
/// record range in int-handle or clustered form, then each public index's range. A clustered table's primary
/// key is its record key and has no index entries, so it has no range of its own; this matches what
/// <see cref="TableChecksum"/> sums.
/// </summary>
internal static class TableRanges
{
    /// <summary>The ranges of <paramref name="table"/>, in generation order (not merged); none for a view.</summary>
    public static IReadOnlyList<KeyRange> Of(TableInfo table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var ranges = new List<KeyRange>();
        foreach (var physicalId in table.PhysicalIds)
        {
            ranges.Add(TableCodec.RecordRange(physicalId, table.IsCommonHandle));
            foreach (var index in table.Indexes)
            {
                if (index.State == SchemaState.Public && !(index.IsPrimary && table.IsCommonHandle))
                {
                    ranges.Add(TableCodec.IndexRange(physicalId, index.Id));
                }
            }
        }

        return ranges;
    }
}
