using System.Diagnostics;
using System.Globalization;
using Cairn.Br;
using Cairn.Br.Restore.Data;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Common.Hashing;
using Cairn.Common.Keys;
using Cairn.Rpc.Backup;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Workloads.Bulk;

/// <summary>
/// Loads rows into existing, empty tables without transactions, as TiDB Lightning's physical mode does: a start and
/// a commit timestamp from pd, every row and index entry encoded as committed MVCC records in key order into sorted
/// SST files in a staging folder, then the restore's import path (<see cref="SstImport"/>: split at the file
/// boundaries and the table prefix, scatter, import mode, Download and MultiIngest per region) puts them into the
/// cluster. Afterwards the table checksum must equal the one computed while encoding, AUTO_INCREMENT allocators
/// are moved past the loaded values, and the staging folder is removed whatever happened.
/// </summary>
public sealed class BulkLoader(CatalogClient catalog, BulkLoadOptions? options = null)
{
    private readonly BulkLoadOptions _options = options ?? new BulkLoadOptions();

    /// <summary>Loads <paramref name="tables"/>.</summary>
    /// <exception cref="BulkLoadException">A table cannot be bulk loaded, its rows are out of order or repeat a key, or the loaded checksum differs.</exception>
    /// <exception cref="BrException">The import failed (split, download or ingest).</exception>
    public async Task<BulkLoadResult> LoadAsync(IReadOnlyList<BulkTable> tables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.FileBytes, 1, nameof(BulkLoadOptions.FileBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ImportConcurrency, 1, nameof(BulkLoadOptions.ImportConcurrency));
        var logger = _options.Logger ?? NullLogger.Instance;
        var clock = Stopwatch.StartNew();
        var targets = new List<(BulkTable Table, DBInfo Db, TableInfo Info)>();
        foreach (var table in tables)
        {
            targets.Add(await OpenAsync(table, cancellationToken).ConfigureAwait(false));
        }

        // Both from pd, start before commit, as a transaction's: readers at a later timestamp see the rows.
        var pd = catalog.Client.Cache.Pd;
        var startTs = await pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
        var commitTs = await pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
        var staging = Path.Combine(_options.StagingRoot ?? Path.GetTempPath(), "cairn-bulk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        WorkloadLog.BulkStarted(logger, targets.Count, staging, startTs, commitTs);
        try
        {
            var encoded = new Encoded[targets.Count];
            await Parallel.ForAsync(0, targets.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, (i, token) =>
            {
                encoded[i] = Encode(targets[i].Table, targets[i].Info, staging, startTs, commitTs, _options.FileBytes, logger, token);
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
            var encodeTime = clock.Elapsed;

            var plans = targets.Select((t, i) => SstImport.Table(t.Table.Database, t.Table.Table, t.Info.Id, encoded[i].Files)).Where(p => p.Files.Count > 0).ToList();
            // Each file pair is already the size of a region: no merging, so the regions split at every file boundary.
            var backend = new StorageBackend { Local = new Local { Path = staging } };
            var imported = await SstImport.ImportAsync(catalog.Client, backend, plans, new DataRestoreOptions { Concurrency = _options.ImportConcurrency, MergeMaxBytes = 1, MergeMaxKvs = 1 }, logger, cancellationToken)
                .ConfigureAwait(false);
            var importTime = clock.Elapsed - encodeTime;
            WorkloadLog.BulkImported(logger, imported.Files, imported.Ranges, (long)importTime.TotalMilliseconds);

            var checksums = new TableChecksum(catalog.Client);
            for (var i = 0; i < targets.Count; i++)
            {
                var (table, db, info) = targets[i];
                var ts = await pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
                var loaded = await checksums.ChecksumTableAsync(info, ts, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (loaded != encoded[i].Checksum)
                {
                    throw new BulkLoadException($"table {table.Database}.{table.Table} holds {loaded.TotalKvs} kvs ({loaded.TotalBytes} bytes, crc64xor {loaded.Crc64Xor:x16}) after the load, "
                        + $"{encoded[i].Checksum.TotalKvs} kvs ({encoded[i].Checksum.TotalBytes} bytes, crc64xor {encoded[i].Checksum.Crc64Xor:x16}) were loaded: was it written to during the load? drop it and load again");
                }

                if (encoded[i].AutoIncrementMax is { } max)
                {
                    await catalog.ObserveAutoIdAsync(db.Id, info.Id, max, cancellationToken).ConfigureAwait(false);
                }
            }

            var sum = encoded.Aggregate(KvChecksum.Empty, (s, e) => s + e.Checksum);
            var files = encoded.SelectMany(e => e.Files).ToList();
            return new BulkLoadResult(targets.Sum(t => t.Table.Rows), sum.TotalKvs, sum.TotalBytes, files.Count, files.Sum(f => (long)f.Size), imported.Ranges,
                encodeTime, importTime, clock.Elapsed);
        }
        finally
        {
            try
            {
                Directory.Delete(staging, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WorkloadLog.StagingNotRemoved(logger, staging, e.Message);
            }
        }
    }

    private static Encoded Encode(BulkTable table, TableInfo info, string staging, ulong startTs, ulong commitTs, long fileBytes, ILogger logger, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var writer = new TableSstWriter(staging, "t" + info.Id.ToString(CultureInfo.InvariantCulture), info.Id, startTs, commitTs, fileBytes);
        var indexes = TableLayout.SecondaryIndexes(info).Where(i => i.State is SchemaState.WriteOnly or SchemaState.WriteReorganization or SchemaState.Public).ToArray();
        var autoIncrement = info.Columns.FirstOrDefault(c => (c.Type.Flag & FieldType.AutoIncrementFlag) != 0)?.Name.L;

        // One pass over the rows. Index keys (t{id}_i…) sort before record keys (t{id}_r…), so the index entries are
        // sorted in memory and written first, and the encoded rows wait in memory for their turn.
        var rows = checked((int)table.Rows);
        var recordKeys = new byte[rows][];
        var recordValues = new byte[rows][];
        var indexKeys = new byte[checked(rows * indexes.Length)][];
        var indexValues = new byte[indexKeys.Length][];
        long? autoMax = null;
        for (var n = 0; n < rows; n++)
        {
            if ((n & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var row = RowOf(table, n);
            var handle = TableLayout.HandleOf(info, row);
            recordKeys[n] = handle.RecordKey(info.Id);
            recordValues[n] = TableLayout.EncodeRow(info, row);
            for (var i = 0; i < indexes.Length; i++)
            {
                var at = (n * indexes.Length) + i;
                (indexKeys[at], indexValues[at], _) = TableLayout.IndexEntry(info, info.Id, indexes[i], row, handle);
            }

            if (autoIncrement is not null && TableLayout.Value(row, autoIncrement) is { IsNull: false } value)
            {
                autoMax = Math.Max(autoMax ?? long.MinValue, value.Int64);
            }
        }

        Array.Sort(indexKeys, indexValues, ByteKeyComparer.Instance);
        for (var i = 0; i < indexKeys.Length; i++)
        {
            if (i > 0 && indexKeys[i].AsSpan().SequenceEqual(indexKeys[i - 1]))
            {
                var (_, indexId) = TableCodec.DecodeIndexKey(indexKeys[i], out _);
                throw new BulkLoadException($"table {table.Database}.{table.Table}: two rows have the same entry in unique index {info.Indexes.First(x => x.Id == indexId).Name}; fix the rows and load again");
            }

            writer.Add(indexKeys[i], indexValues[i]);
            indexKeys[i] = null!;
        }

        for (var n = 0; n < rows; n++)
        {
            writer.Add(recordKeys[n], recordValues[n]);
            recordKeys[n] = null!;
            recordValues[n] = null!;
        }

        var files = writer.Finish();
        WorkloadLog.TableEncoded(logger, table.Database, table.Table, table.Rows, writer.Checksum.TotalKvs, files.Count, files.Sum(f => (long)f.Size), (long)clock.Elapsed.TotalMilliseconds);
        return new Encoded(files, writer.Checksum, autoMax);
    }

    private static Dictionary<string, Datum> RowOf(BulkTable table, long n)
    {
        var row = new Dictionary<string, Datum>(StringComparer.Ordinal);
        foreach (var (name, value) in table.Row(n))
        {
            row[name.ToLowerInvariant()] = value;
        }

        return row;
    }

    private async Task<(BulkTable Table, DBInfo Db, TableInfo Info)> OpenAsync(BulkTable table, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(table.Rows, nameof(table.Rows));
        var db = await catalog.GetDatabaseAsync(table.Database, null, cancellationToken).ConfigureAwait(false)
            ?? throw new BulkLoadException($"database {table.Database} does not exist: create it (and the table) before bulk loading");
        var info = await catalog.GetTableAsync(table.Database, table.Table, null, cancellationToken).ConfigureAwait(false)
            ?? throw new BulkLoadException($"table {table.Database}.{table.Table} does not exist: create it before bulk loading");
        if (info.IsView || info.Partition is not null || (!info.PkIsHandle && !info.IsCommonHandle))
        {
            throw new BulkLoadException($"table {table.Database}.{table.Table} cannot be bulk loaded: only tables that are not partitioned and have an integer or clustered primary key can; load it in transactions");
        }

        var ts = await catalog.Client.Cache.Pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
        var existing = await new TableChecksum(catalog.Client).ChecksumTableAsync(info, ts, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (existing.TotalKvs != 0)
        {
            throw new BulkLoadException($"table {table.Database}.{table.Table} already holds {existing.TotalKvs} kvs: a bulk load needs an empty table; truncate it or load in transactions");
        }

        return (table, db, info);
    }

    private sealed record Encoded(IReadOnlyList<BackupFile> Files, KvChecksum Checksum, long? AutoIncrementMax);
}
