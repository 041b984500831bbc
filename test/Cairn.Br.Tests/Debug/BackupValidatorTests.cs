using Cairn.Br.Debug;
using Cairn.Common.Keys;

namespace Cairn.Br.Tests.Debug;

public sealed class BackupValidatorTests
{
    [Fact]
    public async Task A_sound_backup_validates_and_the_simulated_ids_count_up_from_the_offset()
    {
        using var backup = await DebugBackup.CreateAsync();
        var report = await BackupValidator.ValidateAsync(backup.Storage, offset: 1000);

        Assert.True(report.IsOk, string.Join("; ", report.Issues.Select(i => i.Detail)));
        Assert.Equal((3, 3), (report.Files, report.Ranges));
        Assert.Equal(
            [new SimulatedRewrite("`shop`.`orders`", 101, 1001), new SimulatedRewrite("`shop`.`events`", 111, 1003), new SimulatedRewrite("`shop`.`events`", 112, 1004)],
            report.Rules);
    }

    [Fact]
    public async Task Overlapping_ranges_and_a_second_file_of_one_range_and_cf_are_reported()
    {
        var orders = TableCodec.RecordRange(101);
        var inside = TableCodec.EncodeRecordKey(101, 10);
        var extra = new[]
        {
            DebugBackup.MetaOnlyFile("overlap_write.sst", inside, orders.End),
            DebugBackup.MetaOnlyFile("again_write.sst", TableCodec.RecordRange(111).Start, TableCodec.RecordRange(111).End),
            DebugBackup.MetaOnlyFile("pair_default.sst", TableCodec.RecordRange(112).Start, TableCodec.RecordRange(112).End, cf: "default"),
        };
        using var backup = await DebugBackup.CreateAsync(extraFiles: extra);
        var report = await BackupValidator.ValidateAsync(backup.Storage);

        Assert.False(report.IsOk);
        Assert.Equal(
            [(backup.Files[0].Name, "overlap_write.sst"), (backup.Files[1].Name, "again_write.sst")],
            report.Overlaps.Select(o => (o.First.Name, o.Second.Name)).Order());
        Assert.Empty(report.Issues);
    }

    [Fact]
    public async Task Files_a_restore_could_not_rewrite_are_named()
    {
        var extra = new[]
        {
            DebugBackup.MetaOnlyFile("stranger_write.sst", TableCodec.RecordRange(999).Start, TableCodec.RecordRange(999).End),
            DebugBackup.MetaOnlyFile("span_write.sst", TableCodec.IndexRange(101, 1).Start, TableCodec.RecordRange(111).Start),
            DebugBackup.MetaOnlyFile("open_write.sst", TableCodec.IndexRange(112, 1).Start, []),
            DebugBackup.MetaOnlyFile("empty_write.sst", TableCodec.IndexRange(101, 2).End, TableCodec.IndexRange(101, 2).Start),
        };
        using var backup = await DebugBackup.CreateAsync(extraFiles: extra);
        var report = await BackupValidator.ValidateAsync(backup.Storage);

        Assert.False(report.IsOk);
        var issues = report.Issues.ToDictionary(i => i.Name, i => i.Detail);
        Assert.Contains("table ID 999", issues["stranger_write.sst"], StringComparison.Ordinal);
        Assert.Contains("spans tables 101 and 111", issues["span_write.sst"], StringComparison.Ordinal);
        Assert.Contains("ends outside", issues["open_write.sst"], StringComparison.Ordinal);
        Assert.Contains("empty key range", issues["empty_write.sst"], StringComparison.Ordinal);
    }
}
