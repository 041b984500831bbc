using System.Buffers;
using System.Security.Cryptography;
using Cairn.Storage;
using Google.Protobuf;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Store.Backup;

/// <summary>
/// One file pair of a region piece (TiKV's BackupWriter): a write-CF SST and, only when some value was too long to
/// inline, a default-CF SST (a raw backup has one SST of its CF). <see cref="FinishAsync"/> uploads them, default
/// first, and returns their <c>File</c> entries for the sub-range [start, end). Disposing removes the temp files.
/// </summary>
internal sealed class BackupWriter : IDisposable
{
    private const int UploadChunk = 1024 * 1024;
    private readonly BackupFileContext _context;
    private readonly byte[] _rawStart;
    private BackupSstFile? _default;
    private BackupSstFile? _main;

    public BackupWriter(BackupFileContext context, byte[] rawStart)
    {
        _context = context;
        _rawStart = rawStart;
    }

    /// <summary>Bytes of keys and values in both SSTs.</summary>
    public long DataBytes => (_default?.DataBytes ?? 0) + (_main?.DataBytes ?? 0);

    /// <summary>Whether the pair has reached sst-max-size and should be cut before the next key.</summary>
    public bool IsFull => DataBytes >= _context.SstMaxSize;

    /// <summary>The write-CF SST (or the raw CF's), created on first use.</summary>
    public BackupSstFile Main => _main ??= NewFile(_context.RawCf ?? "write");

    /// <summary>The default-CF SST, created on first use.</summary>
    public BackupSstFile Default => _default ??= NewFile("default");

    /// <summary>
    /// Finishes and uploads the files that got entries; each path is added to <paramref name="uploaded"/> before its
    /// upload completes, so the caller can remove it if the piece is never answered.
    /// </summary>
    public async Task<List<BackupFile>> FinishAsync(byte[] rawEnd, ICollection<string> uploaded, CancellationToken cancellationToken)
    {
        var files = new List<BackupFile>(2);
        foreach (var sst in new[] { _default, _main })
        {
            if (sst is null || !sst.Finish())
            {
                continue;
            }

            var name = NameOf(sst.Cf);
            var iv = _context.Cipher is null ? null : Common.Crypto.AesCtr.NewIv();
            var (size, sha256) = await UploadAsync(sst.TempPath, name, iv, uploaded, cancellationToken).ConfigureAwait(false);
            files.Add(new BackupFile
            {
                CipherIv = iv is null ? ByteString.Empty : ByteString.CopyFrom(iv),
                Name = name,
                Sha256 = ByteString.CopyFrom(sha256),
                StartKey = ByteString.CopyFrom(_rawStart),
                EndKey = ByteString.CopyFrom(rawEnd),
                StartVersion = _context.StartVersion,
                EndVersion = _context.EndVersion,
                Crc64Xor = sst.Crc64Xor,
                TotalKvs = sst.TotalKvs,
                TotalBytes = sst.TotalBytes,
                Cf = sst.Cf,
                Size = (ulong)size,
            });
            sst.Dispose();
        }

        return files;
    }

    public void Dispose()
    {
        _default?.Dispose();
        _main?.Dispose();
    }

    private string NameOf(string cf) =>
        BackupFileNames.Name(_context.StoreId, _context.Region.Id, _context.Region.RegionEpoch.Version, _rawStart, _context.UnixMs, cf, _context.RawCf is not null);

    // A local destination gets the SST written beside its final place and renamed into it, saving a copy of every byte.
    private BackupSstFile NewFile(string cf) =>
        new(cf, _context.LocalTarget?.TempPathFor(NameOf(cf)) ?? Path.Combine(_context.TempDir, $"{Guid.NewGuid():N}.{cf}.sst"), _context.SstOptions);

    // Streams the temp file to the storage in big reads (or, for a local destination, renames it into place after
    // reading it), hashing the bytes as stored and drawing on the limiter.
    private async Task<(long Size, byte[] Sha256)> UploadAsync(string tempPath, string name, byte[]? iv, ICollection<string> uploaded, CancellationToken cancellationToken)
    {
        if (_context.LocalTarget is { } local)
        {
            var result = await ReadAsync(tempPath, null, null, cancellationToken).ConfigureAwait(false);
            lock (uploaded)
            {
                uploaded.Add(name);
            }

            local.PublishFile(tempPath, name);
            return result;
        }

        var writer = await _context.Storage.CreateAsync(name, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            using var encryptor = iv is null ? null : _context.Cipher!.Encryptor(iv);
            var result = await ReadAsync(tempPath, writer, encryptor, cancellationToken).ConfigureAwait(false);
            lock (uploaded)
            {
                uploaded.Add(name);
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
    }

    private async Task<(long Size, byte[] Sha256)> ReadAsync(string tempPath, IStorageWriter? writer, Common.Crypto.AesCtr? encryptor, CancellationToken cancellationToken)
    {
        // Under a limit, chunks of about a tenth of a second keep the upload smooth instead of a burst and a long wait.
        var chunk = _context.Limiter is { } rate ? (int)Math.Clamp(rate.BytesPerSecond / 10, 16 * 1024, UploadChunk) : UploadChunk;
        var buffer = ArrayPool<byte>.Shared.Rent(chunk);
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var input = new FileStream(tempPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (input.ConfigureAwait(false))
            {
                long size = 0;
                int read;
                while ((read = await input.ReadAsync(buffer.AsMemory(0, chunk), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    // BR's File.sha256 is over the bytes as stored, so an encrypted file is hashed after encryption.
                    encryptor?.Transform(buffer.AsSpan(0, read));
                    sha.AppendData(buffer, 0, read);
                    if (_context.Limiter is { } limiter)
                    {
                        await limiter.TakeAsync(read, cancellationToken).ConfigureAwait(false);
                    }

                    if (writer is not null)
                    {
                        await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }

                    size += read;
                }

                return (size, sha.GetHashAndReset());
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
