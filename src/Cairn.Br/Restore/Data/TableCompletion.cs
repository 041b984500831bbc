using Microsoft.Extensions.Logging;

namespace Cairn.Br.Restore.Data;

/// <summary>Counts down each table's file groups and records the tables whose data is all in.</summary>
internal sealed class TableCompletion
{
    private readonly Dictionary<RestoreTableData, int> _left = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<RestoreTableData, (long Files, ulong Kvs, ulong Bytes)> _done = new(ReferenceEqualityComparer.Instance);
    private readonly List<RestoredTable> _completed = [];
    private readonly ILogger _logger;

    /// <summary>Starts counting; tables without file groups are complete at once.</summary>
    public TableCompletion(IReadOnlyList<RestoreTableData> tables, IReadOnlyList<FileGroup> groups, ILogger logger)
    {
        _logger = logger;
        foreach (var table in tables)
        {
            _left[table] = 0;
            _done[table] = (0, 0, 0);
        }

        foreach (var group in groups.Where(g => g.Table is not null))
        {
            _left[group.Table!]++;
        }

        foreach (var table in tables.Where(t => _left[t] == 0))
        {
            Complete(table);
        }
    }

    /// <summary>The tables complete so far, in completion order.</summary>
    public IReadOnlyList<RestoredTable> Completed
    {
        get
        {
            lock (_completed)
            {
                return [.. _completed];
            }
        }
    }

    /// <summary>Records that <paramref name="group"/> is in.</summary>
    public void GroupDone(FileGroup group)
    {
        if (group.Table is not { } table)
        {
            return;
        }

        lock (_completed)
        {
            var (files, kvs, bytes) = _done[table];
            _done[table] = (files + group.Files.Count, kvs + group.Kvs, bytes + group.Bytes);
            if (--_left[table] == 0)
            {
                Complete(table);
            }
        }
    }

    private void Complete(RestoreTableData table)
    {
        var (files, kvs, bytes) = _done[table];
        _completed.Add(new RestoredTable(table.Database, table.Table, table.NewPhysicalId, files, kvs, bytes));
        DataRestoreLog.TableDone(_logger, table.Database, table.Table, table.NewPhysicalId, files, kvs);
    }
}
