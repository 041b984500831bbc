using Cairn.Br.Restore;
using Cairn.Br.Restore.Data;
using Cairn.Common.Keys;
using Google.Protobuf;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Tests.Restore.Data;

public sealed class RangePlannerTests
{
    private const long OldId = 10;
    private const long NewId = 20;

    private static readonly IReadOnlyList<RewriteRule> Rules =
    [
        new(TableCodec.RecordPrefix(OldId), TableCodec.RecordPrefix(NewId)),
        new(TableCodec.IndexPrefix(OldId, 1), TableCodec.IndexPrefix(NewId, 1)),
    ];

    private static BackupFile Record(long from, long to, ulong kvs, ulong bytes, string cf = "write") => new()
    {
        Name = $"1_{from}_{to}_{cf}.sst",
        Cf = cf,
        StartKey = ByteString.CopyFrom(TableCodec.EncodeRecordKey(OldId, from)),
        EndKey = ByteString.CopyFrom(TableCodec.EncodeRecordKey(OldId, to)),
        TotalKvs = kvs,
        TotalBytes = bytes,
        Size = bytes,
    };

    private static BackupFile Index(ulong kvs, ulong bytes) => new()
    {
        Name = "1_index_write.sst",
        Cf = "write",
        StartKey = ByteString.CopyFrom([.. TableCodec.IndexPrefix(OldId, 1), 0x01]),
        EndKey = ByteString.CopyFrom([.. TableCodec.IndexPrefix(OldId, 1), 0xFF]),
        TotalKvs = kvs,
        TotalBytes = bytes,
    };

    private static RestoreTableData Table(params BackupFile[] files) => new("db", "t", OldId, NewId, files, Rules);

    [Fact]
    public void Files_sharing_a_start_key_form_one_group_rewritten_to_the_new_table_and_groups_come_in_key_order()
    {
        var groups = RangePlanner.GroupTable(Table(Record(100, 200, 5, 50), Record(0, 100, 5, 50, "default"), Record(0, 100, 5, 50), Index(3, 30)));

        Assert.Equal(3, groups.Count);
        Assert.Equal(2, groups[1].Files.Count);
        Assert.Equal(TableCodec.EncodeRecordKey(NewId, 0), groups[1].Start);
        Assert.Equal(TableCodec.EncodeRecordKey(NewId, 100), groups[1].End);
        Assert.True(groups[0].Start.AsSpan().SequenceCompareTo(groups[1].Start) < 0, "the index (t{id}_i) sorts before the records (t{id}_r)");
        Assert.Equal(10UL, groups[1].Kvs);
    }

    [Fact]
    public void Neighbours_merge_while_the_real_byte_limit_holds()
    {
        var groups = RangePlanner.GroupTable(Table(Record(0, 100, 10, 600), Record(100, 200, 10, 400), Record(200, 300, 10, 1)));

        var ranges = RangePlanner.Merge(groups, maxBytes: 1000, maxKvs: 1_000_000);

        Assert.Equal(2, ranges.Count);
        Assert.Equal(TableCodec.EncodeRecordKey(NewId, 0), ranges[0].Start);
        Assert.Equal(TableCodec.EncodeRecordKey(NewId, 200), ranges[0].End);
        Assert.Equal(1000UL, ranges[0].Bytes);
        Assert.Equal(TableCodec.EncodeRecordKey(NewId, 200), ranges[1].Start);
    }

    [Fact]
    public void Neighbours_merge_while_the_key_limit_holds()
    {
        var groups = RangePlanner.GroupTable(Table(Record(0, 100, 600, 10), Record(100, 200, 400, 10), Record(200, 300, 1, 10)));

        var ranges = RangePlanner.Merge(groups, maxBytes: ulong.MaxValue, maxKvs: 1000);

        Assert.Equal([1000UL, 1UL], ranges.Select(r => r.Kvs));
    }

    [Fact]
    public void An_index_never_merges_with_the_records_but_a_range_without_pairs_always_joins_its_left_neighbour()
    {
        var groups = RangePlanner.GroupTable(Table(Index(5, 5), Record(0, 100, 5, 5), Record(100, 200, 0, 0), Record(200, 300, 999, 999)));

        var ranges = RangePlanner.Merge(groups, maxBytes: 100, maxKvs: 100);

        Assert.Equal(3, ranges.Count);
        Assert.Equal(TableCodec.EncodeRecordKey(NewId, 200), ranges[1].End);
        Assert.Equal(5UL, ranges[1].Kvs);
    }

    [Fact]
    public void A_file_without_a_rule_for_its_start_is_refused_naming_the_file_and_table()
    {
        var stray = Record(0, 10, 1, 1);
        stray.StartKey = ByteString.CopyFrom(TableCodec.IndexPrefix(OldId, 7));
        stray.EndKey = ByteString.CopyFrom(TableCodec.IndexPrefix(OldId, 7));

        var error = Assert.Throws<BrException>(() => RangePlanner.GroupTable(Table(stray)));

        Assert.Equal("ErrRestoreInvalidRewrite", error.Code);
        Assert.Contains($"file {stray.Name} of table db.t has no rewrite rule for its start key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_ends_in_another_table_is_refused()
    {
        var wide = Record(0, 10, 1, 1);
        wide.EndKey = ByteString.CopyFrom(TableCodec.EncodeRecordKey(OldId + 1, 5));
        var rules = Rules.Append(new RewriteRule(TableCodec.RecordPrefix(OldId + 1), TableCodec.RecordPrefix(NewId + 1))).ToList();

        var error = Assert.Throws<BrException>(() => RangePlanner.GroupTable(new RestoreTableData("db", "t", OldId, NewId, [wide], rules)));

        Assert.Equal("ErrRestoreTableIDMismatch", error.Code);
    }

    [Fact]
    public void A_split_key_is_dropped_when_the_piece_it_cuts_off_holds_nothing()
    {
        // Data in [b, c) and [e, f); everything between and around is known empty.
        byte[] a = [1], b = [2], c = [3], e = [5], f = [6], z = [9];
        bool IsEmpty(byte[] from, byte[] to) => !(Overlaps(from, to, b, c) || Overlaps(from, to, e, f));

        var kept = SplitKeyChooser.Choose(a, z, [b, c, e, f], IsEmpty);

        // Splitting at c alone leaves [a, c) with the first range and [c, z) with the second.
        Assert.Equal([c], kept);
        Assert.Empty(SplitKeyChooser.Choose(a, z, [a], (_, _) => false));
        Assert.Equal([b, c], SplitKeyChooser.Choose(a, z, [b, c], (_, _) => false));
    }

    private static bool Overlaps(byte[] from, byte[] to, byte[] start, byte[] end) =>
        from.AsSpan().SequenceCompareTo(end) < 0 && to.AsSpan().SequenceCompareTo(start) > 0;
}
