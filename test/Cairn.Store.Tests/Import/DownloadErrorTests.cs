using Cairn.Rpc;

using Cairn.Rpc.ImportSstpb;
using Cairn.Rpc.Kvrpcpb;
using Google.Protobuf;
using static Cairn.Store.Tests.Import.BackupSsts;

namespace Cairn.Store.Tests.Import;

public sealed class DownloadErrorTests(ImportFixture f) : IClassFixture<ImportFixture>
{
    private (string Name, long OldTable, long NewTable) OneFile(int rows = 50)
    {
        var (oldTable, newTable) = (f.NewTableId(), f.NewTableId());
        var (write, _) = f.Files.WriteTable($"t{oldTable}", oldTable,
            [.. Enumerable.Range(0, rows).Select(i => ((long)i, RandomValue(40)))], f.Ts.Next(), f.Ts.Next());
        return (write, oldTable, newTable);
    }

    private string Message(DownloadResponse response)
    {
        Assert.True(response.Error is not null, response.ToString());
        Assert.False(response.IsEmpty);
        return response.Error.Message;
    }

    [Fact]
    public async Task A_key_without_the_old_prefix_fails_the_download_naming_the_file()
    {
        var (name, oldTable, newTable) = OneFile();
        var request = f.TableDownload(name, "write", oldTable, newTable, f.RegionOfTable(newTable).Region);
        request.RewriteRule.OldKeyPrefix = ByteString.CopyFrom(EncodedRecordPrefix(oldTable + 1));
        // Only keys inside the (unbounded) range are checked, as in TiKV.
        request.Sst.Range = new Rpc.ImportSstpb.Range();

        var message = Message(await f.DownloadAsync(request));

        Assert.Contains("Key in SST", message, StringComparison.Ordinal);
        Assert.Contains("has wrong prefix", message, StringComparison.Ordinal);
        Assert.Contains(name, message, StringComparison.Ordinal);
        Assert.False(f.IsStaged(request));
    }

    [Fact]
    public async Task A_missing_file_is_a_non_retryable_error_naming_it()
    {
        var (_, oldTable, newTable) = OneFile(1);
        var request = f.TableDownload(OneFile(1).Name, "write", oldTable, newTable, f.RegionOfTable(newTable).Region);
        request.Name = "1_2_3_missing_write.sst";

        var message = Message(await f.DownloadAsync(request));

        Assert.Contains("'1_2_3_missing_write.sst' does not exist", message, StringComparison.Ordinal);
        Assert.Contains("non-retryable", message, StringComparison.Ordinal);
    }

    // Downloads a damaged copy of a fresh file; returns the copy's name and the error message.
    private async Task<(string Name, string Message)> DownloadDamagedAsync(string prefix, Func<byte[], byte[]> damage)
    {
        var (name, oldTable, newTable) = OneFile();
        var damaged = prefix + name;
        var bytes = await File.ReadAllBytesAsync(Path.Combine(f.Storage.Path, name));
        await File.WriteAllBytesAsync(Path.Combine(f.Storage.Path, damaged), damage(bytes));
        var request = f.TableDownload(damaged, "write", oldTable, newTable, f.RegionOfTable(newTable).Region);
        return (damaged, Message(await f.DownloadAsync(request)));
    }

    [Fact]
    public async Task A_truncated_sst_is_detected_as_unreadable()
    {
        var (name, message) = await DownloadDamagedAsync("truncated_", bytes => bytes[..(bytes.Length / 2)]);

        Assert.Contains($"'{name}' is not a readable SST (corrupt or truncated)", message, StringComparison.Ordinal);
        Assert.Contains("non-retryable", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_data_block_fails_its_checksum()
    {
        var (name, message) = await DownloadDamagedAsync("corrupt_", bytes =>
        {
            // The first data block starts the file; its bytes are covered by the block's checksum.
            for (var i = 40; i < 48; i++)
            {
                bytes[i] ^= 0x5A;
            }

            return bytes;
        });

        Assert.Contains($"'{name}' is not a readable SST", message, StringComparison.Ordinal);
        Assert.Contains("block checksum mismatch", message, StringComparison.Ordinal);
        Assert.Contains("non-retryable", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_size_other_than_the_one_in_the_request_fails_the_download()
    {
        var (name, oldTable, newTable) = OneFile();
        var request = f.TableDownload(name, "write", oldTable, newTable, f.RegionOfTable(newTable).Region);
        var size = request.Sst.Length;
        request.Sst.Length = size + 1;

        var message = Message(await f.DownloadAsync(request));

        Assert.Contains($"downloaded size {size}, expected {size + 1}", message, StringComparison.Ordinal);
        Assert.Contains(name, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_without_the_free_space_for_a_file_refuses_to_download_it()
    {
        var (name, oldTable, newTable) = OneFile();
        using var dir = new TempDirectory("import-full");
        await using var node = new StoreNode(new StoreNodeOptions { Address = "127.0.0.1:0", DataDir = dir.Path, BlockCacheSize = 8L << 20, ImportDiskReserve = long.MaxValue / 8 });
        await node.StartAsync();
        using var channel = new RpcChannel(node.Address);
        var region = node.Regions.GetRegions()[0];

        var response = await channel.ImportSst.DownloadAsync(f.TableDownload(name, "write", oldTable, newTable, region)).ResponseAsync;

        Assert.Contains("not enough disk space to download", Message(response), StringComparison.Ordinal);
        Assert.Contains(name, response.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_labelled_tiflash_refuses_downloads_and_ingests()
    {
        var (name, oldTable, newTable) = OneFile();
        using var dir = new TempDirectory("import-tiflash");
        await using var node = new StoreNode(new StoreNodeOptions
        {
            Address = "127.0.0.1:0",
            DataDir = dir.Path,
            BlockCacheSize = 8L << 20,
            Labels = new Dictionary<string, string> { ["engine"] = "tiflash" },
        });
        await node.StartAsync();
        using var channel = new RpcChannel(node.Address);
        var region = node.Regions.GetRegions()[0];
        var download = f.TableDownload(name, "write", oldTable, newTable, region);

        var downloaded = await channel.ImportSst.DownloadAsync(download).ResponseAsync;
        var ingested = await channel.ImportSst.IngestAsync(new IngestRequest
        {
            Context = new Context { RegionId = region.Id, RegionEpoch = region.RegionEpoch, Peer = region.Peers[0] },
            Sst = download.Sst,
        }).ResponseAsync;

        Assert.Contains("engine=tiflash", Message(downloaded), StringComparison.Ordinal);
        Assert.Contains("engine=tiflash", ingested.Error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "import"), "*.sst"));
    }
}
