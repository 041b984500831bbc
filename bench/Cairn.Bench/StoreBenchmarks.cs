using BenchmarkDotNet.Attributes;
using Cairn.Common;
using Cairn.Common.Mvcc;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Store;
using Cairn.Store.Txn;
using Google.Protobuf;

namespace Cairn.Bench;

/// <summary>
/// The store node through RPC over loopback (client and server in one process), plus the MVCC scan without RPC.
/// KvGet and PrewriteCommit report the time per call or per transaction (ops/s = 1e9 / ns); the scans read
/// <see cref="ScanKeys"/> keys per operation, so keys/s = ScanKeys × 1e9 / ns.
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    public const int ScanKeys = 10_000;
    private const int Gets = 1000;
    private const int Txns = 200;
    private const int Concurrency = 16;

    private string _dir = null!;
    private StoreNode _node = null!;
    private RpcChannel _channel = null!;
    private Context _context = null!;
    private Region _region = null!;
    private TxnStorage _localTxn = null!;
    private long _ts;
    private ulong _readTs;
    private int _txnCounter;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _dir = Path.Combine(Path.GetTempPath(), "cairn-bench-store-" + Guid.NewGuid().ToString("N")[..8]);
        _node = new StoreNode(new StoreNodeOptions { Address = "127.0.0.1:0", DataDir = _dir, BlockCacheSize = 64L * 1024 * 1024 });
        await _node.StartAsync();
        _channel = new RpcChannel(_node.Address);
        _region = _node.Regions.GetRegions()[0];
        _context = new Context { RegionId = _region.Id, RegionEpoch = _region.RegionEpoch, Peer = _region.Peers[0] };
        _ts = (long)Tso.Compose(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0);
        var value = ByteString.CopyFrom(new byte[48]);
        for (var batch = 0; batch < ScanKeys / 1000; batch++)
        {
            var start = NextTs();
            var prewrite = new PrewriteRequest { Context = _context, StartVersion = start, LockTtl = 3000, PrimaryLock = Key(batch * 1000) };
            var commit = new CommitRequest { Context = _context, StartVersion = start };
            for (var i = batch * 1000; i < (batch + 1) * 1000; i++)
            {
                prewrite.Mutations.Add(new Mutation { Op = Op.Put, Key = Key(i), Value = value });
                commit.Keys.Add(Key(i));
            }

            var p = await _channel.Tikv.KvPrewriteAsync(prewrite).ResponseAsync;
            if (p.Errors.Count > 0)
            {
                throw new InvalidOperationException(p.Errors[0].ToString());
            }

            commit.CommitVersion = NextTs();
            var c = await _channel.Tikv.KvCommitAsync(commit).ResponseAsync;
            if (c.Error is not null)
            {
                throw new InvalidOperationException(c.Error.ToString());
            }
        }

        _readTs = NextTs();
        _localTxn = new TxnStorage(_node.Engine, new Latches());
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _channel.Dispose();
        await _node.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Gets)]
    public async Task KvGetSequential()
    {
        for (var i = 0; i < Gets; i++)
        {
            var response = await _channel.Tikv.KvGetAsync(new GetRequest { Context = _context, Key = Key(i * 7 % ScanKeys), Version = _readTs }).ResponseAsync;
            if (response.NotFound)
            {
                throw new InvalidOperationException("missing key");
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Gets)]
    public async Task KvGetConcurrent16()
    {
        var tasks = new Task[Concurrency];
        for (var w = 0; w < Concurrency; w++)
        {
            var worker = w;
            tasks[w] = Task.Run(async () =>
            {
                for (var i = worker; i < Gets; i += Concurrency)
                {
                    await _channel.Tikv.KvGetAsync(new GetRequest { Context = _context, Key = Key(i * 7 % ScanKeys), Version = _readTs }).ResponseAsync;
                }
            });
        }

        await Task.WhenAll(tasks);
    }

    /// <summary>One-key transactions, prewrite then commit: two RPCs and two RocksDB writes per transaction.</summary>
    [Benchmark(OperationsPerInvoke = Txns)]
    public async Task PrewriteCommitSequential()
    {
        for (var i = 0; i < Txns; i++)
        {
            await OneTxnAsync();
        }
    }

    [Benchmark(OperationsPerInvoke = Txns)]
    public async Task PrewriteCommitConcurrent16()
    {
        var tasks = new Task[Concurrency];
        for (var w = 0; w < Concurrency; w++)
        {
            tasks[w] = Task.Run(async () =>
            {
                for (var i = 0; i < Txns / Concurrency; i++)
                {
                    await OneTxnAsync();
                }
            });
        }

        await Task.WhenAll(tasks);
    }

    /// <summary>KvScan of every preloaded key at one snapshot, through one RPC.</summary>
    [Benchmark]
    public async Task<int> MvccScanRpc()
    {
        var response = await _channel.Tikv.KvScanAsync(new ScanRequest { Context = _context, StartKey = Key(0), Limit = ScanKeys, Version = _readTs }).ResponseAsync;
        return response.Pairs.Count;
    }

    /// <summary>The same scan in process, without RPC: the MVCC read path alone.</summary>
    [Benchmark]
    public int MvccScanLocal() =>
        _localTxn.Scan(new ScanRequest { Context = _context, StartKey = Key(0), Limit = ScanKeys, Version = _readTs }, _region).Pairs.Count;

    /// <summary>
    /// The MVCC scanner alone over the same keys, reading every value without building a response: the floor under
    /// KvScan, the checksum coprocessor and backup.
    /// </summary>
    [Benchmark]
    public long MvccScannerLocal()
    {
        using var scanner = _localTxn.OpenScanner(MvccScanOptions.Latest(MvccKey.EncodeKey(Key(0).Span), [], _readTs));
        long bytes = 0;
        while (scanner.MoveNext())
        {
            var entry = scanner.Current;
            bytes += entry.Key.Length + entry.Value.Length;
        }

        return bytes;
    }

    private async Task OneTxnAsync()
    {
        var key = ByteString.CopyFromUtf8("txn" + Interlocked.Increment(ref _txnCounter).ToString("D9", System.Globalization.CultureInfo.InvariantCulture));
        var start = NextTs();
        var prewrite = await _channel.Tikv.KvPrewriteAsync(new PrewriteRequest
        {
            Context = _context, StartVersion = start, LockTtl = 3000, PrimaryLock = key,
            Mutations = { new Mutation { Op = Op.Put, Key = key, Value = key } },
        }).ResponseAsync;
        if (prewrite.Errors.Count > 0)
        {
            throw new InvalidOperationException(prewrite.Errors[0].ToString());
        }

        var commit = await _channel.Tikv.KvCommitAsync(new CommitRequest { Context = _context, StartVersion = start, CommitVersion = NextTs(), Keys = { key } }).ResponseAsync;
        if (commit.Error is not null)
        {
            throw new InvalidOperationException(commit.Error.ToString());
        }
    }

    private ulong NextTs() => (ulong)Interlocked.Increment(ref _ts);

    private static ByteString Key(int i) => ByteString.CopyFromUtf8("key" + i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture));
}
