using System.Security.Cryptography;
using System.Text;
using Cairn.Br.Metadata;
using Cairn.Rpc.Backup;
using Cairn.Storage.Local;
using Google.Protobuf;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Tests.Metadata;

public sealed class BackupMetaTests : IDisposable
{
    private readonly TempDirectory _dir = new("meta");
    private readonly LocalStorage _storage;

    public BackupMetaTests() => _storage = new LocalStorage(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private async Task<(List<BackupFile> Files, List<Schema> Schemas, long Bytes)> WriteAsync(BackupMetaWriter writer, int ranges, int tables, string ddls = "[]")
    {
        var files = new List<BackupFile>();
        for (var i = 0; i < ranges; i++)
        {
            var pair = MetaSamples.RangeFiles(i);
            files.AddRange(pair);
            await writer.AddFilesAsync(pair);
        }
        var schemas = Enumerable.Range(1, tables).Select(MetaSamples.Schema).ToList();
        foreach (var schema in schemas)
        {
            await writer.AddSchemaAsync(schema);
        }
        await writer.AddDdlsAsync(Encoding.UTF8.GetBytes(ddls));
        var bytes = await writer.FinishAsync(MetaSamples.Header());
        return (files, schemas, bytes);
    }

    private static async Task<List<T>> ListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }

    private long FolderBytes() => Directory.EnumerateFiles(_dir.Path).Sum(f => new FileInfo(f).Length);

