using System.Buffers;
using Cairn.Common.Codec;
using Cairn.Common.Mvcc;

namespace Cairn.Common.Tests.Mvcc;

public sealed class WriteRecordTests
{
    [Fact]
    public void Put_with_short_value_layout()
    {
        var record = new WriteRecord(WriteType.Put, 300, "abc"u8.ToArray());
        var bytes = record.ToBytes();
        Assert.Equal("50" + "AC02" + "76" + "03" + "616263", Convert.ToHexString(bytes));
        Assert.Equal(bytes.Length, record.EncodedLength);
        Assert.Equal(record, WriteRecord.Decode(bytes));
    }

    [Fact]
    public void Delete_without_value()
    {
        var bytes = Convert.FromHexString("4405");
        var record = WriteRecord.Decode(bytes);
        Assert.Equal(WriteType.Delete, record.Type);
        Assert.Equal(5UL, record.StartTs);
        Assert.Null(record.ShortValue);
        Assert.Equal(bytes, record.ToBytes());
    }

    [Fact]
    public void Protected_rollback()
    {
        var record = WriteRecord.Rollback(7, isProtected: true);
        Assert.Equal("52" + "07" + "76" + "01" + "70", Convert.ToHexString(record.ToBytes()));
        Assert.True(record.IsProtectedRollback);
        Assert.True(WriteRecordView.Parse(record.ToBytes()).IsProtectedRollback);
        Assert.False(WriteRecord.Rollback(7, isProtected: false).IsProtectedRollback);
    }

    [Fact]
    public void All_optional_fields_round_trip_in_order()
    {
        var record = new WriteRecord(WriteType.Lock, 1, [])
        {
            HasOverlappedRollback = true,
            GcFence = 10,
            LastChangeTs = 3,
            VersionsToLastChange = 2,
            TxnSource = 1,
        };
        var bytes = record.ToBytes();
        Assert.Equal(
            "4C" + "01" + "7600" + "52" + "46" + "000000000000000A" + "6C" + "0000000000000003" + "02" + "53" + "01",
            Convert.ToHexString(bytes));
        Assert.Equal(record, WriteRecord.Decode(bytes));

        var writer = new ArrayBufferWriter<byte>();
        record.Encode(writer);
        Assert.Equal(bytes, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void GC_fence_zero_is_kept_distinct_from_absent()
    {
        var record = new WriteRecord(WriteType.Put, 9) { HasOverlappedRollback = true, GcFence = 0 };
        var decoded = WriteRecord.Decode(record.ToBytes());
        Assert.Equal(0UL, decoded.GcFence);
        Assert.Null(WriteRecord.Decode(new WriteRecord(WriteType.Put, 9).ToBytes()).GcFence);
    }

    [Fact]
    public void Unknown_tag_stops_parsing()
    {
        var bytes = Convert.FromHexString("50" + "05" + "760161" + "58" + "FFFFFF");
        var view = WriteRecordView.Parse(bytes);
        Assert.Equal(WriteType.Put, view.Type);
        Assert.Equal(5UL, view.StartTs);
        Assert.True(view.ShortValue.SequenceEqual("a"u8));
        Assert.False(view.HasOverlappedRollback);
    }

    [Fact]
    public void View_points_into_the_input()
    {
        var bytes = new WriteRecord(WriteType.Put, 1, [1, 2, 3]).ToBytes();
        var view = WriteRecordView.Parse(bytes);
        bytes[^1] = 9;
        Assert.Equal(9, view.ShortValue[2]);
        Assert.Equal(WriteType.Put, WriteRecordView.ParseType(bytes));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("5A01", "unknown write record type 0x5A")]
    [InlineData("50", "truncated")]
    [InlineData("500176", "no length")]
    [InlineData("5001760361", "declares 3 bytes")]
    [InlineData("500146000000", "gc_fence")]
    public void Malformed_records_are_rejected(string hex, string reason)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Contains(reason, Assert.Throws<CodecException>(() => WriteRecord.Decode(bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_value_limit_is_sixty_four_and_format_ceiling_is_255()
    {
        Assert.Equal(64, WriteRecord.ShortValueMaxLength);
        var longest = new WriteRecord(WriteType.Put, 1, new byte[255]);
        Assert.Equal(255, WriteRecord.Decode(longest.ToBytes()).ShortValue!.Length);
        Assert.Throws<InvalidOperationException>(() => new WriteRecord(WriteType.Put, 1, new byte[256]).ToBytes());
    }
}
