using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Cairn.RocksDb;

namespace Cairn.Bench;

/// <summary>
/// The binding's hot paths on real RocksDB: writing a 1M-key SST (16 B keys, 100 B values, as a backup scan would),
/// a bounded scan of 1M keys from the block cache, point gets and batched writes. Run with
/// <c>dotnet run -c Release --project bench/Cairn.Bench -- --filter '*RocksDb*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class RocksDbBenchmarks
{
    private const int SstKeys = 1_000_000;
    private const int Gets = 100_000;
    private const int BatchKeys = 100_000;
    private const int BatchSize = 1_000;

    private static readonly byte[] ValueText = Encoding.ASCII.GetBytes(new string('c', 52));
    private static readonly ReadOptions ScanOptions = new();

    private readonly byte[] _key = new byte[16];
    private readonly byte[] _value = new byte[100];
    private readonly byte[] _randomPool = new byte[4096 * 40];
    private readonly ArrayBufferWriter<byte> _getBuffer = new(256);
    private string _dir = "";
    private RocksDatabase? _db;
    private ColumnFamily? _scanCf;
    private ColumnFamily? _batchCf;
    private byte[][] _getKeys = [];
    private long _batchCounter;

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_randomPool);
        _dir = Path.Combine(Path.GetTempPath(), "cairn-bench-rocksdb-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);

        var sst = Path.Combine(_dir, "seed.sst");
        WriteSst(sst, Compression.Lz4);

        _db = RocksDatabase.Open(Path.Combine(_dir, "db"),
            RocksDbOptions.WithColumnFamilies(["default", "write", "lock"]) with { BlockCacheSize = 512L << 20 });
        _scanCf = _db.GetColumnFamily("write");
        _batchCf = _db.GetColumnFamily("default");
        _db.IngestExternalFile(_scanCf, sst, new IngestOptions { MoveFiles = true });

        var random = new Random(42);
        _getKeys = new byte[Gets][];
        for (var i = 0; i < Gets; i++)
        {
            var k = new byte[16];
            FillKey(k, random.Next(SstKeys));
            _getKeys[i] = k;
        }

        Scan(); // warm the block cache
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _db?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Writes 1M keys (116 MB raw) to an SST file.</summary>
    [Benchmark]
    [Arguments(Compression.None)]
    [Arguments(Compression.Lz4)]
    [Arguments(Compression.Zstd)]
    public long SstWrite1M(Compression compression)
    {
        var path = Path.Combine(_dir, $"bench-{compression}.sst");
        var size = WriteSst(path, compression);
        File.Delete(path);
        return size;
    }

    /// <summary>Scans all 1M keys through a bounded iterator (data in the block cache).</summary>
    [Benchmark]
    public long Scan()
    {
        Span<byte> lower = stackalloc byte[16];
        Span<byte> upper = stackalloc byte[16];
        FillKey(lower, 0);
        FillKey(upper, SstKeys);
        long bytes = 0;
        using var it = _db!.NewIterator(_scanCf!, lower, upper, ScanOptions);
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            bytes += it.Key.Length + it.Value.Length;
        }

        it.ThrowIfError();
        return bytes;
    }

    /// <summary>100k random point gets copied into a reused buffer.</summary>
    [Benchmark]
    public int PointGets100K()
    {
        var found = 0;
        foreach (var key in _getKeys)
        {
            _getBuffer.ResetWrittenCount();
            if (_db!.TryGet(_scanCf!, key, _getBuffer))
            {
                found++;
            }
        }

        return found;
    }

    /// <summary>100k puts in batches of 1000 (WAL on, no sync).</summary>
    [Benchmark]
    public int BatchWrite100K()
    {
        using var batch = new WriteBatch();
        for (var b = 0; b < BatchKeys / BatchSize; b++)
        {
            batch.Clear();
            for (var i = 0; i < BatchSize; i++)
            {
                var n = _batchCounter++;
                FillKey(_key, n);
                FillValue(n);
                batch.Put(_batchCf!, _key, _value);
            }

            _db!.Write(batch);
        }

        return BatchKeys;
    }

    private long WriteSst(string path, Compression compression)
    {
        using var writer = SstFileWriter.Create(path, new SstFileWriterOptions { Compression = compression });
        for (var i = 0; i < SstKeys; i++)
        {
            FillKey(_key, i);
            FillValue(i);
            writer.Put(_key, _value);
        }

        return writer.Finish().FileSize;
    }

    private static void FillKey(Span<byte> key, long n)
    {
        BinaryPrimitives.WriteInt64BigEndian(key, 0x7A74_3030_3030_5F72); // "zt0000_r": a table-row-like prefix
        BinaryPrimitives.WriteInt64BigEndian(key[8..], n);
    }

    private void FillValue(long n)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_value, n);
        _randomPool.AsSpan((int)(n % 4096) * 40, 40).CopyTo(_value.AsSpan(8));
        ValueText.CopyTo(_value.AsSpan(48));
    }
}