    private string[] FolderNames() => [.. Directory.EnumerateFiles(_dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public async Task A_v1_meta_is_one_backupmeta_that_reads_back_whole()
    {
        var (files, schemas, bytes) = await WriteAsync(new BackupMetaWriter(_storage), ranges: 20, tables: 5, ddls: """[{"id":1},{"id":2}]""");

        Assert.Equal([BackupFiles.Meta], FolderNames());
        Assert.Equal(FolderBytes(), bytes);
        var reader = await BackupMetaReader.OpenAsync(_storage);
        Assert.False(reader.IsV2);
        Assert.Equal(0, reader.Meta.Version);
        Assert.Equal(6_969_001UL, reader.Meta.ClusterId);
        Assert.Equal("\"5.1.0\"", reader.Meta.ClusterVersion);
        Assert.Equal(files, await ListAsync(reader.ReadFilesAsync()));
        Assert.Equal(schemas, await ListAsync(reader.ReadSchemasAsync()));
        Assert.Equal("""[{"id":1},{"id":2}]""", Encoding.UTF8.GetString((await reader.ReadDdlsAsync()).Span));
        // The streamed file is a plain BackupMeta to any protobuf reader.
        var decoded = BackupMeta.Parser.ParseFrom(System.IO.File.ReadAllBytes(_dir.Sub(BackupFiles.Meta)));
        Assert.Equal(files, decoded.Files);
        Assert.Equal("BR\nRelease Version: test", decoded.BrVersion);
    }

    [Fact]
    public async Task A_v1_meta_without_ddls_stores_an_empty_json_array()
    {
        var writer = new BackupMetaWriter(_storage);
        await writer.FinishAsync(MetaSamples.Header());
        var reader = await BackupMetaReader.OpenAsync(_storage);
        Assert.Equal("[]", reader.Meta.Ddls.ToStringUtf8());
        Assert.Empty(await ListAsync(reader.ReadFilesAsync()));
    }

    [Fact]
    public async Task A_v2_meta_puts_the_lists_in_numbered_meta_files_indexed_by_sha256()
    {
        var (files, schemas, bytes) = await WriteAsync(new BackupMetaWriter(_storage, useV2: true), ranges: 10, tables: 3, ddls: """[{"id":7}]""");

        Assert.Equal(
            [BackupFiles.Meta, "backupmeta.datafile.000000001", "backupmeta.ddl.000000003", "backupmeta.schema.000000002"],
            FolderNames());
        Assert.Equal(FolderBytes(), bytes);
        var reader = await BackupMetaReader.OpenAsync(_storage);
        Assert.True(reader.IsV2);
        Assert.Equal(1, reader.Meta.Version);
        Assert.Empty(reader.Meta.Files);
        Assert.Empty(reader.Meta.Schemas);
        var entry = Assert.Single(reader.Meta.FileIndex.MetaFiles);
        var content = System.IO.File.ReadAllBytes(_dir.Sub(entry.Name));
        Assert.Equal(SHA256.HashData(content), entry.Sha256.ToByteArray());
        Assert.Equal((ulong)content.Length, entry.Size);
        Assert.Equal(files, MetaFile.Parser.ParseFrom(content).DataFiles);
        Assert.Equal(files, await ListAsync(reader.ReadFilesAsync()));
        Assert.Equal(schemas, await ListAsync(reader.ReadSchemasAsync()));
        Assert.Equal("""[{"id":7}]""", Encoding.UTF8.GetString((await reader.ReadDdlsAsync()).Span));
    }

    [Fact]
    public async Task A_v1_meta_over_the_limit_switches_to_v2_and_keeps_each_range_in_one_meta_file()
    {
        var writer = new BackupMetaWriter(_storage, useV2: false, metaFileSizeLimit: 4096);
        var (files, schemas, bytes) = await WriteAsync(writer, ranges: 200, tables: 100);

        Assert.True(writer.IsV2);
        Assert.Equal(FolderBytes(), bytes);
        var reader = await BackupMetaReader.OpenAsync(_storage);
        Assert.Equal(1, reader.Meta.Version);
        Assert.True(reader.Meta.FileIndex.MetaFiles.Count > 5);
        Assert.True(reader.Meta.SchemaIndex.MetaFiles.Count > 1);
        var numbers = FolderNames().Where(n => n != BackupFiles.Meta).Select(n => int.Parse(n[^9..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, numbers.Count), numbers);
        foreach (var entry in reader.Meta.FileIndex.MetaFiles)
        {
            var leaf = MetaFile.Parser.ParseFrom(System.IO.File.ReadAllBytes(_dir.Sub(entry.Name)));
            Assert.True(leaf.DataFiles.Count % 2 == 0, entry.Name);
            for (var i = 0; i < leaf.DataFiles.Count; i += 2)
            {
                Assert.Equal(leaf.DataFiles[i].StartKey, leaf.DataFiles[i + 1].StartKey);
            }
            Assert.True(entry.Size < 4096 + 1024, $"{entry.Name} has {entry.Size} bytes");
        }
        Assert.Equal(files, await ListAsync(reader.ReadFilesAsync()));
        Assert.Equal(schemas, await ListAsync(reader.ReadSchemasAsync()));
    }

    [Fact]
    public async Task An_index_over_the_limit_nests_and_readers_walk_it_in_order()
    {
        var writer = new BackupMetaWriter(_storage, useV2: true, metaFileSizeLimit: 700);
        var (files, _, bytes) = await WriteAsync(writer, ranges: 300, tables: 0);

        Assert.Equal(FolderBytes(), bytes);
        var reader = await BackupMetaReader.OpenAsync(_storage);
        var first = reader.Meta.FileIndex.MetaFiles[0];
        var nested = MetaFile.Parser.ParseFrom(System.IO.File.ReadAllBytes(_dir.Sub(first.Name)));
        Assert.NotEmpty(nested.MetaFiles);
        Assert.Empty(nested.DataFiles);
        Assert.Equal(files, await ListAsync(reader.ReadFilesAsync()));
    }

    [Fact]
    public async Task Files_added_from_many_tasks_at_once_all_arrive_with_each_pair_adjacent()
    {
        var writer = new BackupMetaWriter(_storage, metaFileSizeLimit: 8192);
        await Parallel.ForAsync(0, 400, async (i, ct) => await writer.AddFilesAsync(MetaSamples.RangeFiles(i), ct));
        await writer.FinishAsync(MetaSamples.Header());

        var read = await ListAsync((await BackupMetaReader.OpenAsync(_storage)).ReadFilesAsync());
        Assert.Equal(800, read.Count);
        for (var i = 0; i < read.Count; i += 2)
        {
            Assert.Equal("default", read[i].Cf);
            Assert.Equal(read[i].StartKey, read[i + 1].StartKey);
        }
        Assert.Equal(400, read.Select(f => f.StartKey).Distinct().Count());
    }

    [Fact]
    public async Task A_writer_finishes_once()
    {
        var writer = new BackupMetaWriter(_storage);
        await writer.FinishAsync(MetaSamples.Header());
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.FinishAsync(MetaSamples.Header()));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.AddFilesAsync(MetaSamples.RangeFiles(1)));
    }

    [Fact]
    public async Task Ddls_that_are_not_a_json_array_are_refused()
    {
        var writer = new BackupMetaWriter(_storage);
        await Assert.ThrowsAsync<ArgumentException>(async () => await writer.AddDdlsAsync("{\"id\":1}"u8.ToArray()));
        await Assert.ThrowsAsync<ArgumentException>(async () => await writer.AddDdlsAsync("[{"u8.ToArray()));
    }

    [Fact]
    public async Task A_folder_without_backupmeta_says_so()
    {
        var error = await Assert.ThrowsAsync<BrException>(() => BackupMetaReader.OpenAsync(_storage));
        Assert.Equal("ErrBackupMetaNotFound", error.Code);
        Assert.StartsWith($"no backupmeta in {_storage.Uri}: is this the backup folder?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_truncated_or_garbled_backupmeta_is_invalid()
    {
        await WriteAsync(new BackupMetaWriter(_storage), ranges: 30, tables: 3);
        var path = _dir.Sub(BackupFiles.Meta);
        var good = System.IO.File.ReadAllBytes(path);

        // Cut at every length: wherever the cut falls, the meta is refused, never read as a shorter backup.
        for (var length = 0; length < good.Length; length += 97)
        {
            System.IO.File.WriteAllBytes(path, good[..length]);
            var error = await Assert.ThrowsAsync<BrException>(() => BackupMetaReader.OpenAsync(_storage));
            Assert.Equal("ErrInvalidMetaFile", error.Code);
            Assert.Contains("backupmeta", error.Message, StringComparison.Ordinal);
        }
        System.IO.File.WriteAllBytes(path, Encoding.ASCII.GetBytes("this is not protobuf at all, just text"));
        var garbled = await Assert.ThrowsAsync<BrException>(() => BackupMetaReader.OpenAsync(_storage));
        Assert.Equal("ErrInvalidMetaFile", garbled.Code);
    }

    [Fact]
    public async Task A_missing_v2_meta_file_is_named_when_opening()
    {
        await WriteAsync(new BackupMetaWriter(_storage, useV2: true), ranges: 5, tables: 2);
        System.IO.File.Delete(_dir.Sub("backupmeta.schema.000000002"));
        var error = await Assert.ThrowsAsync<BrException>(() => BackupMetaReader.OpenAsync(_storage));
        Assert.Equal("ErrInvalidMetaFile", error.Code);
        Assert.Contains("backupmeta.schema.000000002", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_v2_meta_file_with_a_changed_byte_or_cut_short_is_named_when_read()
    {
        await WriteAsync(new BackupMetaWriter(_storage, useV2: true), ranges: 5, tables: 2);
        var path = _dir.Sub("backupmeta.datafile.000000001");
        var good = System.IO.File.ReadAllBytes(path);
        var flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x01;
        System.IO.File.WriteAllBytes(path, flipped);

        var reader = await BackupMetaReader.OpenAsync(_storage);
        var error = await Assert.ThrowsAsync<BrException>(() => ListAsync(reader.ReadFilesAsync()));
        Assert.Contains("backupmeta.datafile.000000001", error.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await ListAsync(reader.ReadSchemasAsync())).Count);

        System.IO.File.WriteAllBytes(path, good[..^3]);
        var cut = await Assert.ThrowsAsync<BrException>(() => ListAsync(reader.ReadFilesAsync()));
        Assert.Contains("backupmeta.datafile.000000001", cut.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", cut.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_backupmeta_decodes_as_kvproto_BackupMeta_with_debian_protoc()
    {
        await WriteAsync(new BackupMetaWriter(_storage, useV2: true), ranges: 3, tables: 1);
        var protoDir = Path.Combine(AppContext.BaseDirectory, "proto");
        var result = await ProcessRunner.RunAsync("/usr/bin/python3", ["-m", "grpc_tools.protoc", "-I" + protoDir, "--decode=backup.BackupMeta", "brpb.proto"],
            TimeSpan.FromSeconds(60), stdin: System.IO.File.ReadAllBytes(_dir.Sub(BackupFiles.Meta)));
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("cluster_id: 6969001", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("version: 1", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("name: \"backupmeta.datafile.000000001\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("end_version: 445566", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backupmeta_encoded_by_debian_protoc_in_field_order_reads_back()
    {
        // protoc writes fields in number order, as BR's Go writer does: files and schemas before br_version.
        const string text = """
            cluster_id: 42
            cluster_version: "\"5.1.0\""
            files { name: "1_2_3_abc_1700000000000_write.sst" sha256: "\001\002" start_key: "t\200" end_key: "t\201" cf: "write" size: 9 total_kvs: 3 }
            end_version: 445566
            schemas { db: "{\"db_name\":{\"O\":\"d\"}}" table: "{\"id\":5,\"name\":{\"O\":\"t\"}}" total_kvs: 3 }
            ddls: "[]"
            br_version: "BR\nRelease Version: v5.1.0"
            """;
        var protoDir = Path.Combine(AppContext.BaseDirectory, "proto");
        var result = await ProcessRunner.RunAsync("/usr/bin/python3", ["-m", "grpc_tools.protoc", "-I" + protoDir, "--encode=backup.BackupMeta", "brpb.proto"],
            TimeSpan.FromSeconds(60), stdin: Encoding.UTF8.GetBytes(text));
        Assert.True(result.ExitCode == 0, result.StandardError);
        System.IO.File.WriteAllBytes(_dir.Sub(BackupFiles.Meta), result.StandardOutputBytes);

        var reader = await BackupMetaReader.OpenAsync(_storage);
        Assert.Equal(42UL, reader.Meta.ClusterId);
        var file = Assert.Single(await ListAsync(reader.ReadFilesAsync()));
        Assert.Equal(("1_2_3_abc_1700000000000_write.sst", 9UL), (file.Name, file.Size));
        Assert.Equal(3UL, Assert.Single(await ListAsync(reader.ReadSchemasAsync())).TotalKvs);
        Assert.Equal("[]", Encoding.UTF8.GetString((await reader.ReadDdlsAsync()).Span));
    }
}
