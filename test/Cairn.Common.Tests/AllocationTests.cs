using Cairn.Common.Codec;
using Cairn.Common.Hashing;
using Cairn.Common.Keys;
using Cairn.Common.Mvcc;

namespace Cairn.Common.Tests;

public sealed class AllocationTests
{
    [Fact]
    public void Span_based_hot_paths_do_not_allocate()
    {
        var raw = TableCodec.EncodeRecordKey(42, 7);
        var encoded = MemComparable.EncodeBytes(raw);
        var dataKey = MvccKey.DataKey(raw, 99);
        var write = new WriteRecord(WriteType.Put, 5, [1, 2, 3]) { GcFence = 1 }.ToBytes();
        var payload = new byte[4096];
        var buffer = new byte[256];
        var datum = DatumCodec.EncodeKey(Datum.FromBytes(raw));

        void Run()
        {
            MemComparable.EncodeBytes(buffer, raw);
            MemComparable.DecodeBytes(encoded, buffer, out _);
            MemComparable.GetDecodedLength(encoded, out _);
            MvccKey.WriteDataKey(buffer, raw, 99);
            MvccKey.DecodeDataKey(dataKey, buffer, out _);
            MvccKey.SplitTs(dataKey, out _);
            WriteRecordView.Parse(write);
            TableCodec.WriteRecordKey(buffer, 1, 2);
            TableCodec.DecodeTableId(raw);
            TableCodec.TryDecodeRecordKey(raw, out _, out _);
            DatumCodec.EncodeIntDatum(buffer, 3);
            DatumCodec.Skip(datum);
            Varint.EncodeUvarint(buffer, 300);
            Varint.DecodeUvarint(buffer, out _);
            Crc64.Compute(payload);
            Crc64.Update(0, payload, Crc64Path.Table);
            KvChecksum.Empty.Add(raw, payload);
        }

        Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Run();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
