using Cairn.Common.Mvcc;
using Cairn.Rpc.Backup;
using Cairn.Rpc.ImportSstpb;
using Cairn.Rpc.Kvrpcpb;
using Google.Protobuf;
using static Cairn.Store.Tests.Import.BackupSsts;

namespace Cairn.Store.Tests.Import;

public sealed class DownloadIngestTests(ImportFixture f) : IClassFixture<ImportFixture>
{
    // Rows 0..n-1; even handles get a long value (default CF), odd ones a short value inlined in the write record.
    private static List<(long Handle, byte[] Value)> Rows(int n, bool withLongValues = true) =>
        [.. Enumerable.Range(0, n).Select(i => ((long)i, withLongValues && i % 2 == 0 ? RandomValue(200) : RandomValue(20)))];

    private async Task<(DownloadRequest, DownloadResponse)> DownloadOkAsync(DownloadRequest request)
    {
        var response = await f.DownloadAsync(request);
        Assert.Null(response.Error);
        return (request, response);
    }

    [Fact]
    public async Task Rows_downloaded_with_a_table_rewrite_and_multi_ingested_are_readable_under_the_new_table_only()
    {
        var (oldTable, newTable) = (f.NewTableId(), f.NewTableId());
        var rows = Rows(40);
        var (startTs, commitTs) = (f.Ts.Next(), f.Ts.Next());
        var (writeName, defaultName) = f.Files.WriteTable($"t{oldTable}", oldTable, rows, startTs, commitTs);
        var (region, context) = f.RegionOfTable(newTable);

        var write = await DownloadOkAsync(f.TableDownload(writeName, "write", oldTable, newTable, region));
        var values = await DownloadOkAsync(f.TableDownload(defaultName!, "default", oldTable, newTable, region));

        Assert.False(write.Item2.IsEmpty);
        Assert.Equal(MvccKey.EncodeKey(RecordKey(newTable, 0), commitTs), write.Item2.Range.Start.ToByteArray());
        Assert.Equal(MvccKey.EncodeKey(RecordKey(newTable, 39), commitTs), write.Item2.Range.End.ToByteArray());
        Assert.Equal(MvccKey.EncodeKey(RecordKey(newTable, 0), startTs), values.Item2.Range.Start.ToByteArray());
        Assert.Equal(MvccKey.EncodeKey(RecordKey(newTable, 38), startTs), values.Item2.Range.End.ToByteArray());
        Assert.True(f.IsStaged(write.Item1) && f.IsStaged(values.Item1));

        var ingest = await f.IngestAsync(context, write, values);
        Assert.Null(ingest.Error);

        var restored = await f.ScanTableAsync(newTable, f.Ts.Next());
        Assert.Equal(rows.Count, restored.Count);
        foreach (var (handle, value) in rows)
        {
            Assert.Equal(value, restored[handle]);
        }

        Assert.Empty(await f.ScanTableAsync(oldTable, f.Ts.Next()));
        Assert.Empty(await f.ScanTableAsync(newTable, commitTs - 1));
        Assert.False(f.IsStaged(write.Item1) || f.IsStaged(values.Item1));
    }

    [Fact]
    public async Task A_new_timestamp_moves_every_version_to_it_with_the_write_records_start_ts_matching_the_values()
    {
        var (oldTable, newTable) = (f.NewTableId(), f.NewTableId());
        var rows = Rows(10);
        var (startTs, commitTs) = (f.Ts.Next(), f.Ts.Next());
        var (writeName, defaultName) = f.Files.WriteTable($"t{oldTable}", oldTable, rows, startTs, commitTs);
        var newTs = f.Ts.Next();
        var (region, context) = f.RegionOfTable(newTable);

        var write = await DownloadOkAsync(f.TableDownload(writeName, "write", oldTable, newTable, region, newTs));
        var values = await DownloadOkAsync(f.TableDownload(defaultName!, "default", oldTable, newTable, region, newTs));
        Assert.Equal(MvccKey.EncodeKey(RecordKey(newTable, 0), newTs), write.Item2.Range.Start.ToByteArray());
        Assert.Null((await f.IngestAsync(context, write, values)).Error);

        Assert.Empty(await f.ScanTableAsync(newTable, newTs - 1));
        var atNewTs = await f.ScanTableAsync(newTable, newTs);
        Assert.Equal(rows.Count, atNewTs.Count);
        // Long values are found through the write record's start_ts: the rewrite kept the two consistent.
        Assert.All(rows, r => Assert.Equal(r.Value, atNewTs[r.Handle]));

        var engine = f.Node.Engine;
        var record = WriteRecord.Decode(engine.Db.Get(engine.Write, MvccKey.DataKey(RecordKey(newTable, 0), newTs))!);
        Assert.Equal(newTs, record.StartTs);
    }

