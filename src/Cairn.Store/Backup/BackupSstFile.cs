using Cairn.Common.Hashing;
using Cairn.RocksDb;

namespace Cairn.Store.Backup;

/// <summary>
/// One CF's SST of a backup file pair, written to a temp file, with the checksum (br-spec §g) of the entries it
/// accounts for. Disposing removes the temp file whether or not it was finished.
/// </summary>
internal sealed class BackupSstFile : IDisposable
{
    private readonly SstFileWriter _writer;
    private bool _finished;

    public BackupSstFile(string cf, string tempPath, SstFileWriterOptions options)
    {
        Cf = cf;
        TempPath = tempPath;
        _writer = SstFileWriter.Create(tempPath, options);
    }

    /// <summary>The CF name in the file's name and metadata (<c>default</c>, <c>write</c>, or a raw backup's CF).</summary>
    public string Cf { get; }

    /// <summary>The temp file.</summary>
    public string TempPath { get; }

    /// <summary>Bytes of keys and values added to the SST (what the file cut compares with sst-max-size).</summary>
    public long DataBytes { get; private set; }

    /// <summary>Entries in the SST.</summary>
    public long Entries { get; private set; }

    /// <summary>XOR of crc64(raw key ‖ value) over the entries this file accounts for.</summary>
    public ulong Crc64Xor { get; private set; }

    /// <summary>Entries this file accounts for.</summary>
    public ulong TotalKvs { get; private set; }

    /// <summary>Σ(raw key length + value length) over the entries this file accounts for.</summary>
    public ulong TotalBytes { get; private set; }

    /// <summary>Adds an SST entry (keys ascending).</summary>
    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        _writer.Put(key, value);
        DataBytes += key.Length + value.Length;
        Entries++;
    }

    /// <summary>Counts one logical entry in this file's checksum.</summary>
    public void Account(ReadOnlySpan<byte> rawKey, ReadOnlySpan<byte> value)
    {
        Crc64Xor ^= Crc64.Compute(rawKey, value);
        TotalKvs++;
        TotalBytes += (ulong)(rawKey.Length + value.Length);
    }

    /// <summary>Finishes the SST; false (and no file) when nothing was added.</summary>
    public bool Finish()
    {
        _finished = true;
        return _writer.TryFinish(out _);
    }

    public void Dispose()
    {
        _writer.Dispose();
        if (_finished)
        {
            try
            {
                File.Delete(TempPath);
            }
            catch (IOException)
            {
                // The temp folder is emptied at the next start.
            }
        }
    }
}
