using Cairn.Rpc.Backup;
using Cairn.Rpc.ImportSstpb;
using Cairn.Rpc.Kvrpcpb;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Rpc.Tests.Interop;

/// <summary>Cairn.Rpc against a real gRPC implementation (Debian's grpcio 1.51), in both directions.</summary>
public sealed class InteropTests(PythonInterop interop) : IClassFixture<PythonInterop>
{
    private const string UnicodeMessage = "key not found: ä/100% ✓";

    [Fact]
    public async Task Our_client_calls_a_grpcio_server()
    {
        await using var python = await PythonServerProcess.StartAsync(interop);
        using var channel = new RpcChannel($"127.0.0.1:{python.Port}", new RpcChannelOptions { DefaultHeaders = [new("cluster-id", "6881")] });
        var ct = TestHost.Guard;

        var big = new byte[3 * 1024 * 1024];
        new Random(3).NextBytes(big);
        await channel.Tikv.RawPutAsync(new RawPutRequest { Key = Bytes("k"), Value = Bytes("v") }, cancellationToken: ct).ResponseAsync;
        await channel.Tikv.RawPutAsync(new RawPutRequest { Key = Bytes("big"), Value = ByteString.CopyFrom(big) }, cancellationToken: ct).ResponseAsync;
        var got = await channel.Tikv.RawGetAsync(new RawGetRequest { Key = Bytes("k") }, cancellationToken: ct).ResponseAsync;
        var gotBig = await channel.Tikv.RawGetAsync(new RawGetRequest { Key = Bytes("big") }, cancellationToken: ct).ResponseAsync;
        var absent = await channel.Tikv.RawGetAsync(new RawGetRequest { Key = Bytes("absent") }, cancellationToken: ct).ResponseAsync;
        var meta = await channel.Tikv.RawGetAsync(new RawGetRequest { Key = Bytes("meta") }, cancellationToken: ct).ResponseAsync;

        Assert.Equal("v", got.Value.ToStringUtf8());
        Assert.True(gotBig.Value.Span.SequenceEqual(big));
        Assert.True(absent.NotFound);
        Assert.Equal("6881", meta.Value.ToStringUtf8());

        var notFound = await Assert.ThrowsAsync<RpcException>(() =>
            channel.Tikv.RawGetAsync(new RawGetRequest { Key = Bytes("fail") }, cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, notFound.Status);
        Assert.Equal(UnicodeMessage, notFound.Detail);

        var unimplemented = await Assert.ThrowsAsync<RpcException>(() =>
            channel.Tikv.KvGetAsync(new GetRequest { Key = Bytes("k") }, cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, unimplemented.Status);

        var deadline = await Assert.ThrowsAsync<RpcException>(() => channel.Tikv.RawGetAsync(new RawGetRequest { Key = Bytes("slow") }, RpcChannel.CallOptions(new RpcCallOptions { Timeout = TimeSpan.FromMilliseconds(300) }, ct)).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, deadline.Status);

        var responses = new List<BackupResponse>();
        await foreach (var r in channel.Backup.backup(new BackupRequest { Concurrency = 4 }, cancellationToken: ct).ReadAllAsync(ct))
        {
            responses.Add(r);
        }

        Assert.Equal(["k0", "k1", "k2", "k3"], responses.Select(r => r.StartKey.ToStringUtf8()));
        Assert.Equal("2_write.sst", responses[2].Files[0].Name);
        Assert.Equal(1002UL, responses[2].Files[0].Crc64Xor);
        Assert.Equal(4096UL * 3, responses[2].Files[0].Size);

        var beforeError = new List<string>();
        var unavailable = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var r in channel.Backup.backup(new BackupRequest { Concurrency = 2, Cf = "fail-after" }, cancellationToken: ct).ReadAllAsync(ct))
            {
                beforeError.Add(r.StartKey.ToStringUtf8());
            }
        });
        Assert.Equal(["k0", "k1"], beforeError);
        Assert.Equal(StatusCode.Unavailable, unavailable.Status);
        Assert.Equal("store unavailable", unavailable.Detail);

        await channel.ImportSst.Upload(cancellationToken: ct).SendAllAsync(UploadChunks(), ct);
        var summary = await channel.Tikv.RawGetAsync(new RawGetRequest { Key = Bytes("upload:u7") }, cancellationToken: ct).ResponseAsync;
        Assert.Equal("3/300003", summary.Value.ToStringUtf8());

