using System.Buffers;
using BenchmarkDotNet.Attributes;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Storepb;
using Cairn.Rpc.Tikvpb;
using Google.Protobuf;
using Grpc.Core;
using CopRequest = Cairn.Rpc.Coprocessor.Request;
using CopResponse = Cairn.Rpc.Coprocessor.Response;

namespace Cairn.Bench;

/// <summary>
/// Cairn.Rpc (Grpc.AspNetCore + Grpc.Net.Client) over loopback, client and server in one process. Unary benchmarks
/// report the time per call (calls/s = 1e9 / ns); every streaming benchmark moves 64 MiB and reports the time per MiB
/// (MiB/s = 1e9 / ns). bench/results/RpcStackComparison.md has these side by side with the hand-written stack they
/// replaced.
/// </summary>
[MemoryDiagnoser]
public class RpcBenchmarks
{
    private const int UnaryCalls = 2000;
    private const int StreamMiB = 64;
    private const int Concurrency = 16;

    private static readonly Dictionary<int, ByteString> Payloads = new()
    {
        [64 * 1024] = ByteString.CopyFrom(CreatePayload(64 * 1024)),
        [1024 * 1024] = ByteString.CopyFrom(CreatePayload(1024 * 1024)),
    };

    private static readonly byte[] FileBytes = CreatePayload(StreamMiB * 1024 * 1024);

    private RpcServer _server = null!;
    private RpcChannel _channel = null!;
    private RawGetRequest _unaryRequest = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _unaryRequest = new RawGetRequest { Key = ByteString.CopyFromUtf8("bench-key-0001"), Context = new Context { RegionId = 1 } };
        _server = new RpcServer();
        _server.AddService(new BenchTikv());
        _server.AddService(new BenchStoreAdmin());
        await _server.StartAsync();
        _channel = new RpcChannel(_server.Address);
        await _channel.Tikv.RawGetAsync(_unaryRequest);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Benchmark(OperationsPerInvoke = UnaryCalls)]
    public async Task UnarySequential()
    {
        for (var i = 0; i < UnaryCalls; i++)
        {
            await _channel.Tikv.RawGetAsync(_unaryRequest);
        }
    }

    [Benchmark(OperationsPerInvoke = UnaryCalls)]
    public async Task Unary16Concurrent()
    {
        var workers = new Task[Concurrency];
        for (var w = 0; w < Concurrency; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                for (var i = 0; i < UnaryCalls / Concurrency; i++)
                {
                    await _channel.Tikv.RawGetAsync(_unaryRequest);
                }
            });
        }

        await Task.WhenAll(workers);
    }

    [Benchmark(OperationsPerInvoke = StreamMiB)]
    public Task<long> ServerStream64K() => ReadStreamAsync(64 * 1024);

    [Benchmark(OperationsPerInvoke = StreamMiB)]
    public Task<long> ServerStream1M() => ReadStreamAsync(1024 * 1024);

    /// <summary>A region move's bulk bytes: 64 MiB of "SST" sent in 64 KiB chunks wrapped from one reused buffer.</summary>
    [Benchmark(OperationsPerInvoke = StreamMiB)]
    public Task<ReceiveRegionResponse> RegionMove64K() => _channel.StoreAdmin.ReceiveRegion().SendAllAsync(Chunks(64 * 1024));

    /// <summary>The same with 1 MiB chunks.</summary>
    [Benchmark(OperationsPerInvoke = StreamMiB)]
    public Task<ReceiveRegionResponse> RegionMove1M() => _channel.StoreAdmin.ReceiveRegion().SendAllAsync(Chunks(1024 * 1024));

    private async Task<long> ReadStreamAsync(int size)
    {
        var request = new CopRequest { Tp = size, StartTs = (ulong)(StreamMiB * 1024L * 1024 / size) };
        long total = 0;
        await foreach (var r in _channel.Tikv.CoprocessorStream(request).ReadAllAsync())
        {
            total += r.Data.Length;
        }

        return total;
    }

    // The region mover's sending loop, reading from memory instead of a file so the disk stays out of the figure.
    private static async IAsyncEnumerable<RegionSnapshotChunk> Chunks(int chunkSize)
    {
        yield return new RegionSnapshotChunk { Region = new Rpc.Metapb.Region { Id = 7 } };
        yield return new RegionSnapshotChunk { Cf = "write", FileStart = true };
        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            for (var offset = 0; offset < FileBytes.Length; offset += chunkSize)
            {
                var n = Math.Min(chunkSize, FileBytes.Length - offset);
                FileBytes.AsSpan(offset, n).CopyTo(buffer);
                yield return new RegionSnapshotChunk { Data = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, n)) };
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await Task.CompletedTask;
    }

    // Stands for the receiver's file write: touches every byte once.
    private static long Consume(ReadOnlySpan<byte> data) => data.Length + data[^1];

    private static byte[] CreatePayload(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        return bytes;
    }

    private sealed class BenchTikv : Tikv.TikvBase
    {
        public override Task<RawGetResponse> RawGet(RawGetRequest request, ServerCallContext context)
            => Task.FromResult(new RawGetResponse { Value = request.Key });

        public override async Task CoprocessorStream(CopRequest request, IServerStreamWriter<CopResponse> responseStream, ServerCallContext context)
        {
            var value = Payloads[(int)request.Tp];
            for (ulong i = 0; i < request.StartTs; i++)
            {
                await responseStream.WriteAsync(new CopResponse { Data = value });
            }
        }
    }

    private sealed class BenchStoreAdmin : StoreAdmin.StoreAdminBase
    {
        public override async Task<ReceiveRegionResponse> ReceiveRegion(IAsyncStreamReader<RegionSnapshotChunk> requestStream, ServerCallContext context)
        {
            long total = 0;
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                var data = requestStream.Current.Data;
                if (!data.IsEmpty)
                {
                    total += Consume(data.Span);
                }
            }

            return new ReceiveRegionResponse { Error = total.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }
    }
}
