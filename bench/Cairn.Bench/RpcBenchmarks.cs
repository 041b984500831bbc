using System.Buffers;
using BenchmarkDotNet.Attributes;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Storepb;
using Cairn.Rpc.Tikvpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using CopRequest = Cairn.Rpc.Coprocessor.Request;
using CopResponse = Cairn.Rpc.Coprocessor.Response;
using Legacy = Cairn.Bench.Legacy;

namespace Cairn.Bench;

/// <summary>
/// Cairn.Rpc over loopback, client and server in one process, on the hand-written stack it had before
/// (<c>Stack=legacy</c>, kept in <c>Legacy/</c> for this comparison) and on Grpc.AspNetCore + Grpc.Net.Client
/// (<c>Stack=grpc</c>, through <see cref="RpcChannel"/>; <c>Stack=grpc-bare</c> calls the same server with the generated
/// client on a plain <see cref="GrpcChannel"/>, without our interceptor, to show what the interceptor costs). Unary benchmarks report the time per call (calls/s = 1e9 / ns); every streaming benchmark moves
/// 64 MiB and reports the time per MiB (MiB/s = 1e9 / ns). The same generated messages and the same paths are used on
/// both stacks.
/// </summary>
[MemoryDiagnoser]
public class RpcBenchmarks
{
    private const int UnaryCalls = 2000;
    private const int StreamMiB = 64;
    private const int Concurrency = 16;

    private static readonly Legacy.RpcMethod<RawGetRequest, RawGetResponse> LegacyRawGet =
        new("/tikvpb.Tikv/RawGet", RawGetRequest.Parser, RawGetResponse.Parser);

    private static readonly Legacy.RpcMethod<CopRequest, CopResponse> LegacyStream =
        new("/tikvpb.Tikv/CoprocessorStream", CopRequest.Parser, CopResponse.Parser);

    private static readonly Legacy.RpcMethod<RegionSnapshotChunk, ReceiveRegionResponse> LegacyReceiveRegion =
        new("/cairn.storepb.StoreAdmin/ReceiveRegion", RegionSnapshotChunk.Parser, ReceiveRegionResponse.Parser);

    private static readonly Dictionary<int, ByteString> Payloads = new()
    {
        [64 * 1024] = ByteString.CopyFrom(CreatePayload(64 * 1024)),
        [1024 * 1024] = ByteString.CopyFrom(CreatePayload(1024 * 1024)),
    };

    private static readonly byte[] FileBytes = CreatePayload(StreamMiB * 1024 * 1024);

    private Legacy.RpcServer? _legacyServer;
    private Legacy.RpcChannel? _legacyChannel;
    private RpcServer? _server;
    private RpcChannel? _channel;
    private GrpcChannel? _bareChannel;
    private Tikv.TikvClient _tikv = null!;
    private StoreAdmin.StoreAdminClient _storeAdmin = null!;
    private RawGetRequest _unaryRequest = null!;

    /// <summary>Which stack serves and makes the calls.</summary>
    [Params("legacy", "grpc", "grpc-bare", "client-legacy_server-grpc", "client-grpc_server-legacy")]
    public string Stack { get; set; } = "grpc";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _unaryRequest = new RawGetRequest { Key = ByteString.CopyFromUtf8("bench-key-0001"), Context = new Context { RegionId = 1 } };
        // Both stacks speak the same wire protocol, so the two mixed pairs tell the client's share from the server's.
        var legacyServer = Stack is "legacy" or "client-grpc_server-legacy";
        var legacyClient = Stack is "legacy" or "client-legacy_server-grpc";
        string address;
        if (legacyServer)
        {
            _legacyServer = new Legacy.RpcServer();
            _legacyServer.MapUnary(LegacyRawGet, (req, ctx) => Task.FromResult(new RawGetResponse { Value = req.Key }));
            _legacyServer.MapServerStreaming(LegacyStream, async (req, writer, ctx) =>
            {
                var value = Payloads[(int)req.Tp];
                for (ulong i = 0; i < req.StartTs; i++)
                {
                    await writer.WriteAsync(new CopResponse { Data = value });
                }
            });
            // As the old region mover received: frames unparsed, the data field read in place.
            _legacyServer.MapRawClientStreaming(LegacyReceiveRegion, async (frames, ctx) =>
            {
                long total = 0;
                await foreach (var frame in frames)
                {
                    if (frame.TryGetBytesField(RegionSnapshotChunk.DataFieldNumber, out var data))
                    {
                        total += Consume(data.Span);
                    }
                }

                return new ReceiveRegionResponse { Error = total.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            });
            await _legacyServer.StartAsync();
            address = _legacyServer.Address;
        }
        else
        {
            _server = new RpcServer();
            _server.AddService(new BenchTikv());
            _server.AddService(new BenchStoreAdmin());
            await _server.StartAsync();
            address = _server.Address;
        }

        if (legacyClient)
        {
            _legacyChannel = new Legacy.RpcChannel(address);
        }
        else if (Stack == "grpc-bare")
        {
            _bareChannel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, UseProxy = false },
                MaxReceiveMessageSize = 128 * 1024 * 1024,
                MaxSendMessageSize = 128 * 1024 * 1024,
            });
            (_tikv, _storeAdmin) = (new Tikv.TikvClient(_bareChannel), new StoreAdmin.StoreAdminClient(_bareChannel));
        }
        else
        {
            _channel = new RpcChannel(address);
            (_tikv, _storeAdmin) = (_channel.Tikv, _channel.StoreAdmin);
        }

        await UnaryAsync();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _legacyChannel?.Dispose();
        _channel?.Dispose();
        _bareChannel?.Dispose();
        if (_legacyServer is not null)
        {
            await _legacyServer.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Benchmark(OperationsPerInvoke = UnaryCalls)]
    public async Task UnarySequential()
    {
        for (var i = 0; i < UnaryCalls; i++)
        {
            await UnaryAsync();
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
                    await UnaryAsync();
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
    public Task<ReceiveRegionResponse> RegionMove64K() => MoveAsync(64 * 1024);

    /// <summary>The same with 1 MiB chunks (the old region mover's size).</summary>
    [Benchmark(OperationsPerInvoke = StreamMiB)]
    public Task<ReceiveRegionResponse> RegionMove1M() => MoveAsync(1024 * 1024);

    private async Task UnaryAsync()
    {
        if (_legacyChannel is not null)
        {
            await _legacyChannel.UnaryAsync(LegacyRawGet, _unaryRequest);
        }
        else
        {
            await _tikv.RawGetAsync(_unaryRequest);
        }
    }

    private async Task<long> ReadStreamAsync(int size)
    {
        var request = new CopRequest { Tp = size, StartTs = (ulong)(StreamMiB * 1024L * 1024 / size) };
        var responses = _legacyChannel is not null
            ? _legacyChannel.ServerStreamingAsync(LegacyStream, request)
            : _tikv.CoprocessorStream(request).ReadAllAsync();
        long total = 0;
        await foreach (var r in responses)
        {
            total += r.Data.Length;
        }

        return total;
    }

    private Task<ReceiveRegionResponse> MoveAsync(int chunkSize)
        => _legacyChannel is not null
            ? _legacyChannel.ClientStreamingAsync(LegacyReceiveRegion, Chunks(chunkSize))
            : _storeAdmin.ReceiveRegion().SendAllAsync(Chunks(chunkSize));

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
