using BenchmarkDotNet.Attributes;
using Cairn.Common.Codec;
using Cairn.Common.Keys;
using Cairn.Common.Mvcc;

namespace Cairn.Bench;

/// <summary>Per-key codec costs on the store's hot paths: memcomparable, MVCC keys, write records.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private readonly byte[] _buffer = new byte[256];
    private byte[] _rawKey = [];
    private byte[] _encodedKey = [];
    private byte[] _dataKey = [];
    private byte[] _writeRecord = [];
    private byte[] _writeRecordWithValue = [];

    /// <summary>Raw key length: 19 is an int-handle record key, 64 a wide index key.</summary>
    [Params(19, 64)]
    public int KeyLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rawKey = new byte[KeyLength];
        new Random(2).NextBytes(_rawKey);
        TableCodec.EncodeRecordKey(42, 123456).CopyTo(_rawKey, 0);
        _encodedKey = MemComparable.EncodeBytes(_rawKey);
        _dataKey = MvccKey.DataKey(_rawKey, 449_000_000_000_000_123);
        _writeRecord = new WriteRecord(WriteType.Put, 449_000_000_000_000_001).ToBytes();
        _writeRecordWithValue = new WriteRecord(WriteType.Put, 449_000_000_000_000_001, new byte[48]).ToBytes();
    }

    [Benchmark]
    public int MemComparableEncode() => MemComparable.EncodeBytes(_buffer, _rawKey);

    [Benchmark]
    public int MemComparableDecode() => MemComparable.DecodeBytes(_encodedKey, _buffer, out _);

    [Benchmark]
    public byte[] MemComparableDecodeToArray() => MemComparable.DecodeBytes(_encodedKey);

    [Benchmark]
    public int MvccDataKeyEncode() => MvccKey.WriteDataKey(_buffer, _rawKey, 449_000_000_000_000_123);

    [Benchmark]
    public int MvccDataKeyDecode() => MvccKey.DecodeDataKey(_dataKey, _buffer, out _);

    [Benchmark]
    public ulong MvccSplitTs() => (ulong)MvccKey.SplitTs(_dataKey, out var ts).Length + ts;

    [Benchmark]
    public ulong WriteRecordParseView() => WriteRecordView.Parse(_writeRecord).StartTs;

    [Benchmark]
    public int WriteRecordParseViewShortValue() => WriteRecordView.Parse(_writeRecordWithValue).ShortValue.Length;

    [Benchmark]
    public WriteRecord WriteRecordDecodeShortValue() => WriteRecord.Decode(_writeRecordWithValue);

    [Benchmark]
    public int RecordKeyEncode() => TableCodec.WriteRecordKey(_buffer, 42, 123456);
}