        // The grpcio handler saw its call end when our deadline passed.
        var slowEnded = await PollAsync(channel, "slow-ended", ct);
        Assert.Equal("1", slowEnded);
    }

    [Fact]
    public async Task A_grpcio_client_calls_our_server()
    {
        var store = new System.Collections.Concurrent.ConcurrentDictionary<string, ByteString>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowCancelled = new TaskCompletionSource<DateTime>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new RpcServer();
        server.AddService(new TestTikv(rawPut: (req, ctx) =>
        {
            store[req.Key.ToStringUtf8()] = req.Value;
            if (req.Key.ToStringUtf8() == "gate")
            {
                gate.TrySetResult();
            }

            return Task.FromResult(new RawPutResponse());
        }, rawGet: async (req, ctx) =>
        {
            var key = req.Key.ToStringUtf8();
            switch (key)
            {
                case "fail":
                    throw new RpcException(StatusCode.NotFound, UnicodeMessage);
                case "slow":
                    try
                    {
                        await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        slowCancelled.TrySetResult(ctx.Deadline);
                        throw;
                    }

                    break;
                case "meta":
                    return new RawGetResponse { Value = ByteString.CopyFromUtf8(ctx.RequestHeaders.GetValue("cluster-id") ?? string.Empty) };
            }

            return store.TryGetValue(key, out var value) ? new RawGetResponse { Value = value } : new RawGetResponse { NotFound = true };
        }));
        server.AddService(new TestBackup(async (req, stream, ctx) =>
        {
            for (var i = 0; i < req.Concurrency; i++)
            {
                await stream.WriteAsync(new BackupResponse
                {
                    StartKey = Bytes("k" + i),
                    EndKey = Bytes("k" + (i + 1)),
                    Files = { new Backup.File { Name = $"{i}_write.sst", Cf = "write", Crc64Xor = 1000UL + (ulong)i } },
                });
                if (i == 0 && req.Cf == "gated")
                {
                    // The Python client opens the gate only after it has received message 0.
                    await gate.Task.WaitAsync(ctx.CancellationToken);
                }
            }

            if (req.Cf == "fail-after")
            {
                throw new RpcException(StatusCode.Unavailable, "store unavailable");
            }
        }));
        server.AddService(new TestImport(async (requests, ctx) =>
        {
            var uuid = string.Empty;
            var chunks = 0;
            var total = 0;
            await foreach (var r in requests.ReadAllAsync(ctx.CancellationToken))
            {
                if (r.ChunkCase == UploadRequest.ChunkOneofCase.Meta)
                {
                    uuid = r.Meta.Uuid.ToStringUtf8();
                }
                else
                {
                    chunks++;
                    total += r.Data.Length;
                }
            }

            store["upload:" + uuid] = ByteString.CopyFromUtf8($"{chunks}/{total}");
            return new UploadResponse();
        }));
        await server.StartAsync();

        var (exit, stdout, stderr) = await PythonInterop.RunAsync(
            [PythonInterop.Script("interop_client.py"), interop.GeneratedDir, $"127.0.0.1:{server.Port}"], interop.Root, TimeSpan.FromMinutes(2));

        Assert.True(exit == 0, $"interop_client.py exited with {exit}.\nstderr:\n{stderr}\nstdout:\n{stdout}");
        Assert.Contains("OK", stdout, StringComparison.Ordinal);
        var deadline = await slowCancelled.Task.WaitAsync(TestHost.Guard);
        Assert.True(deadline < DateTime.UtcNow.AddMinutes(1));
    }

    private static ByteString Bytes(string s) => ByteString.CopyFromUtf8(s);

    private static async IAsyncEnumerable<UploadRequest> UploadChunks()
    {
        yield return new UploadRequest { Meta = new SSTMeta { Uuid = Bytes("u7"), CfName = "default" } };
        for (var i = 0; i < 3; i++)
        {
            await Task.Yield();
            yield return new UploadRequest { Data = ByteString.CopyFrom(new byte[100_000 + i]) };
        }
    }

    private static async Task<string> PollAsync(RpcChannel channel, string key, CancellationToken cancellationToken)
    {
        // The handler records the end of its call asynchronously; give it a moment without asserting on time.
        while (true)
        {
            var r = await channel.Tikv.RawGetAsync(new RawGetRequest { Key = Bytes(key) }, cancellationToken: cancellationToken).ResponseAsync;
            if (!r.NotFound)
            {
                return r.Value.ToStringUtf8();
            }

            await Task.Delay(20, cancellationToken);
        }
    }
}
