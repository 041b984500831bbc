using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Common.Keys;
using static Cairn.Client.Tests.CatalogSpecs;

namespace Cairn.Client.Tests;

public sealed class CatalogChecksumTests(CatalogClusterFixture fixture) : IClassFixture<CatalogClusterFixture>
{
    private CatalogClient Catalog => fixture.Catalog;

    private static Dictionary<string, Datum> Row(long k, string c) => new() { ["k"] = Datum.FromInt64(k), ["c"] = Datum.FromString(c) };

    [Fact]
    public async Task Table_checksum_covers_rows_and_indexes_across_regions()
    {
        await Catalog.CreateDatabaseAsync("ck_vec");
        var info = await Catalog.CreateTableAsync("ck_vec", Sbtest("t"));
        var table = await Table.OpenAsync(Catalog, "ck_vec", "t");
        await table.InsertManyAsync(Enumerable.Range(0, 50).Select(i => (IReadOnlyDictionary<string, Datum>)Row(i, i % 10 == 0 ? new string('z', 100) + i : $"c{i}")));
        // Split the record range so the checksum needs several regions.
        await ClusterSetup.SplitAsync(fixture.Cluster, fixture.Pd, [TableCodec.EncodeRecordKey(info.Id, 20), TableCodec.IndexPrefix(info.Id, 2)], KeyMode.Txn);
        var ts = (await fixture.Client.SnapshotAsync()).Timestamp;

        // Expected value from the raw pairs of the whole table range.
        var snapshot = await fixture.Client.SnapshotAsync(ts);
        var range = TableCodec.TableRange(info.Id);
        var pairs = await snapshot.ScanAsync(range.Start, range.End);
        Assert.Equal(150, pairs.Count);
        ulong crc = 0, bytes = 0;
        foreach (var (key, value) in pairs)
        {
            crc ^= Crc64Oracle.Compute([.. key, .. value]);
            bytes += (ulong)(key.Length + value.Length);
        }

        var checksum = await new TableChecksum(fixture.Client).ChecksumTableAsync(Catalog, "ck_vec", "t", ts);
        Assert.Equal(crc, checksum.Crc64Xor);
        Assert.Equal(150UL, checksum.TotalKvs);
        Assert.Equal(bytes, checksum.TotalBytes);

        // A later write changes the checksum; the old timestamp still gives the old one.
        await table.InsertAsync(Row(99, "late"));
        var later = await new TableChecksum(fixture.Client).ChecksumTableAsync(Catalog, "ck_vec", "t");
        Assert.Equal(153UL, later.TotalKvs);
        Assert.Equal(checksum, await new TableChecksum(fixture.Client).ChecksumTableAsync(Catalog, "ck_vec", "t", ts));
    }

    [Fact]
    public async Task Checksum_with_rewrite_rules_equals_the_original_tables_checksum()
    {
        await Catalog.CreateDatabaseAsync("ck_rw");
        var original = await Catalog.CreateTableAsync("ck_rw", Sbtest("src"));
        var table = await Table.OpenAsync(Catalog, "ck_rw", "src");
        await table.InsertManyAsync(Enumerable.Range(0, 31).Select(i => (IReadOnlyDictionary<string, Datum>)Row(i, $"v{i}")));
        var copy = await Catalog.CreateTableAsync("ck_rw", Sbtest("dst"));

        // Copy every pair to the new table id as a restore would (same suffix, new table prefix).
        var snapshot = await fixture.Client.SnapshotAsync();
        var range = TableCodec.TableRange(original.Id);
        var pairs = await snapshot.ScanAsync(range.Start, range.End);
        var newPrefix = TableCodec.TablePrefix(copy.Id);
        await fixture.Client.RunInTransactionAsync(txn =>
        {
            foreach (var (key, value) in pairs)
            {
                txn.Set([.. newPrefix, .. key.AsSpan(TableCodec.TablePrefixLength)], value);
            }

            return Task.CompletedTask;
        });

        var ts = (await fixture.Client.SnapshotAsync()).Timestamp;
        var checksums = new TableChecksum(fixture.Client);
        var expected = await checksums.ChecksumTableAsync(original, ts);
        var plain = await checksums.ChecksumTableAsync(copy, ts);
        var rewritten = await checksums.ChecksumTableAsync(copy, ts, new Dictionary<long, long> { [copy.Id] = original.Id });
        Assert.Equal(93UL, expected.TotalKvs);
        Assert.Equal(expected, rewritten);
        // Equal-length prefixes change each pair's CRC by the same amount (CRC is affine), so only an odd pair count shows it.
        Assert.NotEqual(expected.Crc64Xor, plain.Crc64Xor);
    }
}
