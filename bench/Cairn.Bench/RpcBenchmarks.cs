using BenchmarkDotNet.Attributes;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Google.Protobuf;

namespace Cairn.Bench;

/// <summary>
/// Cairn.Rpc over loopback, client and server in one process. Unary benchmarks report the time per call
/// (calls/s = 1e9 / ns). Every streaming benchmark moves 64 MiB and reports the time per MiB (MiB/s = 1e9 / ns).
/// </summary>
[MemoryDiagnoser]
public class RpcBenchmarks
{
    private const int UnaryCalls = 2000;
    private const int StreamMiB = 64;
    private const int Concurrency = 16;

    private static readonly RpcMethod<RawGetRequest, RawGetResponse> Stream =
        new("/cairn.bench.Rpc/Stream", RawGetRequest.Parser, RawGetResponse.Parser);

    private static readonly RpcMethod<RawGetRequest, RawGetResponse> RawStream =
        new("/cairn.bench.Rpc/RawStream", RawGetRequest.Parser, RawGetResponse.Parser);

    private static readonly RpcMethod<RawPutRequest, RawPutResponse> Upload =
        new("/cairn.bench.Rpc/Upload", RawPutRequest.Parser, RawPutResponse.Parser);

    private static readonly RpcMethod<RawPutRequest, RawPutResponse> RawUpload =
        new("/cairn.bench.Rpc/RawUpload", RawPutRequest.Parser, RawPutResponse.Parser);

    private readonly Dictionary<int, byte[]> _payloads = new()
    {
        [64 * 1024] = CreatePayload(64 * 1024),
        [1024 * 1024] = CreatePayload(1024 * 1024),
    };

    private readonly Dictionary<int, ByteString> _byteStrings = [];
    private RpcServer _server = null!;
    private RpcChannel _channel = null!;
    private RawGetRequest _unaryRequest = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        foreach (var (size, bytes) in _payloads)
        {
            _byteStrings[size] = ByteString.CopyFrom(bytes);
        }

        _server = new RpcServer();
        _server.MapUnary(TikvMethods.RawGet, (req, ctx) => Task.FromResult(new RawGetResponse { Value = req.Key }));
        _server.MapServerStreaming(Stream, async (req, writer, ctx) =>
        {
            var value = _byteStrings[(int)req.Context.Term];
            for (ulong i = 0; i < req.Context.RegionId; i++)
            {
                await writer.WriteAsync(new RawGetResponse { Value = value });
            }
        });
        _server.MapRawServerStreaming(RawStream, async (req, writer, ctx) =>
        {
            var payload = _payloads[(int)req.Context.Term];
            var header = new RawGetResponse();
            for (ulong i = 0; i < req.Context.RegionId; i++)
            {
                await writer.WriteAsync(header, RawGetResponse.ValueFieldNumber, payload);
            }
        });
        _server.MapClientStreaming(Upload, async (requests, ctx) =>
        {
            long total = 0;
            await foreach (var r in requests)
            {
                total += r.Value.Length;
            }

            return new RawPutResponse { Error = total.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        });
        _server.MapRawClientStreaming(RawUpload, async (frames, ctx) =>
        {
            long total = 0;
            await foreach (var frame in frames)
            {
                if (frame.TryGetBytesField(RawPutRequest.ValueFieldNumber, out var value))
                {
                    total += value.Length;
                }
            }

            return new RawPutResponse { Error = total.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        });
        await _server.StartAsync();
        _channel = new RpcChannel(_server.Address);
        _unaryRequest = new RawGetRequest { Key = ByteString.CopyFromUtf8("bench-key-0001"), Context = new Context { RegionId = 1 } };
        await _channel.UnaryAsync(TikvMethods.RawGet, _unaryRequest);
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
            await _channel.UnaryAsync(TikvMethods.RawGet, _unaryRequest);
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
                    await _channel.UnaryAsync(TikvMethods.RawGet, _unaryRequest);
                }
            });
        }

        await Task.WhenAll(workers);
    }

    [Benchmark(OperationsPerInvoke = StreamMiB)]
    public Task<long> ServerStreamProtobuf64K() => ReadParsedAsync(64 * 1024);

    [Benchmark(OperationsPerInvoke = StreamMiB)]
    public Task<long> ServerStreamProtobuf1M() => ReadParsedAsync(1024 * 1024);

    [Benchmark(OperationsPerInvoke = StreamMiB)]
    public Task<long> ServerStreamRaw64K() => ReadRawAsync(64 * 1024);

    [Benchmark(OperationsPerInvoke = StreamMiB)]
    public Task<long> ServerStreamRaw1M() => ReadRawAsync(1024 * 1024);

    [Benchmark(OperationsPerInvoke = StreamMiB)]
    public Task<RawPutResponse> ClientStream64K() => UploadAsync(64 * 1024);

    [Benchmark(OperationsPerInvoke = StreamMiB)]
    public Task<RawPutResponse> ClientStream1M() => UploadAsync(1024 * 1024);

    [Benchmark(OperationsPerInvoke = StreamMiB)]
    public Task<RawPutResponse> ClientStreamRaw1M()
        => _channel.ClientStreamingAsync(RawUpload, Messages(_byteStrings[1024 * 1024], StreamMiB));

    private static RawGetRequest StreamRequest(int size)
        => new() { Context = new Context { RegionId = (ulong)(StreamMiB * 1024L * 1024 / size), Term = (ulong)size } };

    private async Task<long> ReadParsedAsync(int size)
    {
        long total = 0;
        await foreach (var r in _channel.ServerStreamingAsync(Stream, StreamRequest(size)))
        {
            total += r.Value.Length;
        }

        return total;
    }

    private async Task<long> ReadRawAsync(int size)
    {
        long total = 0;
        await foreach (var frame in _channel.ServerStreamingRawAsync(RawStream, StreamRequest(size)))
        {
            if (frame.TryGetBytesField(RawGetResponse.ValueFieldNumber, out var value))
            {
                total += value.Length;
            }
        }

        return total;
    }

    private Task<RawPutResponse> UploadAsync(int size)
        => _channel.ClientStreamingAsync(Upload, Messages(_byteStrings[size], (int)(StreamMiB * 1024L * 1024 / size)));

    private static async IAsyncEnumerable<RawPutRequest> Messages(ByteString value, int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new RawPutRequest { Value = value };
        }

        await Task.CompletedTask;
    }

    private static byte[] CreatePayload(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        return bytes;
    }
}
