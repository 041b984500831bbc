using System.Net;
using System.Net.Sockets;
using Cairn.Rpc.Backup;
using Cairn.Rpc.Kvrpcpb;
using Google.Protobuf;

namespace Cairn.Rpc.Tests;

public sealed class RpcCallTests
{
    private static readonly RpcMethod<ImportSstpb.UploadRequest, RawPutResponse> UploadCounted =
        new("/cairn.test.Test/Upload", ImportSstpb.UploadRequest.Parser, RawPutResponse.Parser);

    [Fact]
    public async Task Unary_call_round_trips()
    {
        await using var host = await TestHost.StartAsync(s => s.MapUnary(TikvMethods.RawGet, (req, ctx) =>
            Task.FromResult(new RawGetResponse { Value = ByteString.CopyFromUtf8("v:" + req.Key.ToStringUtf8() + ":" + req.Cf) })));

        var response = await host.Channel.UnaryAsync(
            TikvMethods.RawGet, new RawGetRequest { Key = ByteString.CopyFromUtf8("k1"), Cf = "default" }, cancellationToken: TestHost.Guard);

        Assert.Equal("v:k1:default", response.Value.ToStringUtf8());
        Assert.True(host.Server.Port > 0);
    }

    [Fact]
    public async Task Server_stream_delivers_messages_before_the_handler_produces_the_rest()
    {
        var produced = 0;
        using var firstSeen = new SemaphoreSlim(0);
        await using var host = await TestHost.StartAsync(s => s.MapServerStreaming(BackupMethods.Backup, async (req, stream, ctx) =>
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
        await foreach (var response in host.Channel.ServerStreamingAsync(BackupMethods.Backup, new BackupRequest(), cancellationToken: TestHost.Guard))
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
        await using var host = await TestHost.StartAsync(s => s.MapClientStreaming(TestHost.Collect, async (requests, ctx) =>
        {
            var keys = new List<string>();
            await foreach (var r in requests)
            {
                keys.Add(r.Key.ToStringUtf8());
            }

            return new RawGetResponse { Value = ByteString.CopyFromUtf8(string.Join(",", keys)) };
        }));

        var response = await host.Channel.ClientStreamingAsync(TestHost.Collect, Produce(5), cancellationToken: TestHost.Guard);

        Assert.Equal("k0,k1,k2,k3,k4", response.Value.ToStringUtf8());

        static async IAsyncEnumerable<RawPutRequest> Produce(int n)
        {
            for (var i = 0; i < n; i++)
            {
                await Task.Yield();
                yield return new RawPutRequest { Key = ByteString.CopyFromUtf8("k" + i) };
            }
        }
    }

    [Fact]
    public async Task Client_stream_messages_reach_the_server_as_they_are_produced()
    {
        using var firstReceived = new SemaphoreSlim(0);
        await using var host = await TestHost.StartAsync(s => s.MapClientStreaming(TestHost.Collect, async (requests, ctx) =>
        {
            var count = 0;
            await foreach (var r in requests)
            {
                if (++count == 1)
                {
                    firstReceived.Release();
                }
            }

            return new RawGetResponse { Value = ByteString.CopyFromUtf8(count.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        }));

        var response = await host.Channel.ClientStreamingAsync(TestHost.Collect, Produce(firstReceived), cancellationToken: TestHost.Guard);

        Assert.Equal("3", response.Value.ToStringUtf8());

        static async IAsyncEnumerable<RawPutRequest> Produce(SemaphoreSlim firstReceived)
        {
            yield return new RawPutRequest { Key = ByteString.CopyFromUtf8("first") };
            // Only continue once the server has the first message: the body is not buffered until the end.
            await firstReceived.WaitAsync(TestHost.Guard);
            yield return new RawPutRequest();
            yield return new RawPutRequest();
        }
    }

    [Fact]
    public async Task Client_stream_gets_an_early_error_while_it_is_still_sending()
    {
        await using var host = await TestHost.StartAsync(s => s.MapClientStreaming(TestHost.Collect, (requests, ctx) =>
            throw new RpcException(StatusCode.InvalidArgument, "no thanks")));

        var producerStopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            host.Channel.ClientStreamingAsync(TestHost.Collect, Endless(producerStopped), cancellationToken: TestHost.Guard));

        Assert.Equal(StatusCode.InvalidArgument, e.Status);
        Assert.Equal("no thanks", e.Detail);
        // The abandoned request body must stop pulling from the producer.
        await producerStopped.Task.WaitAsync(TestHost.Guard);

        static async IAsyncEnumerable<RawPutRequest> Endless(
            TaskCompletionSource stopped, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(1, ct);
                    yield return new RawPutRequest { Value = ByteString.CopyFrom(new byte[1024]) };
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
        await using var host = await TestHost.StartAsync(s => s.MapDuplexStreaming(TestHost.Echo, async (requests, responses, ctx) =>
        {
            await foreach (var r in requests)
            {
                await responses.WriteAsync(new RawPutResponse { Error = "echo:" + r.Key.ToStringUtf8() });
            }
        }));

        // Each request is produced only after the previous answer arrived, which deadlocks unless both directions stream.
        var answers = System.Threading.Channels.Channel.CreateUnbounded<string>();
        var received = new List<string>();
        await foreach (var response in host.Channel.DuplexStreamingAsync(TestHost.Echo, Requests(answers.Reader), cancellationToken: TestHost.Guard))
        {
            received.Add(response.Error);
            await answers.Writer.WriteAsync(response.Error);
        }

        Assert.Equal(["echo:0", "echo:1", "echo:2"], received);

        static async IAsyncEnumerable<RawPutRequest> Requests(System.Threading.Channels.ChannelReader<string> answers)
        {
            for (var i = 0; i < 3; i++)
            {
                if (i > 0)
                {
                    await answers.ReadAsync();
                }

                yield return new RawPutRequest { Key = ByteString.CopyFromUtf8(i.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
            }
        }
    }

    [Fact]
    public async Task Error_status_and_unicode_message_round_trip()
    {
        const string Message = "key not found: ä/100% ✓ 键\tend";
        await using var host = await TestHost.StartAsync(s => s.MapUnary(TikvMethods.RawGet, (req, ctx) =>
            throw new RpcException(StatusCode.NotFound, Message)));

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            host.Channel.UnaryAsync(TikvMethods.RawGet, new RawGetRequest(), cancellationToken: TestHost.Guard));

        Assert.Equal(StatusCode.NotFound, e.Status);
        Assert.Equal(Message, e.Detail);
    }

    [Fact]
    public async Task Error_before_any_message_is_a_trailers_only_response()
    {
        await using var host = await TestHost.StartAsync(s => s.MapServerStreaming(BackupMethods.Backup, (req, stream, ctx) =>
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
        await using var host = await TestHost.StartAsync(s => s.MapServerStreaming(BackupMethods.Backup, async (req, stream, ctx) =>
        {
            await stream.WriteAsync(new BackupResponse { StartKey = ByteString.CopyFromUtf8("a") });
            await stream.WriteAsync(new BackupResponse { StartKey = ByteString.CopyFromUtf8("b") });
            throw new RpcException(StatusCode.Unavailable, "store unavailable");
        }));

        var keys = new List<string>();
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var r in host.Channel.ServerStreamingAsync(BackupMethods.Backup, new BackupRequest(), cancellationToken: TestHost.Guard))
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
    public async Task Unknown_method_is_unimplemented()
    {
        await using var host = await TestHost.StartAsync(s => s.MapUnary(TikvMethods.RawGet, (req, ctx) => Task.FromResult(new RawGetResponse())));

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            host.Channel.UnaryAsync(TikvMethods.RawPut, new RawPutRequest(), cancellationToken: TestHost.Guard));

        Assert.Equal(StatusCode.Unimplemented, e.Status);
        Assert.Contains("/tikvpb.Tikv/RawPut", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_exception_becomes_unknown_with_its_message()
    {
        await using var host = await TestHost.StartAsync(s => s.MapUnary(TikvMethods.RawGet, (req, ctx) =>
            throw new InvalidOperationException("disk on fire")));

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            host.Channel.UnaryAsync(TikvMethods.RawGet, new RawGetRequest(), cancellationToken: TestHost.Guard));

        Assert.Equal(StatusCode.Unknown, e.Status);
        Assert.Contains("disk on fire", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deadline_exceeded_fails_the_call_and_cancels_the_handler()
    {
        var observed = new TaskCompletionSource<DateTime?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(s => s.MapUnary(TikvMethods.RawGet, async (req, ctx) =>
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

        var e = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(
            TikvMethods.RawGet, new RawGetRequest(), new RpcCallOptions { Timeout = TimeSpan.FromMilliseconds(300) }, TestHost.Guard));

        Assert.Equal(StatusCode.DeadlineExceeded, e.Status);
        var deadline = await observed.Task.WaitAsync(TestHost.Guard);
        Assert.NotNull(deadline);
    }

    [Fact]
    public async Task Server_enforces_grpc_timeout_on_its_own()
    {
        await using var host = await TestHost.StartAsync(s => s.MapUnary(TikvMethods.RawGet, async (req, ctx) =>
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
        await using var host = await TestHost.StartAsync(s => s.MapServerStreaming(BackupMethods.Backup, async (req, stream, ctx) =>
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
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var r in host.Channel.ServerStreamingAsync(BackupMethods.Backup, new BackupRequest(), cancellationToken: cts.Token))
            {
                await started.Task.WaitAsync(TestHost.Guard);
                await cts.CancelAsync();
            }
        });

        Assert.Equal(StatusCode.Cancelled, e.Status);
        await cancelled.Task.WaitAsync(TestHost.Guard);
        Assert.True(cancelled.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Abandoning_a_stream_early_cancels_the_server_handler()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(s => s.MapServerStreaming(BackupMethods.Backup, async (req, stream, ctx) =>
        {
            try
            {
                while (true)
                {
                    await stream.WriteAsync(new BackupResponse { StartKey = ByteString.CopyFrom(new byte[4096]) });
                }
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }
        }));

        var seen = 0;
        await foreach (var r in host.Channel.ServerStreamingAsync(BackupMethods.Backup, new BackupRequest(), cancellationToken: TestHost.Guard))
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
            s => s.MapUnary(TikvMethods.RawPut, (req, ctx) => Task.FromResult(new RawPutResponse())),
            new RpcServerOptions { MaxReceiveMessageSize = 1024 });

        var ok = await host.Channel.UnaryAsync(TikvMethods.RawPut, new RawPutRequest { Value = ByteString.CopyFrom(new byte[900]) }, cancellationToken: TestHost.Guard);
        var e = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(
            TikvMethods.RawPut, new RawPutRequest { Value = ByteString.CopyFrom(new byte[2048]) }, cancellationToken: TestHost.Guard));

        Assert.NotNull(ok);
        Assert.Equal(StatusCode.ResourceExhausted, e.Status);
    }

    [Fact]
    public async Task Response_larger_than_limits_is_resource_exhausted_on_either_side()
    {
        await using var host = await TestHost.StartAsync(
            s => s.MapUnary(TikvMethods.RawGet, (req, ctx) =>
                Task.FromResult(new RawGetResponse { Value = ByteString.CopyFrom(new byte[(int)req.Context.RegionId]) })),
            new RpcServerOptions { MaxSendMessageSize = 64 * 1024 },
            new RpcChannelOptions { MaxReceiveMessageSize = 4096, MaxSendMessageSize = 256 });

        var small = await host.Channel.UnaryAsync(TikvMethods.RawGet, Sized(1000), cancellationToken: TestHost.Guard);
        var client = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(TikvMethods.RawGet, Sized(8192), cancellationToken: TestHost.Guard));
        var server = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(TikvMethods.RawGet, Sized(100_000), cancellationToken: TestHost.Guard));
        var send = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(
            TikvMethods.RawGet, new RawGetRequest { Key = ByteString.CopyFrom(new byte[512]) }, cancellationToken: TestHost.Guard));

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
        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(TikvMethods.RawGet, new RawGetRequest(), cancellationToken: TestHost.Guard));

        Assert.Equal(StatusCode.Unavailable, e.Status);
        Assert.Contains($"127.0.0.1:{port}", e.Detail, StringComparison.Ordinal);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Many_concurrent_calls_share_one_channel()
    {
        await using var host = await TestHost.StartAsync(s => s.MapUnary(TikvMethods.RawGet, async (req, ctx) =>
        {
            await Task.Yield();
            return new RawGetResponse { Value = req.Key };
        }));

        var calls = Enumerable.Range(0, 300).Select(async i =>
        {
            var key = "key-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var r = await host.Channel.UnaryAsync(TikvMethods.RawGet, new RawGetRequest { Key = ByteString.CopyFromUtf8(key) }, cancellationToken: TestHost.Guard);
            return (key, r.Value.ToStringUtf8());
        });

        var results = await Task.WhenAll(calls);
        Assert.All(results, r => Assert.Equal(r.key, r.Item2));
    }

    [Fact]
    public async Task Metadata_headers_reach_the_handler()
    {
        await using var host = await TestHost.StartAsync(
            s => s.MapUnary(TikvMethods.RawGet, (req, ctx) => Task.FromResult(new RawGetResponse
            {
                Error = $"{ctx.GetHeader("cluster-id")}|{ctx.GetHeader("x-call")}|{ctx.Method}|{ctx.Peer.StartsWith("ipv4:127.0.0.1:", StringComparison.Ordinal)}",
            })),
            channelOptions: new RpcChannelOptions { DefaultHeaders = [new("cluster-id", "6881")] });

        var r = await host.Channel.UnaryAsync(
            TikvMethods.RawGet, new RawGetRequest(), new RpcCallOptions { Headers = [new("x-call", "7")] }, TestHost.Guard);

        Assert.Equal("6881|7|/tikvpb.Tikv/RawGet|True", r.Error);
    }

    [Fact]
    public async Task Compressed_frames_and_grpc_encoding_are_rejected_as_unimplemented()
    {
        await using var host = await TestHost.StartAsync(s => s.MapUnary(TikvMethods.RawGet, (req, ctx) => Task.FromResult(new RawGetResponse())));
        using var http = RawHttp.CreateClient();
        var url = host.Server.Address + "/tikvpb.Tikv/RawGet";

        var frame = RawHttp.Frame(new RawGetRequest { Cf = "x" });
        frame[0] = 1;
        using var flagged = await RawHttp.PostAsync(http, url, frame);
        await flagged.Content.ReadAsByteArrayAsync(TestHost.Guard);
        using var encoded = await RawHttp.PostAsync(http, url, RawHttp.Frame(new RawGetRequest()), ("grpc-encoding", "gzip"));
        await encoded.Content.ReadAsByteArrayAsync(TestHost.Guard);
        using var wrongType = await RawHttp.PostAsync(http, url, RawHttp.Frame(new RawGetRequest()), contentType: "application/json");

        Assert.Equal("12", RawHttp.Status(flagged));
        Assert.Contains("Compressed", RawHttp.Message(flagged), StringComparison.Ordinal);
        Assert.Equal("12", RawHttp.Status(encoded));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
    }

    [Fact]
    public async Task Raw_frames_skip_protobuf_bytes_copies_and_stay_wire_compatible()
    {
        var chunk = new byte[1024 * 1024];
        new Random(7).NextBytes(chunk);
        var prebuilt = new RawGetResponse { Error = "prebuilt", Value = ByteString.CopyFromUtf8("tail") }.ToByteArray();
        await using var host = await TestHost.StartAsync(s => s.MapRawServerStreaming(TestHost.Chunks, async (req, writer, ctx) =>
        {
            for (var i = 0; i < 3; i++)
            {
                await writer.WriteAsync(new RawGetResponse { Error = "chunk-" + i }, 3, chunk);
            }

            await writer.WriteFrameAsync(prebuilt);
        }));

        var raw = new List<(string Error, bool Same)>();
        await foreach (var frame in host.Channel.ServerStreamingRawAsync(TestHost.Chunks, new RawGetRequest(), cancellationToken: TestHost.Guard))
        {
            Assert.True(frame.TryGetBytesField(3, out var value));
            Assert.True(frame.TryGetBytesField(2, out var error));
            raw.Add((System.Text.Encoding.UTF8.GetString(error.Span), value.Span.SequenceEqual(chunk)));
        }

        var parsed = new List<RawGetResponse>();
        await foreach (var message in host.Channel.ServerStreamingAsync(TestHost.Chunks, new RawGetRequest(), cancellationToken: TestHost.Guard))
        {
            parsed.Add(message);
        }

        Assert.Equal([("chunk-0", true), ("chunk-1", true), ("chunk-2", true), ("prebuilt", false)], raw);
        Assert.Equal(4, parsed.Count);
        Assert.Equal("chunk-2", parsed[2].Error);
        Assert.True(parsed[1].Value.Span.SequenceEqual(chunk));
        Assert.Equal("tail", parsed[3].Value.ToStringUtf8());
    }

    [Fact]
    public async Task Raw_client_stream_reads_uploaded_chunks_without_parsing()
    {
        var chunks = Enumerable.Range(0, 3).Select(i =>
        {
            var bytes = new byte[(1024 * 1024) + i];
            new Random(i).NextBytes(bytes);
            return bytes;
        }).ToArray();
        await using var host = await TestHost.StartAsync(s => s.MapRawClientStreaming(UploadCounted, async (frames, ctx) =>
        {
            var matched = 0;
            var index = 0;
            await foreach (var frame in frames)
            {
                if (frame.TryGetBytesField(ImportSstpb.UploadRequest.DataFieldNumber, out var data) && data.Span.SequenceEqual(chunks[index++]))
                {
                    matched++;
                }
            }

            return new RawPutResponse { Error = $"{matched}/{index}" };
        }));

        var response = await host.Channel.ClientStreamingAsync(UploadCounted, Upload(chunks), cancellationToken: TestHost.Guard);

        Assert.Equal("3/3", response.Error);

        static async IAsyncEnumerable<ImportSstpb.UploadRequest> Upload(byte[][] chunks)
        {
            foreach (var chunk in chunks)
            {
                await Task.Yield();
                // UnsafeWrap shares the array with the message instead of copying it into a ByteString.
                yield return new ImportSstpb.UploadRequest { Data = UnsafeByteOperations.UnsafeWrap(chunk) };
            }
        }
    }

    [Fact]
    public async Task Stop_lets_running_calls_finish_and_then_refuses_new_ones()
    {
        var inHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = await TestHost.StartAsync(s => s.MapUnary(TikvMethods.RawGet, async (req, ctx) =>
        {
            inHandler.TrySetResult();
            await release.Task;
            return new RawGetResponse { Value = ByteString.CopyFromUtf8("done") };
        }));
        await using (host)
        {
            var running = host.Channel.UnaryAsync(TikvMethods.RawGet, new RawGetRequest(), cancellationToken: TestHost.Guard);
            await inHandler.Task.WaitAsync(TestHost.Guard);
            var stop = host.Server.StopAsync(TestHost.Guard);
            release.SetResult();
            var result = await running;
            await stop;

            Assert.Equal("done", result.Value.ToStringUtf8());
            using var fresh = new RpcChannel(host.Server.Address);
            var e = await Assert.ThrowsAsync<RpcException>(() => fresh.UnaryAsync(TikvMethods.RawGet, new RawGetRequest(), cancellationToken: TestHost.Guard));
            Assert.Equal(StatusCode.Unavailable, e.Status);
        }
    }

    [Fact]
    public async Task Stop_with_an_expired_grace_period_cancels_running_handlers()
    {
        var inHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(s => s.MapUnary(TikvMethods.RawGet, async (req, ctx) =>
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

        var running = host.Channel.UnaryAsync(TikvMethods.RawGet, new RawGetRequest(), cancellationToken: TestHost.Guard);
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
