using System.Text.RegularExpressions;
using Cairn.Br.Filter;
using Cairn.Client.Catalog;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Restore.Incremental;

/// <summary>
/// Replays an incremental backup's DDL jobs on the target before its data (br-spec §c, restore side), in the order
/// of their schema versions, each mapped onto the target's current objects by name: create/drop database, create
/// table or view from the job's definition (new ids), drop table or view, truncate (a new id), rename, add index
/// (the definition, public at once and not backfilled: the incremental holds every entry of an index created after
/// the previous backup) and drop index. A job whose effect the target already shows is skipped, so replaying is
/// idempotent; jobs outside the restore's selection are left out.
/// </summary>
internal sealed partial class DdlReplayer
{
    private readonly CatalogClient _catalog;
    private readonly TableFilter _filter;
    private readonly ILogger _logger;

    public DdlReplayer(CatalogClient catalog, TableFilter filter, ILogger logger)
    {
        _catalog = catalog;
        _filter = filter;
        _logger = logger;
    }

    /// <summary>The jobs of the backup's <c>ddls</c> JSON array, in replay order (ascending schema version).</summary>
    /// <exception cref="BrException">The array cannot be decoded.</exception>
    public static IReadOnlyList<DdlJob> Decode(ReadOnlyMemory<byte> ddls)
    {
        if (ddls.IsEmpty)
        {
            return [];
        }

        try
        {
            return [.. CatalogJson.Deserialize<List<DdlJob>>(ddls.Span).OrderBy(j => j.Binlog.SchemaVersion).ThenBy(j => j.Id)];
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new BrException("ErrRestoreInvalidBackup", $"the backup's DDL jobs (ddls) cannot be decoded: {JobErrors.OneLine(e.Message)}; take the incremental backup again", e);
        }
    }

    /// <summary>Replays <paramref name="jobs"/> (in the order given); returns how many changed the target.</summary>
    /// <exception cref="CatalogException">A job cannot be applied to the target (for example a view over a table the restore left out).</exception>
    public async Task<int> ReplayAsync(IReadOnlyList<DdlJob> jobs, CancellationToken cancellationToken)
    {
        var applied = 0;
        foreach (var job in jobs)
        {
            var reason = await ApplyAsync(job, cancellationToken).ConfigureAwait(false);
            if (reason is null)
            {
                applied++;
                IncrementalRestoreLog.Replayed(_logger, job.Id, job.Binlog.SchemaVersion, job.Type.ToString(), job.Query);
            }
            else
            {
                IncrementalRestoreLog.NothingToReplay(_logger, job.Id, job.Type.ToString(), reason);
            }
        }

        return applied;
    }

