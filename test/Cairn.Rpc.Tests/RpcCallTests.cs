using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Cairn.Rpc.Backup;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Pdpb;
using Cairn.Rpc.Storepb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Cairn.Rpc.Tests;

public sealed class RpcCallTests
{
    [Fact]
    public async Task Unary_call_round_trips()
    {
        await using var host = await TestHost.StartAsync(new TestTikv(rawGet: (req, ctx) =>
            Task.FromResult(new RawGetResponse { Value = ByteString.CopyFromUtf8("v:" + req.Key.ToStringUtf8() + ":" + req.Cf) })));

        var response = await host.Channel.Tikv.RawGetAsync(
            new RawGetRequest { Key = ByteString.CopyFromUtf8("k1"), Cf = "default" }, cancellationToken: TestHost.Guard);

        Assert.Equal("v:k1:default", response.Value.ToStringUtf8());
        Assert.True(host.Server.Port > 0);
    }

    [Fact]
    public async Task Server_stream_delivers_messages_before_the_handler_produces_the_rest()
    {
        var produced = 0;
        using var firstSeen = new SemaphoreSlim(0);
        await using var host = await TestHost.StartAsync(new TestBackup(async (req, stream, ctx) =>
        {
            for (var i = 1; i <= 3; i++)
            {
                Interlocked.Exchange(ref produced, i);
                await stream.WriteAsync(new BackupResponse { StartKey = ByteString.CopyFromUtf8("r" + i) });
                if (i == 1)
                {
                    // Message 2 is only produced after the client has seen message 1.
                    await firstSeen.WaitAsync(ctx.CancellationToken);
                }
            }
        }));

        var keys = new List<string>();
        var producedWhenFirstSeen = -1;
        await foreach (var response in host.Channel.Backup.backup(new BackupRequest(), cancellationToken: TestHost.Guard).ReadAllAsync(TestHost.Guard))
        {
            keys.Add(response.StartKey.ToStringUtf8());
            if (keys.Count == 1)
            {
                producedWhenFirstSeen = Volatile.Read(ref produced);
                firstSeen.Release();
            }
        }

        Assert.Equal(["r1", "r2", "r3"], keys);
        Assert.Equal(1, producedWhenFirstSeen);
    }

    [Fact]
    public async Task Client_stream_sends_all_messages_and_gets_one_response()
    {
        await using var host = await TestHost.StartAsync(new TestStoreAdmin(async (requests, ctx) =>
        {
            var names = new List<string>();
            await foreach (var r in requests.ReadAllAsync(ctx.CancellationToken))
            {
                names.Add(r.Cf);
            }

            return new ReceiveRegionResponse { Error = string.Join(",", names) };
        }));

        var response = await host.Channel.StoreAdmin.ReceiveRegion(cancellationToken: TestHost.Guard).SendAllAsync(Produce(5), TestHost.Guard);

        Assert.Equal("k0,k1,k2,k3,k4", response.Error);

        static async IAsyncEnumerable<RegionSnapshotChunk> Produce(int n)
        {
            for (var i = 0; i < n; i++)
            {
                await Task.Yield();
                yield return new RegionSnapshotChunk { Cf = "k" + i };
            }
        }
    }