    [Fact]
    public async Task A_new_timestamp_is_every_staged_keys_ts_and_every_write_records_start_ts_and_the_file_carries_it_as_its_mvcc_range()
    {
        var (oldTable, newTable) = (f.NewTableId(), f.NewTableId());
        var rows = Rows(30);
        var (startTs, commitTs) = (f.Ts.Next(), f.Ts.Next());
        var (writeName, _) = f.Files.WriteTable($"t{oldTable}", oldTable, rows, startTs, commitTs);
        var newTs = f.Ts.Next();
        var (region, _) = f.RegionOfTable(newTable);

        var write = await DownloadOkAsync(f.TableDownload(writeName, "write", oldTable, newTable, region, newTs));
        var staged = Assert.Single(Directory.GetFiles(f.ImportDir, $"{new Guid(write.Item1.Sst.Uuid.Span, bigEndian: true):D}_*.sst"));
        var entries = await SstDump.ScanAsync(staged);
        Assert.Equal(rows.Count, entries.Count);
        foreach (var (key, value) in entries)
        {
            MvccKey.DecodeDataKey(key, out var ts);
            Assert.Equal(newTs, ts);
            Assert.Equal(newTs, WriteRecord.Decode(value).StartTs);
        }

        var props = await SstDump.UserPropertiesAsync(staged, "cairn.mvcc.");
        Assert.Equal(newTs.ToString(System.Globalization.CultureInfo.InvariantCulture), props[Cairn.RocksDb.MvccTableProperties.MinTs]);
        Assert.Equal(newTs.ToString(System.Globalization.CultureInfo.InvariantCulture), props[Cairn.RocksDb.MvccTableProperties.MaxTs]);
        Assert.Equal(rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), props[Cairn.RocksDb.MvccTableProperties.NumPuts]);
    }

    [Fact]
    public async Task A_new_timestamp_keeps_only_the_newest_of_several_versions_of_a_key_so_an_incremental_file_restores_its_end_state()
    {
        var (oldTable, newTable) = (f.NewTableId(), f.NewTableId());
        var (start1, commit1, start2, commit2) = (f.Ts.Next(), f.Ts.Next(), f.Ts.Next(), f.Ts.Next());
        var name = $"t{oldTable}_versions_write.sst";
        using (var write = Cairn.RocksDb.SstFileWriter.Create(Path.Combine(f.Files.Folder, name)))
        {
            for (var handle = 0L; handle < 6; handle++)
            {
                // Newest first, as the keys sort: handle 1's newest version deletes it.
                var newest = handle == 1
                    ? new WriteRecord(WriteType.Delete, start2, null)
                    : new WriteRecord(WriteType.Put, start2, [.. "new"u8, (byte)handle]);
                write.Put(MvccKey.DataKey(RecordKey(oldTable, handle), commit2), newest.ToBytes());
                write.Put(MvccKey.DataKey(RecordKey(oldTable, handle), commit1), new WriteRecord(WriteType.Put, start1, [.. "old"u8, (byte)handle]).ToBytes());
            }

            write.Finish();
        }

        var newTs = f.Ts.Next();
        var (region, context) = f.RegionOfTable(newTable);
        var download = await DownloadOkAsync(f.TableDownload(name, "write", oldTable, newTable, region, newTs));
        var staged = Assert.Single(Directory.GetFiles(f.ImportDir, $"{new Guid(download.Item1.Sst.Uuid.Span, bigEndian: true):D}_*.sst"));
        Assert.Equal(6, (await SstDump.ScanAsync(staged)).Count);
        Assert.Null((await f.IngestAsync(context, download)).Error);

        var restored = await f.ScanTableAsync(newTable, newTs);
        Assert.Equal([0L, 2, 3, 4, 5], restored.Keys.Order());
        Assert.All(restored, r => Assert.Equal([.. "new"u8, (byte)r.Key], r.Value));
    }

    [Fact]
    public async Task A_range_clips_the_rows_inclusively_or_exclusively_and_a_range_with_no_rows_is_empty()
    {
        var (oldTable, newTable) = (f.NewTableId(), f.NewTableId());
        var rows = Rows(10, withLongValues: false);
        var (startTs, commitTs) = (f.Ts.Next(), f.Ts.Next());
        var (writeName, _) = f.Files.WriteTable($"t{oldTable}", oldTable, rows, startTs, commitTs);
        var (region, context) = f.RegionOfTable(newTable);

        var inclusive = f.TableDownload(writeName, "write", oldTable, newTable, region);
        inclusive.Sst.Range.Start = ByteString.CopyFrom(MvccKey.EncodeKey(RecordKey(newTable, 3)));
        // Origin keys carry their ts: the largest key of handle 6 is its encoded key followed by !0.
        inclusive.Sst.Range.End = ByteString.CopyFrom(MvccKey.EncodeKey(RecordKey(newTable, 6), 0));
        var clipped = await DownloadOkAsync(inclusive);
        Assert.Equal(MvccKey.EncodeKey(RecordKey(newTable, 3), commitTs), clipped.Item2.Range.Start.ToByteArray());
        Assert.Equal(MvccKey.EncodeKey(RecordKey(newTable, 6), commitTs), clipped.Item2.Range.End.ToByteArray());

        var exclusive = f.TableDownload(writeName, "write", oldTable, newTable, region);
        exclusive.Sst.Range.Start = ByteString.CopyFrom(MvccKey.EncodeKey(RecordKey(newTable, 3)));
        exclusive.Sst.Range.End = ByteString.CopyFrom(MvccKey.EncodeKey(RecordKey(newTable, 6)));
        exclusive.Sst.EndKeyExclusive = true;
        var clippedExclusive = await DownloadOkAsync(exclusive);
        Assert.Equal(MvccKey.EncodeKey(RecordKey(newTable, 5), commitTs), clippedExclusive.Item2.Range.End.ToByteArray());

        var nothing = f.TableDownload(writeName, "write", oldTable, newTable, region);
        nothing.Sst.Range.Start = ByteString.CopyFrom(MvccKey.EncodeKey(RecordKey(newTable, 100)));
        var empty = await DownloadOkAsync(nothing);
        Assert.True(empty.Item2.IsEmpty);

        // Short values only, so the write CF alone restores the clipped rows.
        Assert.Null((await f.IngestAsync(context, clipped)).Error);
        var restored = await f.ScanTableAsync(newTable, f.Ts.Next());
        Assert.Equal([3L, 4, 5, 6], restored.Keys.Order());
    }

    [Fact]
    public async Task A_raw_file_downloads_with_an_empty_rule_and_an_exclusive_end_and_reads_back_through_raw_get()
    {
        var prefix = $"raw{f.NewTableId()}-";
        var pairs = Enumerable.Range(0, 20).Select(i => (Bytes($"{prefix}{i:D2}"), RandomValue(100))).ToList();
        var name = f.Files.WriteRaw($"{prefix}default.sst", pairs);
        var (region, context) = f.RegionOf(Bytes(prefix));
        var request = new DownloadRequest
        {
            Name = name,
            Sst = new SSTMeta
            {
                Uuid = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
                CfName = "default",
                RegionId = region.Id,
                RegionEpoch = region.RegionEpoch.Clone(),
                Length = (ulong)f.Files.Size(name),
                EndKeyExclusive = true,
                Range = new Rpc.ImportSstpb.Range { Start = ByteString.CopyFrom(Bytes($"{prefix}05")), End = ByteString.CopyFrom(Bytes($"{prefix}15")) },
            },
            RewriteRule = new RewriteRule(),
            StorageBackend = new StorageBackend { Local = new Local { Path = f.Storage.Path } },
            IsRawKv = true,
        };
        var download = await DownloadOkAsync(request);
        Assert.Equal(Bytes($"{prefix}05"), download.Item2.Range.Start.ToByteArray());
        Assert.Equal(Bytes($"{prefix}14"), download.Item2.Range.End.ToByteArray());
        Assert.Null((await f.IngestAsync(context, download)).Error);

        for (var i = 0; i < 20; i++)
        {
            var get = await f.Channel.Tikv.RawGetAsync(new RawGetRequest { Context = context, Key = ByteString.CopyFrom(pairs[i].Item1) }).ResponseAsync;
            Assert.Null(get.RegionError);
            if (i is >= 5 and < 15)
            {
                Assert.Equal(pairs[i].Item2, get.Value.ToByteArray());
            }
            else
            {
                Assert.True(get.NotFound);
            }
        }
    }

    private static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);
}