    /// <summary>Applies one job; null when it changed the target, else why not.</summary>
    private async Task<string?> ApplyAsync(DdlJob job, CancellationToken cancellationToken)
    {
        switch (job.Type)
        {
            case DdlActionType.CreateSchema:
            {
                var name = job.Binlog.DbInfo?.Name.O ?? job.SchemaName;
                if (!_filter.MatchSchema(name))
                {
                    return "not selected";
                }

                if (await _catalog.GetDatabaseAsync(name, null, cancellationToken).ConfigureAwait(false) is not null)
                {
                    return $"database {name} exists";
                }

                await _catalog.CreateDatabaseAsync(name, cancellationToken).ConfigureAwait(false);
                return null;
            }

            case DdlActionType.DropSchema:
            {
                var name = job.Binlog.DbInfo?.Name.O ?? job.SchemaName;
                if (!_filter.MatchSchema(name))
                {
                    return "not selected";
                }

                if (await _catalog.GetDatabaseAsync(name, null, cancellationToken).ConfigureAwait(false) is null)
                {
                    return $"no database {name}";
                }

                await _catalog.DropDatabaseAsync(name, cancellationToken).ConfigureAwait(false);
                return null;
            }

            case DdlActionType.CreateTable or DdlActionType.CreateView:
            {
                var definition = job.Binlog.TableInfo;
                if (definition is null)
                {
                    return "the job holds no definition";
                }

                if (!_filter.MatchTable(job.SchemaName, definition.Name.O))
                {
                    return "not selected";
                }

                if (await _catalog.GetTableAsync(job.SchemaName, definition.Name.O, null, cancellationToken).ConfigureAwait(false) is not null)
                {
                    return $"{job.SchemaName}.{definition.Name.O} exists";
                }

                var table = definition with
                {
                    State = SchemaState.Public,
                    Indexes = [.. definition.Indexes.Where(i => i.State == SchemaState.Public)],
                };
                await _catalog.CreateTablesAsync(job.SchemaName, [table], 1, null, cancellationToken).ConfigureAwait(false);
                return null;
            }

            case DdlActionType.DropTable or DdlActionType.DropView:
            {
                var existing = await SelectedTableAsync(job.SchemaName, job.TableName, cancellationToken).ConfigureAwait(false);
                if (existing is null)
                {
                    return $"no {job.SchemaName}.{job.TableName} to drop (or not selected)";
                }

                if (existing.IsView)
                {
                    await _catalog.DropViewAsync(job.SchemaName, job.TableName, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _catalog.DropTableAsync(job.SchemaName, job.TableName, cancellationToken).ConfigureAwait(false);
                }

                return null;
            }

            case DdlActionType.TruncateTable:
            {
                if (await SelectedTableAsync(job.SchemaName, job.TableName, cancellationToken).ConfigureAwait(false) is null)
                {
                    return $"no {job.SchemaName}.{job.TableName} to truncate (or not selected)";
                }

                await _catalog.TruncateTableAsync(job.SchemaName, job.TableName, cancellationToken).ConfigureAwait(false);
                return null;
            }

            case DdlActionType.RenameTable:
            {
                var match = RenameQuery().Match(job.Query);
                if (!match.Success)
                {
                    throw new BrException("ErrRestoreInvalidBackup", $"DDL job {job.Id} renames a table but its query does not say from what: '{job.Query}'; take a full backup instead");
                }

                var (fromDb, from, toDb, to) = (Unquote(match.Groups[1].Value), Unquote(match.Groups[2].Value), Unquote(match.Groups[3].Value), Unquote(match.Groups[4].Value));
                if (!_filter.MatchTable(fromDb, from) && !_filter.MatchTable(toDb, to))
                {
                    return "not selected";
                }

                if (await _catalog.GetTableAsync(fromDb, from, null, cancellationToken).ConfigureAwait(false) is null)
                {
                    return $"no {fromDb}.{from} to rename";
                }

                await _catalog.RenameTableAsync(fromDb, from, toDb, to, cancellationToken).ConfigureAwait(false);
                return null;
            }

            case DdlActionType.AddIndex:
            {
                var after = job.Binlog.TableInfo;
                var existing = await SelectedTableAsync(job.SchemaName, job.TableName, cancellationToken).ConfigureAwait(false);
                if (after is null || existing is null)
                {
                    return $"no {job.SchemaName}.{job.TableName} (or not selected)";
                }

                var added = 0;
                foreach (var index in after.Indexes.Where(i => i.State == SchemaState.Public && existing.FindIndex(i.Name.O) is null))
                {
                    await _catalog.AddIndexDefinitionAsync(job.SchemaName, job.TableName, index, cancellationToken).ConfigureAwait(false);
                    added++;
                }

                return added > 0 ? null : "the index exists";
            }

            case DdlActionType.DropIndex:
            {
                var after = job.Binlog.TableInfo;
                var existing = await SelectedTableAsync(job.SchemaName, job.TableName, cancellationToken).ConfigureAwait(false);
                if (after is null || existing is null)
                {
                    return $"no {job.SchemaName}.{job.TableName} (or not selected)";
                }

                var dropped = 0;
                foreach (var index in existing.Indexes.Where(i => after.FindIndex(i.Name.O) is null && !(i.IsPrimary && existing.IsCommonHandle)))
                {
                    await _catalog.DropIndexAsync(job.SchemaName, job.TableName, index.Name.O, cancellationToken).ConfigureAwait(false);
                    dropped++;
                }

                return dropped > 0 ? null : "the index is gone";
            }

            default:
                // Auto-id rebases are redone from the backed-up definitions after the data; batch creates (a restore
                // into the source) are covered by creating the backup's tables that the target lacks.
                return "not replayed (its effect comes with the backed-up definitions)";
        }
    }

    private async Task<TableInfo?> SelectedTableAsync(string database, string table, CancellationToken cancellationToken) =>
        _filter.MatchTable(database, table) ? await _catalog.GetTableAsync(database, table, null, cancellationToken).ConfigureAwait(false) : null;

    private static string Unquote(string quoted) => quoted.Replace("``", "`", StringComparison.Ordinal);

    [GeneratedRegex(@"^RENAME TABLE `((?:[^`]|``)+)`\.`((?:[^`]|``)+)` TO `((?:[^`]|``)+)`\.`((?:[^`]|``)+)`$", RegexOptions.CultureInvariant)]
    private static partial Regex RenameQuery();
}
