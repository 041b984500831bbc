using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Cairn.Common.Hashing;
using Cairn.Common.Keys;
using Cairn.Storage;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Debug;

/// <summary>
/// <c>br debug checksum</c>: re-reads every data file the backup names and compares its SHA-256 and size with
/// backupmeta's, and adds up each table's crc64xor/kvs/bytes from the files' metadata (table from each file's start
/// key) to compare with what the schema recorded.
/// </summary>
public static class BackupChecksum
{
    private const int BufferSize = 1 << 20;

    /// <summary>Checks the backup in <paramref name="storage"/>, reading up to <paramref name="concurrency"/> files at once.</summary>
    public static Task<ChecksumReport> RunAsync(IExternalStorage storage, int concurrency = 8, CancellationToken cancellationToken = default) =>
        RunAsync(storage, concurrency, null, cancellationToken);

    /// <summary>The check of an encrypted backup read with <paramref name="encryption"/> (the SSTs' SHA-256 is of their stored bytes).</summary>
    public static async Task<ChecksumReport> RunAsync(IExternalStorage storage, int concurrency, Crypto.BackupEncryption? encryption, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrency);
        var (reader, files, tables) = await LoadedBackup.LoadAsync(storage, encryption, cancellationToken).ConfigureAwait(false);
        var problems = new ConcurrentBag<(int Index, FileProblem Problem)>();
        long bytes = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var (problem, read) = await CheckFileAsync(storage, files[i], ct).ConfigureAwait(false);
            Interlocked.Add(ref bytes, read);
            if (problem is not null)
            {
                problems.Add((i, problem));
            }
        }).ConfigureAwait(false);

        var sums = reader.Meta.IsRawKv ? [] : SumTables(files, tables);
        return new ChecksumReport(sums, [.. problems.OrderBy(p => p.Index).Select(p => p.Problem)], files.Count, bytes);
    }

    private static List<TableChecksum> SumTables(List<BackupFile> files, List<BackupTable> tables)
    {
        var byPhysical = new Dictionary<long, BackupTable>();
        foreach (var table in tables)
        {
            foreach (var id in table.PhysicalIds)
            {
                byPhysical[id] = table;
            }
        }
        var sums = new Dictionary<BackupTable, (KvChecksum Sum, int Files)>(ReferenceEqualityComparer.Instance);
        var unknown = new SortedDictionary<long, (KvChecksum Sum, int Files)>();
        foreach (var file in files)
        {
            var physical = TableCodec.DecodeTableId(file.StartKey.Span);
            var checksum = new KvChecksum(file.Crc64Xor, file.TotalKvs, file.TotalBytes);
            if (byPhysical.TryGetValue(physical, out var table))
            {
                var (sum, count) = sums.GetValueOrDefault(table);
                sums[table] = (sum + checksum, count + 1);
            }
            else
            {
                var (sum, count) = unknown.GetValueOrDefault(physical);
                unknown[physical] = (sum + checksum, count + 1);
            }
        }
        var result = new List<TableChecksum>();
        foreach (var table in tables)
        {
            var (sum, count) = sums.GetValueOrDefault(table);
            var schema = new KvChecksum(table.Schema.Crc64Xor, table.Schema.TotalKvs, table.Schema.TotalBytes);
            result.Add(new TableChecksum(table.Database, table.Name, table.Id, count, sum, schema == KvChecksum.Empty && count > 0 ? null : schema));
        }
        foreach (var (id, (sum, count)) in unknown)
        {
            result.Add(new TableChecksum(null, null, id, count, sum, null));
        }
        return result;
    }

    private static async Task<(FileProblem? Problem, long Read)> CheckFileAsync(IExternalStorage storage, BackupFile file, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long read = 0;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var stream = await storage.OpenReadAsync(file.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int n;
                while ((n = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    read += n;
                }
            }
            if ((ulong)read != file.Size)
            {
                return (new FileProblem(file.Name, FileProblemKind.SizeMismatch, $"{file.Name} has {read} bytes, backupmeta recorded {file.Size}"), read);
            }
            if (!hash.GetHashAndReset().AsSpan().SequenceEqual(file.Sha256.Span))
            {
                return (new FileProblem(file.Name, FileProblemKind.Sha256Mismatch, $"{file.Name} is corrupt: its SHA-256 differs from the one backupmeta recorded"), read);
            }
            return (null, read);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return (new FileProblem(file.Name, FileProblemKind.Missing, $"{file.Name} is missing from {storage.Uri}"), read);
        }
        catch (StorageException e)
        {
            return (new FileProblem(file.Name, FileProblemKind.Unreadable, $"{file.Name} could not be read: {e.Message}"), read);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
