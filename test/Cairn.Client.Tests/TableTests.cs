using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Common.Keys;
using static Cairn.Client.Tests.CatalogSpecs;

namespace Cairn.Client.Tests;

public sealed class TableTests(CatalogClusterFixture fixture) : IClassFixture<CatalogClusterFixture>
{
    private CatalogClient Catalog => fixture.Catalog;

    private static Dictionary<string, Datum> Row(params (string Name, Datum Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value);

    [Fact]
    public async Task Index_entries_follow_inserts_updates_and_deletes()
    {
        await Catalog.CreateDatabaseAsync("tbl_idx");
        await Catalog.CreateTableAsync("tbl_idx", Sbtest("t"));
        var table = await Table.OpenAsync(Catalog, "tbl_idx", "t");

        var a = await table.InsertAsync(Row(("k", Datum.FromInt64(1)), ("c", Datum.FromString("alpha"))));
        var b = await table.InsertAsync(Row(("k", Datum.FromInt64(1)), ("c", Datum.FromString("beta"))));
        Assert.NotEqual(a, b);
        await Assert.ThrowsAsync<DuplicateKeyException>(() => table.InsertAsync(Row(("k", Datum.FromInt64(2)), ("c", Datum.FromString("alpha")))));
        await Assert.ThrowsAsync<DuplicateKeyException>(() => table.InsertAsync(Row(("id", Datum.FromInt64(a.Int)), ("c", Datum.FromString("gamma")))));

        Assert.True(await table.UpdateAsync(a, Row(("c", Datum.FromString("alpha2")), ("k", Datum.FromInt64(9)))));
        Assert.Equal(a, await table.LookupUniqueAsync("c_uk", [Datum.FromString("alpha2")]));
        Assert.Null(await table.LookupUniqueAsync("c_uk", [Datum.FromString("alpha")]));
        // The freed unique value can be taken by another row now.
        var c = await table.InsertAsync(Row(("k", Datum.FromInt64(3)), ("c", Datum.FromString("alpha"))));

        Assert.True(await table.DeleteAsync(b));
        Assert.False(await table.DeleteAsync(b));
        Assert.Null(await table.GetAsync(b));
        var row = await table.GetAsync(a);
        Assert.Equal(9, row!["k"].Int64);
        Assert.Equal("alpha2"u8.ToArray(), row["c"].Bytes.ToArray());

        await table.UpsertAsync(Row(("id", Datum.FromInt64(c.Int)), ("k", Datum.FromInt64(4)), ("c", Datum.FromString("delta"))));
        Assert.Equal(2, await table.CountAsync());
        Assert.Equal(2, await table.CountIndexAsync("k_idx"));
        Assert.Equal(2, await table.CountIndexAsync("c_uk"));
        Assert.Empty(await table.CheckIndexesAsync());
    }

    [Fact]
    public async Task Clustered_primary_keys_use_the_encoded_values_as_record_key()
    {
        await Catalog.CreateDatabaseAsync("tbl_clustered");
        var info = await Catalog.CreateTableAsync("tbl_clustered", new TableInfo
        {
            Name = new CIStr("accounts"),
            IsCommonHandle = true,
            Columns = [TextColumn("region"), IntColumn("no"), IntColumn("balance")],
            Indexes = [Index("PRIMARY", true, true, "region", "no"), Index("bal", false, false, "balance")],
        });
        Assert.False(info.PkIsHandle);
        var table = await Table.OpenAsync(Catalog, "tbl_clustered", "accounts");
        var handle = await table.InsertAsync(Row(("region", Datum.FromString("eu")), ("no", Datum.FromInt64(7)), ("balance", Datum.FromInt64(100))));

        Assert.True(handle.IsCommon);
        Assert.Equal(new RowHandle(0, [Datum.FromString("eu"), Datum.FromInt64(7)]), handle);
        var expectedKey = TableCodec.EncodeRecordKey(info.Id, Datum.FromString("eu"), Datum.FromInt64(7));
        var snapshot = await fixture.Client.SnapshotAsync();
        Assert.NotNull(await snapshot.GetAsync(expectedKey));
        var range = TableCodec.RecordRange(info.Id, isCommonHandle: true);
        Assert.Single(await snapshot.ScanAsync(range.Start, range.End));
        Assert.True(await table.UpdateAsync(handle, Row(("balance", Datum.FromInt64(5)))));
        Assert.Equal(5, (await table.GetAsync(handle))!["balance"].Int64);
        Assert.Empty(await table.CheckIndexesAsync());
        await Assert.ThrowsAsync<DuplicateKeyException>(() => table.InsertAsync(Row(("region", Datum.FromString("eu")), ("no", Datum.FromInt64(7)))));
    }

    [Fact]
    public async Task Auto_random_handles_carry_shard_bits_and_hidden_row_ids_are_allocated()
    {
        await Catalog.CreateDatabaseAsync("tbl_auto");
        var info = await Catalog.CreateTableAsync("tbl_auto", new TableInfo
        {
            Name = new CIStr("r"),
            AutoRandomBits = 5,
            Columns = [IntColumn("id"), TextColumn("v")],
            Indexes = [Index("PRIMARY", true, true, "id")],
        });
        var table = await Table.OpenAsync(Catalog, "tbl_auto", "r");
        var handles = await table.InsertManyAsync(Enumerable.Range(0, 40).Select(i => (IReadOnlyDictionary<string, Datum>)Row(("v", Datum.FromString($"v{i}")))));
        Assert.Equal(40, handles.Select(h => h.Int).Distinct().Count());
        Assert.All(handles, h => Assert.True(h.Int > 0));
        Assert.True(handles.Select(h => h.Int >> 58).Distinct().Count() > 1, "shard bits should vary");
        Assert.All(handles, h => Assert.InRange(h.Int & ((1L << 58) - 1), 1, 40_000));
        var db = (await Catalog.GetDatabaseAsync("tbl_auto"))!;
        Assert.True(await Catalog.GetAutoIdAsync(db.Id, info.Id, autoRandom: true) >= 40);

        await Catalog.CreateTableAsync("tbl_auto", new TableInfo { Name = new CIStr("h"), Columns = [TextColumn("v")], Indexes = [Index("v_idx", false, false, "v")] });
        var hidden = await Table.OpenAsync(Catalog, "tbl_auto", "h");
        var h1 = await hidden.InsertAsync(Row(("v", Datum.FromString("x"))));
        var h2 = await hidden.InsertAsync(Row(("v", Datum.FromString("x"))));
        Assert.NotEqual(h1, h2);
        var rows = await hidden.ScanAsync();
        Assert.Equal([h1.Int, h2.Int], rows.Select(r => r[TableLayout.RowIdColumn].Int64).Order());
        Assert.Empty(await hidden.CheckIndexesAsync());
    }

    [Fact]
    public async Task Index_keys_of_twelve_kibibytes_work()
    {
        await Catalog.CreateDatabaseAsync("tbl_long");
        await Catalog.CreateTableAsync("tbl_long", Sbtest("t"));
        var table = await Table.OpenAsync(Catalog, "tbl_long", "t");
        var longValue = new string('\u00e9', 6 * 1024); // 12 KiB in UTF-8
        var handle = await table.InsertAsync(Row(("k", Datum.FromInt64(1)), ("c", Datum.FromString(longValue))));
        Assert.Equal(handle, await table.LookupUniqueAsync("c_uk", [Datum.FromString(longValue)]));
        Assert.Empty(await table.CheckIndexesAsync());
    }

    [Fact]
    public async Task Bulk_inserts_reject_duplicates_within_the_batch_and_explicit_ids_rebase_the_allocator()
    {
        await Catalog.CreateDatabaseAsync("tbl_bulk");
        await Catalog.CreateTableAsync("tbl_bulk", Sbtest("t"));
        var table = await Table.OpenAsync(Catalog, "tbl_bulk", "t");

        await Assert.ThrowsAsync<DuplicateKeyException>(() => table.InsertManyAsync(
        [
            Row(("k", Datum.FromInt64(1)), ("c", Datum.FromString("same"))),
            Row(("k", Datum.FromInt64(2)), ("c", Datum.FromString("same"))),
        ]));
        Assert.Equal(0, await table.CountAsync());

        await table.InsertManyAsync([Row(("id", Datum.FromInt64(500)), ("k", Datum.FromInt64(1)), ("c", Datum.FromString("x")))]);
        var next = await table.InsertAsync(Row(("k", Datum.FromInt64(2)), ("c", Datum.FromString("y"))));
        Assert.True(next.Int > 500, $"allocated {next.Int} after an explicit 500");
        Assert.Equal(2, await table.CountAsync());
        Assert.Empty(await table.CheckIndexesAsync());
    }

    [Fact]
    public void Row_codec_round_trips_and_skips_nulls()
    {
        var value = RowCodec.Encode([KeyValuePair.Create(2L, Datum.FromString("x")), KeyValuePair.Create(1L, Datum.FromInt64(-5)), KeyValuePair.Create(3L, Datum.Null)]);
        Assert.Equal(RowCodec.Version, value[0]);
        var decoded = RowCodec.Decode(value);
        Assert.Equal(2, decoded.Count);
        Assert.Equal(-5, decoded[1].Int64);
        Assert.Equal("x"u8.ToArray(), decoded[2].Bytes.ToArray());
        Assert.Throws<CodecException>(() => RowCodec.Decode([0x7F]));
    }
}