    [Fact]
    public async Task Client_stream_messages_reach_the_server_as_they_are_produced()
    {
        using var firstReceived = new SemaphoreSlim(0);
        await using var host = await TestHost.StartAsync(new TestStoreAdmin(async (requests, ctx) =>
        {
            var count = 0;
            await foreach (var r in requests.ReadAllAsync(ctx.CancellationToken))
            {
                if (++count == 1)
                {
                    firstReceived.Release();
                }
            }

            return new ReceiveRegionResponse { Error = count.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }));

        var response = await host.Channel.StoreAdmin.ReceiveRegion(cancellationToken: TestHost.Guard).SendAllAsync(Produce(firstReceived), TestHost.Guard);

        Assert.Equal("3", response.Error);

        static async IAsyncEnumerable<RegionSnapshotChunk> Produce(SemaphoreSlim firstReceived)
        {
            yield return new RegionSnapshotChunk { Cf = "first" };
            // Only continue once the server has the first message: the body is not buffered until the end.
            await firstReceived.WaitAsync(TestHost.Guard);
            yield return new RegionSnapshotChunk();
            yield return new RegionSnapshotChunk();
        }
    }

    [Fact]
    public async Task Client_stream_gets_an_early_error_while_it_is_still_sending()
    {
        await using var host = await TestHost.StartAsync(new TestStoreAdmin((requests, ctx) =>
            throw new RpcException(StatusCode.InvalidArgument, "no thanks")));

        var producerStopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            host.Channel.StoreAdmin.ReceiveRegion(cancellationToken: TestHost.Guard).SendAllAsync(Endless(producerStopped), TestHost.Guard));

        Assert.Equal(StatusCode.InvalidArgument, e.Status);
        Assert.Equal("no thanks", e.Detail);
        // The abandoned request stream must stop pulling from the producer.
        await producerStopped.Task.WaitAsync(TestHost.Guard);

        static async IAsyncEnumerable<RegionSnapshotChunk> Endless(
            TaskCompletionSource stopped, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(1, ct);
                    yield return new RegionSnapshotChunk { Data = ByteString.CopyFrom(new byte[1024]) };
                }
            }
            finally
            {
                stopped.TrySetResult();
            }
        }
    }

    [Fact]
    public async Task Duplex_stream_answers_each_request_while_the_client_is_still_sending()
    {
        await using var host = await TestHost.StartAsync(new TestPd(async (requests, responses, ctx) =>
        {
            await foreach (var r in requests.ReadAllAsync(ctx.CancellationToken))
            {
                await responses.WriteAsync(new TsoResponse { Count = r.Count * 10 });
            }
        }));

        // Each request is produced only after the previous answer arrived, which deadlocks unless both directions stream.
        var answers = System.Threading.Channels.Channel.CreateUnbounded<uint>();
        var received = new List<uint>();
        await foreach (var response in host.Channel.Pd.Tso(cancellationToken: TestHost.Guard).DuplexAsync(Requests(answers.Reader), TestHost.Guard))
        {
            received.Add(response.Count);
            await answers.Writer.WriteAsync(response.Count);
        }

        Assert.Equal([10u, 20u, 30u], received);
        // The client half-closed and the handler returned: an ordinary end, nothing for the server to complain about.
        Assert.Empty(host.Logs.AtLeast(LogLevel.Warning));

        static async IAsyncEnumerable<TsoRequest> Requests(System.Threading.Channels.ChannelReader<uint> answers)
        {
            for (uint i = 1; i <= 3; i++)
            {
                if (i > 1)
                {
                    await answers.ReadAsync();
                }

                yield return new TsoRequest { Count = i };
            }
        }
    }

    [Fact]
    public async Task A_client_leaving_a_duplex_stream_is_not_a_server_error()
    {
        var handlerEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(new TestPd(async (requests, responses, ctx) =>
        {
            try
            {
                await foreach (var r in requests.ReadAllAsync(ctx.CancellationToken))
                {
                    await responses.WriteAsync(new TsoResponse { Count = r.Count });
                }
            }
            finally
            {
                handlerEnded.TrySetResult();
            }
        }));

        // The client reads one answer and walks away while the stream is open, as a TSO client does when it closes.
        await foreach (var response in host.Channel.Pd.Tso(cancellationToken: TestHost.Guard).DuplexAsync(Forever(), TestHost.Guard))
        {
            Assert.Equal(1u, response.Count);
            break;
        }

        await handlerEnded.Task.WaitAsync(TestHost.Guard);
        // The server has classified the call's end (at debug) before "no warning" is asserted, so the check cannot
        // pass just by looking too early.
        await Eventually.UntilAsync(() => host.Logs.Entries.Any(e => e.Message.Contains("Tso", StringComparison.Ordinal) && e.Message.Contains("ended", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), () => $"the server to log the end of the Tso call (logged: {string.Join(" | ", host.Logs.Entries.Select(e => e.Message))})");
        Assert.Empty(host.Logs.AtLeast(LogLevel.Warning));

        static async IAsyncEnumerable<TsoRequest> Forever([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            yield return new TsoRequest { Count = 1 };
            await Task.Delay(Timeout.Infinite, ct);
        }
    }

    [Fact]
    public async Task Error_status_and_unicode_message_round_trip()
    {
        const string Message = "key not found: ä/100% ✓ 键\tend";
        await using var host = await TestHost.StartAsync(new TestTikv(rawGet: (req, ctx) =>
            throw new RpcException(StatusCode.NotFound, Message)));

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Channel.Tikv.RawGetAsync(new RawGetRequest(), cancellationToken: TestHost.Guard));

        Assert.Equal(StatusCode.NotFound, e.Status);
        Assert.Equal(Message, e.Detail);
    }

    [Fact]
    public async Task Error_before_any_message_is_a_trailers_only_response()
    {
        await using var host = await TestHost.StartAsync(new TestBackup((req, stream, ctx) =>
            throw new RpcException(StatusCode.FailedPrecondition, "100% wrong")));

        using var http = RawHttp.CreateClient();
        using var response = await RawHttp.PostAsync(http, host.Server.Address + "/backup.Backup/backup", RawHttp.Frame(new BackupRequest()));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("9", Assert.Single(response.Headers.GetValues("grpc-status")));
        Assert.Equal("100%25 wrong", Assert.Single(response.Headers.GetValues("grpc-message")));
        Assert.Empty(body);
        Assert.False(response.TrailingHeaders.Contains("grpc-status"));
    }

    [Fact]
    public async Task Error_after_stream_messages_arrives_in_trailers_after_the_messages()
    {
        await using var host = await TestHost.StartAsync(new TestBackup(async (req, stream, ctx) =>
        {
            await stream.WriteAsync(new BackupResponse { StartKey = ByteString.CopyFromUtf8("a") });
            await stream.WriteAsync(new BackupResponse { StartKey = ByteString.CopyFromUtf8("b") });
            throw new RpcException(StatusCode.Unavailable, "store unavailable");
        }));

        var keys = new List<string>();
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var r in host.Channel.Backup.backup(new BackupRequest(), cancellationToken: TestHost.Guard).ReadAllAsync(TestHost.Guard))
            {
                keys.Add(r.StartKey.ToStringUtf8());
            }
        });

        Assert.Equal(["a", "b"], keys);
        Assert.Equal(StatusCode.Unavailable, e.Status);
        Assert.Equal("store unavailable", e.Detail);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Unknown_method_and_unknown_service_are_unimplemented()
    {
        await using var host = await TestHost.StartAsync(new TestTikv(rawGet: (req, ctx) => Task.FromResult(new RawGetResponse())));

        var method = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Channel.Tikv.RawPutAsync(new RawPutRequest(), cancellationToken: TestHost.Guard));
        var service = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Channel.ImportSst.SwitchModeAsync(new ImportSstpb.SwitchModeRequest(), cancellationToken: TestHost.Guard));

        Assert.Equal(StatusCode.Unimplemented, method.Status);
        Assert.Equal(StatusCode.Unimplemented, service.Status);
        Assert.False(service.IsTransient);
    }

    [Fact]
    public async Task Handler_exception_becomes_unknown_with_its_message_and_is_logged()
    {
        await using var host = await TestHost.StartAsync(new TestTikv(rawGet: (req, ctx) =>
            throw new InvalidOperationException("disk on fire")));

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Channel.Tikv.RawGetAsync(new RawGetRequest(), cancellationToken: TestHost.Guard));

        Assert.Equal(StatusCode.Unknown, e.Status);
        Assert.Contains("disk on fire", e.Detail, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Entries, l => l.Level == LogLevel.Error && l.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task Deadline_exceeded_fails_the_call_and_cancels_the_handler()
    {
        var observed = new TaskCompletionSource<DateTime>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(new TestTikv(rawGet: async (req, ctx) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                observed.TrySetResult(ctx.Deadline);
                throw;
            }

            return new RawGetResponse();
        }));

        var e = await Assert.ThrowsAsync<RpcException>(async () => await host.Channel.Tikv.RawGetAsync(
            new RawGetRequest(), RpcChannel.CallOptions(new RpcCallOptions { Timeout = TimeSpan.FromMilliseconds(300) }, TestHost.Guard)));

        Assert.Equal(StatusCode.DeadlineExceeded, e.Status);
        Assert.True(e.IsTransient);
        var deadline = await observed.Task.WaitAsync(TestHost.Guard);
        Assert.True(deadline < DateTime.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Server_enforces_grpc_timeout_on_its_own()
    {
        await using var host = await TestHost.StartAsync(new TestTikv(rawGet: async (req, ctx) =>
        {
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            return new RawGetResponse();
        }));

        // A client that sends grpc-timeout but does not enforce it itself.
        using var http = RawHttp.CreateClient();
        using var response = await RawHttp.PostAsync(
            http, host.Server.Address + "/tikvpb.Tikv/RawGet", RawHttp.Frame(new RawGetRequest()), ("grpc-timeout", "200000u"));
        await response.Content.ReadAsByteArrayAsync(TestHost.Guard);

        Assert.Equal("4", RawHttp.Status(response));
    }

    [Fact]
    public async Task Client_cancellation_resets_the_stream_and_cancels_the_handler()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(new TestBackup(async (req, stream, ctx) =>
        {
            await stream.WriteAsync(new BackupResponse());
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }
        }));

        using var cts = new CancellationTokenSource();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var r in host.Channel.Backup.backup(new BackupRequest(), cancellationToken: cts.Token).ReadAllAsync(cts.Token))
            {
                await started.Task.WaitAsync(TestHost.Guard);
                await cts.CancelAsync();
            }
        });

        // The caller's own cancellation surfaces as a cancellation, not as a failure of the peer.
        Assert.Equal(cts.Token, e.CancellationToken);
        await cancelled.Task.WaitAsync(TestHost.Guard);
        Assert.True(cancelled.Task.IsCompletedSuccessfully);
        Assert.Empty(host.Logs.AtLeast(LogLevel.Warning));
    }

    [Fact]
    public async Task Abandoning_a_stream_early_cancels_the_server_handler()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(new TestBackup(async (req, stream, ctx) =>
        {
            try
            {
                while (true)
                {
                    await stream.WriteAsync(new BackupResponse { StartKey = ByteString.CopyFrom(new byte[4096]) }, ctx.CancellationToken);
                }
            }
            catch (Exception) when (ctx.CancellationToken.IsCancellationRequested)
            {
                cancelled.TrySetResult();
                throw;
            }
        }));

        var seen = 0;
        await foreach (var r in host.Channel.Backup.backup(new BackupRequest(), cancellationToken: TestHost.Guard).ReadAllAsync(TestHost.Guard))
        {
            if (++seen == 5)
            {
                break;
            }
        }

        await cancelled.Task.WaitAsync(TestHost.Guard);
        Assert.Equal(5, seen);
        Assert.True(cancelled.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Request_larger_than_server_limit_is_resource_exhausted()
    {
        await using var host = await TestHost.StartAsync(
            new TestTikv(rawPut: (req, ctx) => Task.FromResult(new RawPutResponse())),
            new RpcServerOptions { MaxReceiveMessageSize = 1024 });

        var ok = await host.Channel.Tikv.RawPutAsync(new RawPutRequest { Value = ByteString.CopyFrom(new byte[900]) }, cancellationToken: TestHost.Guard);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await host.Channel.Tikv.RawPutAsync(
            new RawPutRequest { Value = ByteString.CopyFrom(new byte[2048]) }, cancellationToken: TestHost.Guard));

        Assert.NotNull(ok);
        Assert.Equal(StatusCode.ResourceExhausted, e.Status);
    }

    [Fact]
    public async Task Response_larger_than_limits_is_resource_exhausted_on_either_side()
    {
        await using var host = await TestHost.StartAsync(
            new TestTikv(rawGet: (req, ctx) =>
                Task.FromResult(new RawGetResponse { Value = ByteString.CopyFrom(new byte[(int)req.Context.RegionId]) })),
            new RpcServerOptions { MaxSendMessageSize = 64 * 1024 },
            new RpcChannelOptions { MaxReceiveMessageSize = 4096, MaxSendMessageSize = 256 });

        var small = await host.Channel.Tikv.RawGetAsync(Sized(1000), cancellationToken: TestHost.Guard);
        var client = await Assert.ThrowsAsync<RpcException>(async () => await host.Channel.Tikv.RawGetAsync(Sized(8192), cancellationToken: TestHost.Guard));
        var server = await Assert.ThrowsAsync<RpcException>(async () => await host.Channel.Tikv.RawGetAsync(Sized(100_000), cancellationToken: TestHost.Guard));
        var send = await Assert.ThrowsAsync<RpcException>(async () => await host.Channel.Tikv.RawGetAsync(
            new RawGetRequest { Key = ByteString.CopyFrom(new byte[512]) }, cancellationToken: TestHost.Guard));

        Assert.Equal(1000, small.Value.Length);
        Assert.Equal(StatusCode.ResourceExhausted, client.Status);
        Assert.Equal(StatusCode.ResourceExhausted, server.Status);
        Assert.Equal(StatusCode.ResourceExhausted, send.Status);

        static RawGetRequest Sized(int n) => new() { Context = new Context { RegionId = (ulong)n } };
    }

    [Fact]
    public async Task Connection_refused_is_unavailable_with_the_address()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }

        using var channel = new RpcChannel($"127.0.0.1:{port}");
        var e = await Assert.ThrowsAsync<RpcException>(async () => await channel.Tikv.RawGetAsync(new RawGetRequest(), cancellationToken: TestHost.Guard));

        Assert.Equal(StatusCode.Unavailable, e.Status);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Many_concurrent_calls_share_one_channel()
    {
        await using var host = await TestHost.StartAsync(new TestTikv(rawGet: async (req, ctx) =>
        {
            await Task.Yield();
            return new RawGetResponse { Value = req.Key };
        }));

        var calls = Enumerable.Range(0, 300).Select(async i =>
        {
            var key = "key-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var r = await host.Channel.Tikv.RawGetAsync(new RawGetRequest { Key = ByteString.CopyFromUtf8(key) }, cancellationToken: TestHost.Guard);
            return (key, r.Value.ToStringUtf8());
        });

        var results = await Task.WhenAll(calls);
        Assert.All(results, r => Assert.Equal(r.key, r.Item2));
    }

    [Fact]
    public async Task Metadata_headers_reach_the_handler()
    {
        await using var host = await TestHost.StartAsync(
            new TestTikv(rawGet: (req, ctx) => Task.FromResult(new RawGetResponse
            {
                Error = $"{ctx.RequestHeaders.GetValue("cluster-id")}|{ctx.RequestHeaders.GetValue("x-call")}|{ctx.Method}|{ctx.Peer.StartsWith("ipv4:127.0.0.1:", StringComparison.Ordinal)}",
            })),
            channelOptions: new RpcChannelOptions { DefaultHeaders = [new("cluster-id", "6881")] });

        var r = await host.Channel.Tikv.RawGetAsync(
            new RawGetRequest(), RpcChannel.CallOptions(new RpcCallOptions { Headers = [new("x-call", "7")] }, TestHost.Guard));

        Assert.Equal("6881|7|/tikvpb.Tikv/RawGet|True", r.Error);
    }

    [Fact]
    public async Task Requests_that_are_not_grpc_are_refused()
    {
        await using var host = await TestHost.StartAsync(new TestTikv(rawGet: (req, ctx) => Task.FromResult(new RawGetResponse())));
        using var http = RawHttp.CreateClient();
        var url = host.Server.Address + "/tikvpb.Tikv/RawGet";

        // A compressed frame without saying which compression was used.
        var frame = RawHttp.Frame(new RawGetRequest { Cf = "x" });
        frame[0] = 1;
        using var flagged = await RawHttp.PostAsync(http, url, frame);
        await flagged.Content.ReadAsByteArrayAsync(TestHost.Guard);
        using var wrongType = await RawHttp.PostAsync(http, url, RawHttp.Frame(new RawGetRequest()), contentType: "application/json");

        Assert.NotEqual("0", RawHttp.Status(flagged));
        Assert.NotNull(RawHttp.Status(flagged));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
    }

    [Fact]
    public async Task Bulk_chunks_wrapped_from_one_reused_buffer_arrive_intact()
    {
        // The sender reuses one buffer for every chunk (as a region move does): a write must be on the wire before the
        // next chunk overwrites the buffer, or the receiver would see later bytes under earlier chunks.
        var data = new byte[(3 * 1024 * 1024) + 12345];
        new Random(7).NextBytes(data);
        await using var host = await TestHost.StartAsync(new TestStoreAdmin(async (requests, ctx) =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var chunks = 0;
            while (await requests.MoveNext(ctx.CancellationToken))
            {
                hash.AppendData(requests.Current.Data.Span);
                chunks++;
            }

            return new ReceiveRegionResponse { Error = $"{chunks}:{Convert.ToHexString(hash.GetHashAndReset())}" };
        }));

        var response = await host.Channel.StoreAdmin.ReceiveRegion(cancellationToken: TestHost.Guard).SendAllAsync(Chunks(data), TestHost.Guard);

        Assert.Equal($"{(data.Length + 65535) / 65536}:{Convert.ToHexString(SHA256.HashData(data))}", response.Error);

        static async IAsyncEnumerable<RegionSnapshotChunk> Chunks(byte[] data)
        {
            var buffer = new byte[64 * 1024];
            for (var offset = 0; offset < data.Length; offset += buffer.Length)
            {
                var n = Math.Min(buffer.Length, data.Length - offset);
                data.AsSpan(offset, n).CopyTo(buffer);
                await Task.Yield();
                yield return new RegionSnapshotChunk { Data = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, n)) };
            }
        }
    }

    [Fact]
    public async Task Stop_lets_running_calls_finish_and_then_refuses_new_ones()
    {
        var inHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = await TestHost.StartAsync(new TestTikv(rawGet: async (req, ctx) =>
        {
            inHandler.TrySetResult();
            await release.Task;
            return new RawGetResponse { Value = ByteString.CopyFromUtf8("done") };
        }));
        await using (host)
        {
            var running = host.Channel.Tikv.RawGetAsync(new RawGetRequest(), cancellationToken: TestHost.Guard).ResponseAsync;
            await inHandler.Task.WaitAsync(TestHost.Guard);
            var stop = host.Server.StopAsync(TestHost.Guard);
            release.SetResult();
            var result = await running;
            await stop;

            Assert.Equal("done", result.Value.ToStringUtf8());
            using var fresh = new RpcChannel(host.Server.Address);
            var e = await Assert.ThrowsAsync<RpcException>(async () => await fresh.Tikv.RawGetAsync(new RawGetRequest(), cancellationToken: TestHost.Guard));
            Assert.Equal(StatusCode.Unavailable, e.Status);
            Assert.Empty(host.Logs.AtLeast(LogLevel.Warning));
        }
    }

    [Fact]
    public async Task Stop_with_an_expired_grace_period_cancels_running_handlers()
    {
        var inHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(new TestTikv(rawGet: async (req, ctx) =>
        {
            inHandler.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }

            return new RawGetResponse();
        }));

        var running = host.Channel.Tikv.RawGetAsync(new RawGetRequest(), cancellationToken: TestHost.Guard).ResponseAsync;
        await inHandler.Task.WaitAsync(TestHost.Guard);
        using (var noGrace = new CancellationTokenSource())
        {
            await noGrace.CancelAsync();
            await host.Server.StopAsync(noGrace.Token);
        }

        var e = await Assert.ThrowsAsync<RpcException>(() => running);
        await cancelled.Task.WaitAsync(TestHost.Guard);
        Assert.Equal(StatusCode.Unavailable, e.Status);
    }
}
