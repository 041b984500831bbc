using System.Net;
using System.Net.Sockets;
using Cairn.Pd;
using Cairn.Pd.Client;
using Cairn.Rpc.Metapb;
using Cairn.Store;

namespace Cairn.Testing;

/// <summary>
/// An in-process cluster for tests: one <see cref="PdServer"/> and N <see cref="StoreNode"/>s joined to it, each on
/// its own 127.0.0.1 port (port 0 at first start; restarts reuse the port), with all data under <see cref="RootDir"/>
/// (deleted on dispose). <see cref="StartAsync"/> returns once every store is registered and Up in pd and the first
/// region is known to pd with a leader.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterOptions _options;
    private readonly StoreNode?[] _stores;
    private readonly string?[] _storeAddresses;
    private readonly ulong[] _storeIds;
    private PdServer _pd;
    private PdServerOptions _pdOptions;
    private int _disposed;

    private TestCluster(TestClusterOptions options, string root, PdServer pd, PdServerOptions pdOptions)
    {
        _options = options;
        RootDir = root;
        _pd = pd;
        _pdOptions = pdOptions;
        _stores = new StoreNode?[options.Stores];
        _storeAddresses = new string?[options.Stores];
        _storeIds = new ulong[options.Stores];
    }

    /// <summary>The folder holding pd's and every store's data.</summary>
    public string RootDir { get; }

    /// <summary>The options the cluster runs with.</summary>
    public TestClusterOptions Options => _options;

    /// <summary>The running pd (replaced by <see cref="RestartPdAsync"/>).</summary>
    public PdServer Pd => _pd;

    /// <summary>pd's gRPC address, e.g. <c>http://127.0.0.1:41234</c>; stable across <see cref="RestartPdAsync"/>.</summary>
    public string PdAddress => _pd.Address;

    /// <summary>pd's HTTP admin API address, e.g. <c>http://127.0.0.1:41235</c>; stable across <see cref="RestartPdAsync"/>.</summary>
    public string PdHttpAddress => _pd.HttpAddress;

    /// <summary>The cluster id.</summary>
    public ulong ClusterId => _pd.ClusterId;

    /// <summary>Number of stores (running or not).</summary>
    public int StoreCount => _stores.Length;

    /// <summary>Store <paramref name="index"/>'s node; throws when it is stopped.</summary>
    public StoreNode Store(int index) => _stores[index] ?? throw new InvalidOperationException($"Store {index} is not running.");

    /// <summary>Whether store <paramref name="index"/> is running.</summary>
    public bool IsStoreRunning(int index) => _stores[index] is not null;

    /// <summary>Store <paramref name="index"/>'s address (<c>127.0.0.1:port</c>), also while it is stopped.</summary>
    public string StoreAddress(int index) => _storeAddresses[index] ?? throw new InvalidOperationException($"Store {index} never started.");

    /// <summary>Store <paramref name="index"/>'s id (kept across restarts).</summary>
    public ulong StoreId(int index) => _storeIds[index];

    /// <summary>Index of the store with id <paramref name="storeId"/>, or -1.</summary>
    public int IndexOfStore(ulong storeId) => Array.IndexOf(_storeIds, storeId);

    /// <summary>Store <paramref name="index"/>'s data directory.</summary>
    public string StoreDataDir(int index) => Path.Combine(RootDir, $"store{index}");

    /// <summary>pd's data directory.</summary>
    public string PdDataDir => Path.Combine(RootDir, "pd");

    /// <summary>Starts pd and the stores (store 0 first, so it bootstraps the cluster) and waits until all are Up.</summary>
    public static async Task<TestCluster> StartAsync(TestClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TestClusterOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Stores);
        var root = Path.Combine(Path.GetTempPath(), "cairn-cluster-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var pdOptions = new PdServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            DataDir = Path.Combine(root, "pd"),
            EnableBalanceRegion = options.EnableBalanceRegion,
            ScheduleInterval = options.HeartbeatInterval,
        };
        pdOptions = options.ConfigurePd?.Invoke(pdOptions) ?? pdOptions;
        PdServer pd;
        try
        {
            pd = await PdServer.StartAsync(pdOptions, options.LoggerFactory, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            TempDirectory.Delete(root);
            throw;
        }

        // Pin the bound ports so that a restarted pd is found at the same address by every store.
        pdOptions = pdOptions with { EndPoint = pd.EndPoint, HttpEndPoint = pd.HttpEndPoint };
        var cluster = new TestCluster(options, root, pd, pdOptions);
        try
        {
            for (var i = 0; i < options.Stores; i++)
            {
                await cluster.StartStoreAsync(i, cancellationToken).ConfigureAwait(false);
            }

            await cluster.WaitForStoresUpAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A new pd client for this cluster (the caller disposes it).</summary>
    public Task<PdClient> ConnectPdAsync(CancellationToken cancellationToken = default) =>
        PdClient.ConnectAsync([PdAddress], cancellationToken: cancellationToken);

    /// <summary>Stops store <paramref name="index"/> cleanly: running calls finish, background work stops, the engine closes.</summary>
    public async Task StopStoreAsync(int index, CancellationToken cancellationToken = default)
    {
        if (_stores[index] is { } node)
        {
            _stores[index] = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await node.StopAsync(timeout.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Kills store <paramref name="index"/>. In-process there is no kill -9: "kill" here means the node is stopped
    /// with an already-cancelled token, so running calls are aborted instead of drained and nothing is flushed
    /// beyond what each write already did (writes are in RocksDB's WAL when acknowledged, as after a process kill;
    /// an operating-system crash, which would also drop unsynced WAL, cannot be simulated in-process).
    /// </summary>
    public async Task KillStoreAsync(int index)
    {
        if (_stores[index] is { } node)
        {
            _stores[index] = null;
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync().ConfigureAwait(false);
            await node.StopAsync(cancelled.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Starts store <paramref name="index"/> again (stopping it first if running) on the same data directory and port.</summary>
    public async Task RestartStoreAsync(int index, CancellationToken cancellationToken = default)
    {
        await StopStoreAsync(index, cancellationToken).ConfigureAwait(false);
        await StartStoreAsync(index, cancellationToken).ConfigureAwait(false);
        await WaitUntilAsync(async () =>
        {
            await using var client = await ConnectPdAsync(cancellationToken).ConfigureAwait(false);
            var store = await client.GetStoreAsync(_storeIds[index], cancellationToken).ConfigureAwait(false);
            return store.State == StoreState.Up && store.Address == _storeAddresses[index];
        }, $"store {index} to be Up again", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops pd and starts it again on the same data directory and the same ports; stores reconnect by themselves.</summary>
    public async Task RestartPdAsync(CancellationToken cancellationToken = default)
    {
        await _pd.DisposeAsync().ConfigureAwait(false);
        var deadline = DateTime.UtcNow + _options.WaitTimeout;
        while (true)
        {
            try
            {
                _pd = await PdServer.StartAsync(_pdOptions, _options.LoggerFactory, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (IsAddressInUse(e) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Polls <paramref name="condition"/> (exceptions count as false) until it holds; throws <see cref="TimeoutException"/> after <see cref="TestClusterOptions.WaitTimeout"/>.</summary>
    public Task WaitUntilAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken = default) =>
        Eventually.UntilAsync(condition, _options.WaitTimeout, what, cancellationToken);

    /// <summary>Waits until pd lists every running store as Up and knows a region with a leader.</summary>
    public Task WaitForStoresUpAsync(CancellationToken cancellationToken = default) =>
        WaitUntilAsync(async () =>
        {
            await using var client = await ConnectPdAsync(cancellationToken).ConfigureAwait(false);
            var stores = await client.GetAllStoresAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < _stores.Length; i++)
            {
                if (_stores[i] is not null && !stores.Any(s => s.Id == _storeIds[i] && s.State == StoreState.Up))
                {
                    return false;
                }
            }

            var first = await client.GetRegionAsync(ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            return first?.Leader is not null;
        }, "every store to be Up in pd and the first region to be known", cancellationToken);

    private async Task StartStoreAsync(int index, CancellationToken cancellationToken)
    {
        var dataDir = StoreDataDir(index);
        var address = _storeAddresses[index] ?? "127.0.0.1:0";
        var deadline = DateTime.UtcNow + _options.WaitTimeout;
        while (true)
        {
            var options = new StoreNodeOptions
            {
                Address = address,
                DataDir = dataDir,
                PdAddress = PdAddress,
                BlockCacheSize = 8L * 1024 * 1024,
                StoreHeartbeatInterval = _options.HeartbeatInterval,
                RegionHeartbeatInterval = _options.HeartbeatInterval,
                SplitCheckInterval = _options.SplitCheckInterval,
                GcInterval = _options.GcInterval,
                RegionSplitSize = _options.RegionSplitSize,
                RegionSplitKeys = _options.RegionSplitKeys,
            };
            options = _options.ConfigureStore?.Invoke(index, options) ?? options;
            var node = new StoreNode(options, _options.LoggerFactory);
            try
            {
                await node.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsAddressInUse(e) && DateTime.UtcNow < deadline)
            {
                await node.DisposeAsync().ConfigureAwait(false);
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch
            {
                await node.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            _stores[index] = node;
            _storeAddresses[index] = node.Address;
            _storeIds[index] = node.StoreId;
            return;
        }
    }

    private static bool IsAddressInUse(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || x is IOException && x.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        for (var i = 0; i < _stores.Length; i++)
        {
            try
            {
                await StopStoreAsync(i).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Disposal goes on: the other stores and pd must stop too.
            }
        }

        await _pd.DisposeAsync().ConfigureAwait(false);
        TempDirectory.Delete(RootDir);
    }
}
