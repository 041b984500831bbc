using System.Security.Cryptography;
using Cairn.Rpc.Backup;
using Google.Protobuf;

namespace Cairn.Br.Metadata;

/// <summary>
/// The v2 meta files of one kind being written: items gather in <see cref="Current"/> until it outgrows the limit,
/// then it is stored as <c>backupmeta.{kind}.NNNNNNNNN</c> and referenced from <see cref="Index"/>. An index that
/// itself outgrows the limit is stored the same way and referenced from a fresh index (a nested index).
/// </summary>
internal sealed class MetaFileChain
{
    private readonly string _kindName;
    private long _currentSize;
    private long _indexSize;

    public MetaFileChain(MetaFileKind kind)
    {
        _kindName = kind switch
        {
            MetaFileKind.DataFile => "datafile",
            MetaFileKind.Schema => "schema",
            _ => "ddl",
        };
    }

    /// <summary>The keys meta files are encrypted with; null for plaintext.</summary>
    public Crypto.MetaCipher? Cipher { get; set; }

    public MetaFile Current { get; private set; } = new();

    public MetaFile Index { get; private set; } = new();

    /// <summary>Whether anything was added at all.</summary>
    public bool HasContent => Index.MetaFiles.Count > 0 || _currentSize > 0;

    /// <summary>Counts <paramref name="bytes"/> more into the current meta file.</summary>
    public void Grow(long bytes) => _currentSize += bytes;

    public bool IsFull(long limit) => _currentSize > limit;

    /// <summary>Stores the current meta file (if it holds anything) and references it; returns the bytes written.</summary>
    public async ValueTask<long> FlushAsync(Cairn.Storage.IExternalStorage storage, Func<int> nextNumber, long limit, CancellationToken cancellationToken)
    {
        if (_currentSize == 0)
        {
            return 0;
        }
        var written = await StoreAsync(storage, Current, nextNumber(), cancellationToken).ConfigureAwait(false);
        Index.MetaFiles.Add(written.Entry);
        _indexSize += CodedOutputStream.ComputeMessageSize(written.Entry) + 1;
        Current = new MetaFile();
        _currentSize = 0;
        var total = written.Size;
        if (_indexSize > limit)
        {
            var nested = await StoreAsync(storage, Index, nextNumber(), cancellationToken).ConfigureAwait(false);
            Index = new MetaFile();
            Index.MetaFiles.Add(nested.Entry);
            _indexSize = CodedOutputStream.ComputeMessageSize(nested.Entry) + 1;
            total += nested.Size;
        }
        return total;
    }

    private async ValueTask<(Rpc.Backup.File Entry, long Size)> StoreAsync(Cairn.Storage.IExternalStorage storage, MetaFile content, int number, CancellationToken cancellationToken)
    {
        var bytes = content.ToByteArray();
        var name = $"{BackupFiles.Meta}.{_kindName}.{number:D9}";
        // BR's v2 layout: the IV in the index entry, size and SHA-256 of the plaintext. The entry sits in an
        // authenticated backupmeta (or an index below it), so the hash authenticates the file too.
        var iv = Cipher is null ? null : Common.Crypto.AesCtr.NewIv();
        var stored = iv is null ? bytes : Cipher!.Transform(iv, bytes);
        await storage.WriteAllAsync(name, stored, cancellationToken).ConfigureAwait(false);
        var entry = new Rpc.Backup.File
        {
            Name = name,
            Sha256 = ByteString.CopyFrom(SHA256.HashData(bytes)),
            Size = (ulong)bytes.Length,
            CipherIv = iv is null ? ByteString.Empty : ByteString.CopyFrom(iv),
        };
        return (entry, stored.Length);
    }
}
