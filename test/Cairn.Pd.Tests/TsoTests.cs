using System.Net;
using System.Threading.Channels;
using Cairn.Common;
using Cairn.Pd.Client;
using Cairn.Rpc;
using Cairn.Rpc.Pdpb;
using Microsoft.Extensions.Logging;

namespace Cairn.Pd.Tests;

public sealed class TsoTests
{
    [Fact]
    public async Task Concurrent_streams_get_distinct_strictly_increasing_timestamps()
    {
        await using var pd = await TestPd.StartAsync();
        const int Tasks = 8;
        const int Requests = 200;
        var perTask = await Task.WhenAll(Enumerable.Range(0, Tasks).Select(async t =>
        {
            var seen = new List<ulong>();
            await using var stream = new TsoStream(pd);
            for (var i = 0; i < Requests; i++)
            {
                var count = (uint)(1 + (i % 5));
                var response = await stream.RequestAsync(count);
                Assert.Null(response.Header.Error);
                Assert.Equal(count, response.Count);
                var last = Tso.Compose(response.Timestamp.Physical, response.Timestamp.Logical);
                for (var k = count - 1; k < count; k--)
                {
                    seen.Add(last - k);
                }
            }

            return seen;
        }));

        foreach (var seen in perTask)
        {
            for (var i = 1; i < seen.Count; i++)
            {
                Assert.True(seen[i] > seen[i - 1], $"timestamps went backwards within one stream: {seen[i - 1]} then {seen[i]}");
            }
        }

        var all = perTask.SelectMany(s => s).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public async Task A_client_closing_its_tso_stream_leaves_nothing_in_pds_log_above_debug()
    {
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        using var dir = new TempDirectory("pd");
        await using (var pd = await PdServer.StartAsync(new PdServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), DataDir = dir.Sub("data") }, loggerFactory))
        {
            var client = await PdClient.ConnectAsync([pd.Address], cancellationToken: TestPd.Guard);
            var first = await client.GetTimestampAsync(TestPd.Guard);
            var second = await client.GetTimestampAsync(TestPd.Guard);
            await client.DisposeAsync();
            Assert.True(second > first);
            // A later client still gets timestamps: the closed stream left pd in a good state.
            await using var again = await PdClient.ConnectAsync([pd.Address], cancellationToken: TestPd.Guard);
            Assert.True(await again.GetTimestampAsync(TestPd.Guard) > second);
        }

        Assert.Empty(logs.AtLeast(LogLevel.Warning));
        Assert.DoesNotContain(logs.Entries, e => e.Exception is not null);
    }

    [Fact]
    public async Task Timestamps_keep_increasing_across_restarts()
    {
        await using var pd = await TestPd.StartAsync(o => o with { TsoSaveWindow = TimeSpan.FromSeconds(30) });
        ulong last = 0;
        for (var round = 0; round < 3; round++)
        {
            await using (var stream = new TsoStream(pd))
            {
                for (var i = 0; i < 20; i++)
                {
                    var response = await stream.RequestAsync(3);
                    var ts = Tso.Compose(response.Timestamp.Physical, response.Timestamp.Logical - 2);
                    Assert.True(ts > last, $"round {round}: {Tso.Format(ts)} is not above {Tso.Format(last)}");
                    last = ts + 2;
                }
            }

            // The window is 30 s ahead, so a restart must jump above it rather than reuse the clock.
            await pd.RestartAsync();
        }

        await using var final = new TsoStream(pd);
        var after = await final.RequestAsync(1);
        Assert.True(Tso.Compose(after.Timestamp.Physical, after.Timestamp.Logical) > last);
    }

    [Fact]
    public async Task Wrong_cluster_id_gets_a_header_error_on_the_stream()
    {
        await using var pd = await TestPd.StartAsync();
        await using var stream = new TsoStream(pd, clusterId: pd.Server.ClusterId + 1);
        var response = await stream.RequestAsync(1);
        Assert.NotNull(response.Header.Error);
        Assert.Contains("mismatch cluster id", response.Header.Error.Message, StringComparison.Ordinal);
        Assert.Null(response.Timestamp);
    }

    [Fact]
    public async Task A_batch_larger_than_the_logical_space_is_refused_and_exhausting_a_millisecond_moves_on()
    {
        await using var pd = await TestPd.StartAsync();
        await using var stream = new TsoStream(pd);
        var refused = await stream.RequestAsync((uint)Tso.MaxLogical + 2);
        Assert.Equal(ErrorType.InvalidValue, refused.Header.Error?.Type);

        ulong previous = 0;
        for (var i = 0; i < 6; i++)
        {
            // Each takes most of a millisecond's logical space, so most need a fresh physical part.
            var response = await stream.RequestAsync(200_000);
            var first = Tso.Compose(response.Timestamp.Physical, response.Timestamp.Logical - 199_999);
            Assert.True(first > previous);
            previous = Tso.Compose(response.Timestamp.Physical, response.Timestamp.Logical);
        }
    }

    /// <summary>One Tso stream: one request in flight at a time.</summary>
    internal sealed class TsoStream : IAsyncDisposable
    {
        private readonly Channel<TsoRequest> _requests = Channel.CreateUnbounded<TsoRequest>();
        private readonly IAsyncEnumerator<TsoResponse> _responses;
        private readonly ulong _clusterId;

        public TsoStream(TestPd pd, ulong? clusterId = null)
        {
            _clusterId = clusterId ?? pd.Server.ClusterId;
            _responses = pd.Channel.Pd.Tso(cancellationToken: TestPd.Guard).DuplexAsync(_requests.Reader.ReadAllAsync(), TestPd.Guard)
                .GetAsyncEnumerator();
        }

        public async Task<TsoResponse> RequestAsync(uint count)
        {
            await _requests.Writer.WriteAsync(new TsoRequest { Header = new RequestHeader { ClusterId = _clusterId }, Count = count });
            Assert.True(await _responses.MoveNextAsync());
            return _responses.Current;
        }

        public async ValueTask DisposeAsync()
        {
            _requests.Writer.TryComplete();
            try
            {
                while (await _responses.MoveNextAsync())
                {
                }
            }
            catch (RpcException)
            {
            }

            await _responses.DisposeAsync();
        }
    }
}
