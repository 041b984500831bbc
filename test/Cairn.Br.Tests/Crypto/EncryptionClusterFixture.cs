using Cairn.Br.Crypto;
using Cairn.Br.Restore;
using Cairn.Client.Catalog;
using Cairn.Client.Txn;
using Cairn.Pd.Client;
using Cairn.Rpc.Encryptionpb;
using Cairn.Workloads;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Tests.Crypto;

/// <summary>
/// One 3-store cluster whose every log line is kept, with a sysbench table loaded once and one aes256-ctr backup of
/// it taken on first use; the encryption tests restore it (or copies of it) under their own database names.
/// </summary>
public sealed class EncryptionClusterFixture : IAsyncLifetime
{
    public const string Database = "enc";

    public const int Rows = 300;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private PdClient _pd = null!;
    private TxnClient _client = null!;
    private string? _keyBackup;

    public TestCluster Cluster { get; private set; } = null!;

    public CatalogClient Catalog { get; private set; } = null!;

    public CapturingLoggerProvider Logs { get; } = new();

    public ILoggerFactory LoggerFactory { get; private set; } = null!;

    public TempDirectory Folder { get; } = new("br-crypter");

    /// <summary>The key of <see cref="KeyBackupAsync"/>: distinctive, so a scan for it cannot match by chance.</summary>
    public byte[] Key { get; } = Convert.FromHexString("c0ffee5ec7e7ba5eba11c0ffee5ec7e7ba5eba11c0ffee5ec7e7ba5eba11d00d");

    public BackupEncryption KeyEncryption => new() { Method = EncryptionMethod.Aes256Ctr, Key = Key };

    public async Task InitializeAsync()
    {
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        Cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 3, LoggerFactory = LoggerFactory });
        _pd = await Cluster.ConnectPdAsync();
        _client = new TxnClient(_pd);
        Catalog = new CatalogClient(_client, new CatalogOptions { SchemaLease = TimeSpan.FromMilliseconds(150), BatchSize = 64 });
        await new SysbenchWorkload(Catalog) { Database = Database, Tables = 1, Rows = Rows, BatchSize = Rows }.LoadAsync();
    }

    public string Local(string name) => "local://" + Folder.Sub(name);

    public BackupOptions Backup(string storage, BackupEncryption? crypter) => new()
    {
        PdAddresses = [Cluster.PdAddress], Storage = storage, Kind = BackupKind.Database, Databases = [Database], PdConnectTimeout = TimeSpan.FromSeconds(5), Crypter = crypter,
    };

    /// <summary>Restores the backup at <paramref name="storage"/> as database <paramref name="into"/>.</summary>
    public RestoreOptions Restore(string storage, string into, BackupEncryption? crypter) => new()
    {
        PdAddresses = [Cluster.PdAddress], Storage = storage, Kind = RestoreKind.Database, Databases = [Database], Renames = [TableRename.Parse($"{Database}.*={into}.*")],
        PdConnectTimeout = TimeSpan.FromSeconds(5), Concurrency = 8, Crypter = crypter,
    };

    /// <summary>The folder name of the shared aes256-ctr backup under <see cref="Key"/>, taken once.</summary>
    public async Task<string> KeyBackupAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_keyBackup is null)
            {
                var summary = await BackupJob.RunAsync(Backup(Local("key"), KeyEncryption), loggerFactory: LoggerFactory);
                Assert.True(summary.Succeeded);
                _keyBackup = "key";
            }

            return _keyBackup;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A copy of the backup folder <paramref name="name"/> as <paramref name="copy"/>, to damage.</summary>
    public string CopyFolder(string name, string copy)
    {
        var from = Folder.Sub(name);
        var to = Folder.Sub(copy);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return to;
    }

    public async Task<IReadOnlyList<string>> DatabasesAsync() => (await Catalog.ListDatabasesAsync()).Select(d => d.Name.O).Order(StringComparer.Ordinal).ToList();

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _pd.DisposeAsync();
        await Cluster.DisposeAsync();
        LoggerFactory.Dispose();
        Logs.Dispose();
        Folder.Dispose();
        _gate.Dispose();
    }
}
