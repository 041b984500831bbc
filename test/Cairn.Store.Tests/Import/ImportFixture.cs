using Cairn.Common.Mvcc;
using Cairn.Rpc;
using Cairn.Rpc.Backup;
using Cairn.Rpc.ImportSstpb;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Google.Protobuf;

namespace Cairn.Store.Tests.Import;

/// <summary>A one-store cluster (import mode timeout 3 s) with a channel to the store and a local backup folder.</summary>
public sealed class ImportFixture : IAsyncLifetime
{
    public static readonly TimeSpan ModeTimeout = TimeSpan.FromSeconds(3);
    private long _nextTable = 100;

    public TestCluster Cluster { get; private set; } = null!;

    public RpcChannel Channel { get; private set; } = null!;

    public TempDirectory Storage { get; } = new("import-storage");

    internal BackupSsts Files => new(Storage.Path);

    internal Timestamps Ts { get; } = new();

    public StoreNode Node => Cluster.Store(0);

    public string ImportDir => Path.Combine(Cluster.StoreDataDir(0), "import");

    /// <summary>A table id no other test uses.</summary>
    public long NewTableId() => Interlocked.Add(ref _nextTable, 2);

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            Stores = 1,
            ConfigureStore = (_, o) => o with { ImportModeTimeout = ModeTimeout, ImportDiskReserve = 16L * 1024 * 1024 },
        });
        Channel = new RpcChannel(Cluster.StoreAddress(0));
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Cluster.DisposeAsync();
        Storage.Dispose();
    }

    /// <summary>The region holding <paramref name="encodedKey"/> and a context naming it as this store leads it.</summary>
    public (Region Region, Context Context) RegionOf(ReadOnlySpan<byte> encodedKey)
    {
        foreach (var region in Node.Regions.GetRegions())
        {
            if (Regions.RegionManager.Contains(region, encodedKey))
            {
                return (region, new Context
                {
                    RegionId = region.Id,
                    RegionEpoch = region.RegionEpoch.Clone(),
                    Peer = Node.Regions.LocalPeer(region)!.Clone(),
                });
            }
        }

        throw new InvalidOperationException("no region holds the key");
    }

    /// <summary>The region of the table's records.</summary>
    public (Region Region, Context Context) RegionOfTable(long tableId) => RegionOf(MvccKey.EncodeKey(BackupSsts.RecordKey(tableId, 0)));

    /// <summary>A Download of <paramref name="name"/> for the region, rewriting table <paramref name="oldTable"/> to <paramref name="newTable"/>, over the whole new table.</summary>
    public DownloadRequest TableDownload(string name, string cf, long oldTable, long newTable, Region region, ulong newTs = 0)
    {
        var newPrefix = BackupSsts.EncodedRecordPrefix(newTable);
        return new DownloadRequest
        {
            Name = name,
            Sst = new SSTMeta
            {
                Uuid = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
                CfName = cf,
                RegionId = region.Id,
                RegionEpoch = region.RegionEpoch.Clone(),
                Length = (ulong)Files.Size(name),
                Range = new Rpc.ImportSstpb.Range
                {
                    Start = ByteString.CopyFrom(newPrefix),
                    End = ByteString.CopyFrom([.. newPrefix, .. Enumerable.Repeat((byte)0xFF, 10)]),
                },
            },
            RewriteRule = new RewriteRule
            {
                OldKeyPrefix = ByteString.CopyFrom(BackupSsts.EncodedRecordPrefix(oldTable)),
                NewKeyPrefix = ByteString.CopyFrom(newPrefix),
                NewTimestamp = newTs,
            },
            StorageBackend = new StorageBackend { Local = new Local { Path = Storage.Path } },
        };
    }

    public async Task<DownloadResponse> DownloadAsync(DownloadRequest request) =>
        await Channel.ImportSst.DownloadAsync(request).ResponseAsync;

    /// <summary>MultiIngest of downloaded SSTs with the ranges their downloads answered.</summary>
    public async Task<IngestResponse> IngestAsync(Context context, params (DownloadRequest Request, DownloadResponse Response)[] downloads)
    {
        var request = new MultiIngestRequest { Context = context };
        foreach (var (download, response) in downloads)
        {
            var meta = download.Sst.Clone();
            meta.Range = response.Range.Clone();
            request.Ssts.Add(meta);
        }

        return await Channel.ImportSst.MultiIngestAsync(request).ResponseAsync;
    }

    /// <summary>Every row of the table visible at <paramref name="version"/>, as handle → value.</summary>
    public async Task<Dictionary<long, byte[]>> ScanTableAsync(long tableId, ulong version)
    {
        var start = BackupSsts.RecordKey(tableId, long.MinValue);
        var end = BackupSsts.RecordKey(tableId, long.MaxValue);
        var rows = new Dictionary<long, byte[]>();
        var (_, context) = RegionOfTable(tableId);
        var response = await Channel.Tikv.KvScanAsync(new ScanRequest
        {
            Context = context,
            StartKey = ByteString.CopyFrom(start),
            EndKey = ByteString.CopyFrom([.. end, 0]),
            Limit = 100_000,
            Version = version,
        }).ResponseAsync;
        Assert.Null(response.RegionError);
        foreach (var pair in response.Pairs)
        {
            Assert.Null(pair.Error);
            rows[Common.Keys.TableCodec.DecodeRecordKey(pair.Key.Span).Handle] = pair.Value.ToByteArray();
        }

        return rows;
    }

    /// <summary>Whether the SST of <paramref name="request"/> is staged (named by its uuid, as the store names staged files).</summary>
    public bool IsStaged(DownloadRequest request) =>
        Directory.GetFiles(ImportDir, $"{new Guid(request.Sst.Uuid.Span, bigEndian: true):D}_*.sst").Length > 0;
}
