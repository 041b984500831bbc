using System.Globalization;
using Cairn.Common.Hashing;
using Cairn.Common.Keys;
using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Google.Protobuf;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Workloads.Bulk;

/// <summary>
/// Writes one table's committed pairs, given in ascending raw-key order, as the store's commit path would leave
/// them: a write-CF record <c>Put(start_ts)</c> at <c>z + enc(key) + ~commit_ts</c> with the value inlined when it
/// is short, otherwise the value in the default CF at <c>z + enc(key) + ~start_ts</c>. Pairs go into SST file pairs
/// (write, default) of about <see cref="BulkLoadOptions.FileBytes"/>, described as backup files: raw start key,
/// exclusive raw end key (the next pair's first key; the table's last key bound at the end), and counts and
/// checksum of the entries each file accounts for (an entry with a default-CF value in the default file).
/// </summary>
internal sealed class TableSstWriter : IDisposable
{
    private const string WriteCf = "write";
    private const string DefaultCf = "default";
    private static readonly SstFileWriterOptions WriterOptions = new() { BlockSize = 64 * 1024 };
    private readonly string _root;
    private readonly string _prefix;
    private readonly long _tableId;
    private readonly ulong _startTs;
    private readonly ulong _commitTs;
    private readonly long _targetBytes;
    private readonly List<BackupFile> _files = [];
    private byte[] _key = new byte[256];
    private byte[] _record = new byte[256];
    private byte[]? _last;
    private Part? _write;
    private Part? _default;
    private byte[]? _pairStart;
    private long _pairBytes;
    private int _pairs;

    /// <summary>Creates a writer whose files go to <paramref name="root"/>/<paramref name="prefix"/>.</summary>
    public TableSstWriter(string root, string prefix, long tableId, ulong startTs, ulong commitTs, long targetBytes)
    {
        _root = root;
        _prefix = prefix;
        _tableId = tableId;
        _startTs = startTs;
        _commitTs = commitTs;
        _targetBytes = targetBytes;
        Directory.CreateDirectory(Path.Combine(root, prefix));
    }

    /// <summary>Checksum of every pair added (raw key, value), as a table checksum computes it.</summary>
    public KvChecksum Checksum { get; private set; }

    /// <summary>Adds a pair; raw keys must ascend strictly and lie in the table.</summary>
    /// <exception cref="BulkLoadException">The key does not come after the previous one.</exception>
    public void Add(byte[] rawKey, byte[] value)
    {
        if (_last is not null && rawKey.AsSpan().SequenceCompareTo(_last) <= 0)
        {
            throw new BulkLoadException(rawKey.AsSpan().SequenceEqual(_last)
                ? $"key {Convert.ToHexString(rawKey)} of table {_tableId} is given twice (a duplicate primary or unique key)"
                : $"key {Convert.ToHexString(rawKey)} of table {_tableId} comes after a larger one: rows must come in ascending handle order");
        }

        if (_pairStart is not null && _pairBytes >= _targetBytes)
        {
            FinishPair(rawKey);
        }

        _pairStart ??= rawKey;
        _last = rawKey;
        var length = MvccKey.DataKeyLength(rawKey.Length, withTs: true);
        if (_key.Length < length)
        {
            _key = new byte[Math.Max(length, _key.Length * 2)];
        }

        Checksum = Checksum.Add(rawKey, value);
        var shortValue = value.Length <= WriteRecord.ShortValueMaxLength;
        if (!shortValue)
        {
            MvccKey.WriteDataKey(_key, rawKey, _startTs);
            _default ??= Open(DefaultCf);
            _default.Writer.Put(_key.AsSpan(0, length), value);
            _default.Count(rawKey, value);
            _pairBytes += length + value.Length;
        }

        var record = new WriteRecord(WriteType.Put, _startTs, shortValue ? value : null);
        var recordLength = record.EncodedLength;
        if (_record.Length < recordLength)
        {
            _record = new byte[Math.Max(recordLength, _record.Length * 2)];
        }

        record.Encode(_record);
        MvccKey.WriteDataKey(_key, rawKey, _commitTs);
        _write ??= Open(WriteCf);
        _write.Writer.Put(_key.AsSpan(0, length), _record.AsSpan(0, recordLength));
        if (shortValue)
        {
            _write.Count(rawKey, value);
        }

        _pairBytes += length + recordLength;
    }

    /// <summary>Finishes the last file pair and returns every file written.</summary>
    public IReadOnlyList<BackupFile> Finish()
    {
        if (_pairStart is not null)
        {
            // Past every key of the table and still inside its prefix, as the rule of the import requires.
            FinishPair([.. TableCodec.TablePrefix(_tableId), 0xFF]);
        }

        return _files;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _write?.Writer.Dispose();
        _default?.Writer.Dispose();
    }

    private Part Open(string cf)
    {
        var name = $"{_prefix}/{_pairs.ToString("D5", CultureInfo.InvariantCulture)}_{cf}.sst";
        return new Part(name, cf, SstFileWriter.Create(Path.Combine(_root, name), WriterOptions));
    }

    private void FinishPair(byte[] end)
    {
        foreach (var part in new[] { _write, _default })
        {
            if (part is null)
            {
                continue;
            }

            part.Writer.Finish();
            part.Writer.Dispose();
            _files.Add(new BackupFile
            {
                Name = part.Name,
                Cf = part.Cf,
                StartKey = ByteString.CopyFrom(_pairStart),
                EndKey = ByteString.CopyFrom(end),
                EndVersion = _commitTs,
                TotalKvs = part.Sum.TotalKvs,
                TotalBytes = part.Sum.TotalBytes,
                Crc64Xor = part.Sum.Crc64Xor,
                Size = (ulong)new FileInfo(Path.Combine(_root, part.Name)).Length,
            });
        }

        _write = null;
        _default = null;
        _pairStart = null;
        _pairBytes = 0;
        _pairs++;
    }

    private sealed class Part(string name, string cf, SstFileWriter writer)
    {
        public string Name { get; } = name;

        public string Cf { get; } = cf;

        public SstFileWriter Writer { get; } = writer;

        public KvChecksum Sum { get; private set; }

        public void Count(byte[] rawKey, byte[] value) => Sum = Sum.Add(rawKey, value);
    }
}
