using System.Buffers;
using Cairn.Common;
using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Rpc.ImportSstpb;
using Cairn.Storage;
using Cairn.Store.Crypto;
using Cairn.Store.Engine;
using Google.Protobuf;
using ImportRange = Cairn.Rpc.ImportSstpb.Range;

namespace Cairn.Store.Import;

/// <summary>
/// The Download half of restore (br-spec-2 §2): fetch one backup SST into <c>.temp/</c> through the store-wide
/// limiter, check its size and block checksums, rewrite its keys under the request's rule, clip them to the
/// requested range and stage the result for the SST's column family. The C API of RocksDB has no SST reader, so a
/// downloaded file is opened by moving it into a scratch RocksDB of its own and reading that with checksum
/// verification on; a truncated or damaged file fails there.
/// </summary>
internal sealed class SstDownloader
{
    private const int CopyBufferSize = 64 * 1024;
    private readonly ImportDirectory _dir;
    private readonly DownloadLimiter _limiter;
    private readonly Func<Rpc.Backup.StorageBackend, CancellationToken, ValueTask<IExternalStorage>> _openStorage;
    private readonly long _diskReserve;
    private readonly SemaphoreSlim _slots;

    /// <summary>Creates the downloader.</summary>
    public SstDownloader(ImportDirectory dir, DownloadLimiter limiter,
        Func<Rpc.Backup.StorageBackend, CancellationToken, ValueTask<IExternalStorage>> openStorage, int concurrency, long diskReserve)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        _dir = dir;
        _limiter = limiter;
        _openStorage = openStorage;
        _diskReserve = diskReserve;
        _slots = new SemaphoreSlim(concurrency, concurrency);
    }

    /// <summary>Downloads, rewrites and stages one file; failures are <see cref="ImportException"/>s.</summary>
    public async Task<DownloadResponse> DownloadAsync(DownloadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var meta = request.Sst ?? throw new ImportException("the download request has no sst", isTransient: false);
        var name = request.Name;
        if (string.IsNullOrEmpty(name))
        {
            throw new ImportException("the download request names no file", isTransient: false);
        }

        var staged = _dir.StagedPath(meta) ?? throw new ImportException($"invalid uuid: the sst uuid of '{name}' must be 16 bytes, got {meta.Uuid.Length}", isTransient: false);
        var cf = meta.CfName is "" or CfNames.Default or CfNames.Write
            ? (meta.CfName.Length == 0 ? CfNames.Default : meta.CfName)
            : throw new ImportException($"cannot import '{name}' into column family '{meta.CfName}': only default and write are imported", isTransient: false);
        if (SstCipher.Check(request.CipherInfo) is { } badCipher)
        {
            throw new ImportException($"cannot download '{name}': {badCipher}", isTransient: false);
        }

        if (SstCipher.From(request.CipherInfo) is not null && meta.CipherIv.Length != Common.Crypto.AesCtr.IvLength)
        {
            throw new ImportException($"cannot download '{name}': the request is encrypted but the sst's cipher_iv has {meta.CipherIv.Length} bytes, not {Common.Crypto.AesCtr.IvLength}", isTransient: false);
        }

        var rule = request.RewriteRule ?? new RewriteRule();
        var rewriter = new KeyRewriter(rule.OldKeyPrefix.Span, rule.NewKeyPrefix.Span, rule.NewTimestamp);
        var range = meta.Range ?? new ImportRange();
        var start = rewriter.MapBoundToOld(range.Start.Span, isExclusiveEnd: false)
            ?? throw new ImportException($"SST start range has wrong prefix: {Convert.ToHexString(range.Start.Span)} does not start with {Convert.ToHexString(rule.NewKeyPrefix.Span)} ('{name}')", isTransient: false);
        var end = rewriter.MapBoundToOld(range.End.Span, meta.EndKeyExclusive)
            ?? throw new ImportException($"SST end range has wrong prefix: {Convert.ToHexString(range.End.Span)} does not start with {Convert.ToHexString(rule.NewKeyPrefix.Span)} ('{name}')", isTransient: false);

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var temp = _dir.NewTempPath(name);
        var scratch = temp + ".db";
        try
        {
            CheckDiskSpace(name, meta.Length);
            await FetchAsync(request, temp, cancellationToken).ConfigureAwait(false);
            return Rewrite(name, temp, scratch, staged, cf, rewriter, start, end, meta.EndKeyExclusive, SstCipher.From(request.CipherInfo) is not null);
        }
        finally
        {
            TryDelete(temp);
            TryDeleteDirectory(scratch);
            _slots.Release();
        }
    }

    private void CheckDiskSpace(string name, ulong length)
    {
        // The download and its rewritten copy coexist until the download is deleted.
        var needed = (long)Math.Min(2.0 * length + _diskReserve, long.MaxValue);
        var available = _dir.AvailableBytes();
        if (available < needed)
        {
            throw new ImportException(
                $"not enough disk space to download '{name}': {ByteSize.Format((ulong)available)} free in {_dir.Root}, " +
                $"{ByteSize.Format((ulong)needed)} needed (twice the file plus a reserve of {ByteSize.Format((ulong)_diskReserve)}); free space on the store or lower the reserve",
                isTransient: true);
        }
    }

    private async Task FetchAsync(DownloadRequest request, string temp, CancellationToken cancellationToken)
    {
        var name = request.Name;
        long copied = 0;
        IExternalStorage? storage = null;
        try
        {
            // An encrypted file is decrypted as it arrives (TiKV does the same), so the plaintext is what lands in .temp/.
            using var decryptor = SstCipher.From(request.CipherInfo)?.Encryptor(request.Sst.CipherIv.Span);
            storage = await _openStorage(request.StorageBackend ?? new Rpc.Backup.StorageBackend(), cancellationToken).ConfigureAwait(false);
            var source = await storage.OpenReadAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var target = new FileStream(temp, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Options = FileOptions.Asynchronous,
                    BufferSize = 0,
                });
                await using (target.ConfigureAwait(false))
                {
                    var buffer = new byte[CopyBufferSize];
                    int n;
                    while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await _limiter.TakeAsync(n, cancellationToken).ConfigureAwait(false);
                        decryptor?.Transform(buffer.AsSpan(0, n));
                        await target.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                        copied += n;
                    }

                    target.Flush(flushToDisk: true);
                }
            }
        }
        catch (Exception e) when (StorageErrors.Classify(e, $"download '{name}'", cancellationToken) is { } classified)
        {
            var where = storage?.Uri ?? "the request's storage";
            var missing = classified.Kind is StorageErrorKind.NotFound;
            throw new ImportException(
                missing
                    ? $"backup file '{name}' does not exist in {where}; check that the backup is complete and the storage is the one it was written to"
                    : $"cannot read backup file '{name}' from {where}: {classified.Message}",
                isTransient: classified.IsTransient && !missing,
                e);
        }
        finally
        {
            if (storage is not null)
            {
                await storage.DisposeAsync().ConfigureAwait(false);
            }
        }

        var expected = request.Sst.Length;
        if (expected != 0 && (ulong)copied != expected)
        {
            throw new ImportException($"downloaded size {copied}, expected {expected}, for backup file '{name}'", isTransient: true);
        }
    }

    private DownloadResponse Rewrite(string name, string temp, string scratch, string staged, string cf, KeyRewriter rewriter,
        byte[] oldStart, byte[] oldEnd, bool endExclusive, bool encrypted)
    {
        using var db = OpenScratch(name, temp, scratch, encrypted);
        var building = staged + ".tmp";
        var writer = SstFileWriter.Create(building, WriterOptions(cf));
        byte[]? first = null;
        var last = new ArrayBufferWriter<byte>(256);
        try
        {
            using (var it = db.NewIterator(db.DefaultColumnFamily, new ReadOptions { VerifyChecksums = true, FillCache = false }))
            {
                // The scan starts at the first key, not at the range: a damaged first block can give the file a
                // wrong smallest key when it is ingested (that read does not verify checksums), and a seek past it
                // would then skip the file without reading, and so without checking, a single block. Keys after the
                // range are not read: a range ends inside one table's keys, and the blocks past it are not restored.
                var isWrite = cf == CfNames.Write;
                for (it.SeekToFirst(); it.Valid; it.Next())
                {
                    var dataKey = it.Key;
                    if (dataKey.IsEmpty || dataKey[0] != MvccKey.DataPrefix)
                    {
                        throw new ImportException($"Key in SST '{name}' is not a data key: {Convert.ToHexString(dataKey)}", isTransient: false);
                    }

                    var origin = dataKey[1..];
                    if (origin.SequenceCompareTo(oldStart) < 0)
                    {
                        continue;
                    }

                    if (oldEnd.Length > 0)
                    {
                        var order = origin.SequenceCompareTo(oldEnd);
                        if (order > 0 || (order == 0 && endExclusive))
                        {
                            break;
                        }
                    }

                    if (!rewriter.TryRewriteToDataKey(origin, out var rewritten))
                    {
                        throw new ImportException(
                            $"Key in SST '{name}' has wrong prefix: key {Convert.ToHexString(origin)} does not start with {Convert.ToHexString(rewriter.OldPrefix)}"
                            + (rewriter.RewritesTimestamps && origin.StartsWith(rewriter.OldPrefix) ? " followed by a timestamp" : string.Empty),
                            isTransient: false);
                    }

                    // An incremental backup holds every version of a key in its window, newest first. Rewritten to
                    // one new timestamp they all become the same key; the newest version is the one the window ends
                    // with, so the older ones are dropped (for both column families: a key's commits follow its
                    // transactions' start order).
                    if (rewriter.RewritesTimestamps && last.WrittenCount > 0 && rewritten[1..].SequenceEqual(last.WrittenSpan))
                    {
                        continue;
                    }

                    var value = isWrite ? rewriter.RewriteWriteValue(it.Value) : it.Value;
                    writer.Put(rewritten, value);
                    first ??= rewritten[1..].ToArray();
                    last.ResetWrittenCount();
                    last.Write(rewritten[1..]);
                }

                try
                {
                    it.ThrowIfError();
                }
                catch (RocksDbException e)
                {
                    throw Corrupt(name, e, encrypted);
                }
            }

            if (!writer.TryFinish(out _))
            {
                return new DownloadResponse { IsEmpty = true, Range = new ImportRange() };
            }

            File.Move(building, staged, overwrite: true);
            return new DownloadResponse { Range = new ImportRange { Start = ByteString.CopyFrom(first), End = ByteString.CopyFrom(last.WrittenSpan) } };
        }
        catch (Common.Codec.CodecException e)
        {
            throw new ImportException($"SST '{name}' holds a write record that cannot be parsed: {e.Message}", isTransient: false, e);
        }
        finally
        {
            writer.Dispose();
            TryDelete(building);
        }
    }

    // Opens a RocksDB of its own holding only the downloaded file (moved in by hard link). Ingesting reads the
    // file's first and last data blocks without verifying their checksums and leaves them in the block cache, where
    // the verifying scan would find them; the database is reopened so that every block is read from disk, checked.
    private static RocksDatabase OpenScratch(string name, string temp, string scratch, bool encrypted)
    {
        var options = new RocksDbOptions { MaxBackgroundJobs = 1 };
        try
        {
            using (var db = RocksDatabase.Open(scratch, options))
            {
                db.IngestExternalFile(db.DefaultColumnFamily, temp, new IngestOptions { MoveFiles = true, SnapshotConsistency = false });
            }

            return RocksDatabase.Open(scratch, options);
        }
        catch (RocksDbException e)
        {
            throw Corrupt(name, e, encrypted);
        }
    }

    // With CTR a changed byte of the stored file changes the same byte of the plaintext, so a damaged encrypted file
    // fails the block checksums here just as a plaintext one does; a wrong key fails them on every block.
    private static ImportException Corrupt(string name, RocksDbException e, bool encrypted) =>
        new($"backup file '{name}' is not a readable SST ({(encrypted ? "corrupt, truncated, or not encrypted with the key given" : "corrupt or truncated")}): {e.Message}", isTransient: false, e);

    // The block layout of the store's data column families (StoreEngine); LZ4, the SST writer's default, is their
    // compression above the bottom level. A write-CF file gets the MVCC properties the write CF's own files carry
    // (computed on the rewritten keys), so an incremental backup can skip it once it is ingested.
    private static SstFileWriterOptions WriterOptions(string cf) =>
        new() { BlockSize = 64 * 1024, MvccPropertiesCollector = cf == CfNames.Write };

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}
