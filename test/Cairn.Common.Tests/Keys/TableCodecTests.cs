using Cairn.Common.Codec;
using Cairn.Common.Keys;

namespace Cairn.Common.Tests.Keys;

public sealed class TableCodecTests
{
    [Fact]
    public void Record_key_of_table_one_handle_one()
    {
        var key = TableCodec.EncodeRecordKey(1, 1);
        Assert.Equal("748000000000000001" + "5F72" + "8000000000000001", Convert.ToHexString(key));
        Assert.Equal(19, key.Length);
        Assert.Equal((1L, 1L), TableCodec.DecodeRecordKey(key));
        Assert.Equal(1, TableCodec.DecodeTableId(key));
        Assert.True(TableCodec.IsRecordKey(key));
        Assert.False(TableCodec.IsIndexKey(key));
    }

    [Fact]
    public void Table_record_and_index_prefixes()
    {
        Assert.Equal("74800000000000002A", Convert.ToHexString(TableCodec.TablePrefix(42)));
        Assert.Equal("74800000000000002A5F72", Convert.ToHexString(TableCodec.RecordPrefix(42)));
        Assert.Equal("74800000000000002A5F698000000000000003", Convert.ToHexString(TableCodec.IndexPrefix(42, 3)));
    }

    [Theory]
    [InlineData("", 0L)]
    [InlineData("6D", 0L)]
    [InlineData("7480000000000000", 0L)]
    [InlineData("748000000000000005", 5L)]
    [InlineData("7480000000000000055F69", 5L)]
    [InlineData("747FFFFFFFFFFFFFFF", -1L)]
    public void Decode_table_id_is_zero_for_non_table_keys(string hex, long expected) =>
        Assert.Equal(expected, TableCodec.DecodeTableId(Convert.FromHexString(hex)));

    [Fact]
    public void Common_handle_record_key_round_trips()
    {
        var key = TableCodec.EncodeRecordKey(7, Datum.FromString("pk"), Datum.FromInt64(9));
        var tableId = TableCodec.DecodeRecordKey(key, out var handle);
        Assert.Equal(7, tableId);
        Assert.Equal([Datum.FromString("pk"), Datum.FromInt64(9)], DatumCodec.DecodeAll(handle));
        Assert.False(TableCodec.TryDecodeRecordKey(key, out _, out _));
        Assert.Equal(key, TableCodec.EncodeRecordKeyWithEncodedHandle(7, handle));
    }

    [Fact]
    public void Index_keys_round_trip()
    {
        var unique = TableCodec.EncodeIndexKey(7, 2, Datum.FromString("v"));
        var (tableId, indexId) = TableCodec.DecodeIndexKey(unique, out var values);
        Assert.Equal((7L, 2L), (tableId, indexId));
        Assert.Equal([Datum.FromString("v")], DatumCodec.DecodeAll(values));

        var nonUnique = TableCodec.EncodeIndexKey(7, 2, [Datum.FromString("v")], handle: 99);
        TableCodec.DecodeIndexKey(nonUnique, out values);
        Assert.Equal([Datum.FromString("v"), Datum.FromInt64(99)], DatumCodec.DecodeAll(values));

        var common = TableCodec.EncodeIndexKey(7, 2, [Datum.Null], [Datum.FromString("pk")]);
        TableCodec.DecodeIndexKey(common, out values);
        Assert.Equal([Datum.Null, Datum.FromString("pk")], DatumCodec.DecodeAll(values));
        Assert.True(TableCodec.IsIndexKey(common));
    }

    [Fact]
    public void Int_handle_record_range_matches_br()
    {
        var range = TableCodec.RecordRange(5);
        Assert.Equal("7480000000000000055F72" + "0000000000000000", Convert.ToHexString(range.Start));
        Assert.Equal("7480000000000000055F72" + "FFFFFFFFFFFFFFFF" + "00", Convert.ToHexString(range.End));
        Assert.True(range.Contains(TableCodec.EncodeRecordKey(5, long.MaxValue)));
        Assert.True(range.Contains(TableCodec.EncodeRecordKey(5, long.MinValue)));
        Assert.False(range.Contains(TableCodec.EncodeRecordKey(6, long.MinValue)));
        Assert.False(range.Contains(TableCodec.IndexPrefix(5, 1)));
    }

    [Fact]
    public void Common_handle_and_index_ranges_match_br()
    {
        var record = TableCodec.RecordRange(5, isCommonHandle: true);
        Assert.Equal("7480000000000000055F7201", Convert.ToHexString(record.Start));
        Assert.Equal("7480000000000000055F72FB", Convert.ToHexString(record.End));
        Assert.True(record.Contains(TableCodec.EncodeRecordKey(5, Datum.FromString("any"))));
        Assert.True(record.Contains(TableCodec.EncodeRecordKey(5, Datum.FromInt64(long.MaxValue))));

        var index = TableCodec.IndexRange(5, 3);
        Assert.Equal("7480000000000000055F69800000000000000300", Convert.ToHexString(index.Start));
        Assert.Equal("7480000000000000055F698000000000000003FB", Convert.ToHexString(index.End));
        Assert.True(index.Contains(TableCodec.EncodeIndexKey(5, 3, Datum.Null)));
        Assert.True(index.Contains(TableCodec.EncodeIndexKey(5, 3, [Datum.MaxValue], 1)));
        Assert.False(index.Contains(TableCodec.EncodeIndexKey(5, 4, Datum.Null)));
    }

    [Fact]
    public void Table_range_covers_rows_and_indexes()
    {
        var range = TableCodec.TableRange(5);
        Assert.Equal("748000000000000006", Convert.ToHexString(range.End));
        Assert.True(range.Contains(TableCodec.EncodeRecordKey(5, 1)));
        Assert.True(range.Contains(TableCodec.EncodeIndexKey(5, 1, Datum.Null)));
        Assert.False(range.Contains(TableCodec.TablePrefix(6)));
    }

    [Fact]
    public void Record_keys_sort_by_table_then_handle()
    {
        var pairs = new (long Table, long Handle)[] { (-1, 0), (1, long.MinValue), (1, -1), (1, 0), (1, 1), (1, long.MaxValue), (2, long.MinValue) };
        for (var i = 1; i < pairs.Length; i++)
        {
            var previous = TableCodec.EncodeRecordKey(pairs[i - 1].Table, pairs[i - 1].Handle);
            var current = TableCodec.EncodeRecordKey(pairs[i].Table, pairs[i].Handle);
            Assert.True(previous.AsSpan().SequenceCompareTo(current) < 0, $"{pairs[i - 1]} < {pairs[i]}");
        }
    }

    [Fact]
    public void Malformed_keys_are_rejected()
    {
        Assert.Throws<CodecException>(() => TableCodec.DecodeRecordKey(TableCodec.IndexPrefix(1, 1)));
        Assert.Throws<CodecException>(() => TableCodec.DecodeRecordKey(TableCodec.RecordPrefix(1)));
        Assert.Throws<CodecException>(() => TableCodec.DecodeIndexKey(TableCodec.EncodeRecordKey(1, 1), out _));
        Assert.Throws<CodecException>(() => TableCodec.DecodeRecordKey("m"u8, out _));
    }
}
