using System.Text.RegularExpressions;
using System.Threading.Channels;
using Cairn.Common;
using Cairn.Rpc;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Tests;

/// <summary>The built <c>cairn pd</c> as a separate process: readiness line, kill -9, SIGTERM, usage errors.</summary>
public sealed partial class PdProcessTests
{
    [Fact]
    public async Task Timestamps_stay_monotonic_across_kill_minus_9_and_restart()
    {
        using var temp = new TempDirectory("pd");
        var dir = temp.Sub("data");
        ulong last = 0;
        ulong clusterId = 0;
        for (var round = 0; round < 3; round++)
        {
            await using var pd = await PdProcess.StartAsync(dir);
            if (round > 0)
            {
                Assert.Equal(clusterId, pd.ClusterId);
            }

            clusterId = pd.ClusterId;
            using var channel = new RpcChannel(pd.GrpcAddress);
            var requests = Channel.CreateUnbounded<TsoRequest>();
            await using var responses = channel.Pd.Tso(cancellationToken: TestPd.Guard).DuplexAsync(requests.Reader.ReadAllAsync(), TestPd.Guard)
                .GetAsyncEnumerator();
            for (var i = 0; i < 50; i++)
            {
                await requests.Writer.WriteAsync(new TsoRequest { Header = new RequestHeader { ClusterId = clusterId }, Count = 10 });
                Assert.True(await responses.MoveNextAsync());
                var response = responses.Current;
                Assert.Null(response.Header.Error);
                var first = Tso.Compose(response.Timestamp.Physical, response.Timestamp.Logical - 9);
                Assert.True(first > last, $"round {round}: {Tso.Format(first)} is not above {Tso.Format(last)}");
                last = first + 9;
            }

            // No chance to flush anything: the next process must start above everything served.
            await pd.KillAsync();
            try
            {
                await responses.MoveNextAsync();
            }
            catch (RpcException)
            {
            }
        }
    }

    [Fact]
    public async Task Sigterm_stops_cleanly_with_exit_code_zero()
    {
        using var temp = new TempDirectory("pd");
        var dir = temp.Sub("data");
        await using var pd = await PdProcess.StartAsync(dir);
        using var channel = new RpcChannel(pd.GrpcAddress);
        var members = await channel.Pd.GetMembersAsync(new GetMembersRequest(), cancellationToken: TestPd.Guard).ResponseAsync;
        Assert.Equal(pd.ClusterId, members.Header.ClusterId);
        Assert.Equal(0, await pd.TerminateAsync());
    }

    [Theory]
    [InlineData("--bogus-flag")]
    [InlineData("--gc-life-time", "ten minutes")]
    [InlineData("--addr", "not-an-address")]
    [InlineData("--data-dir")]
    public async Task Bad_flags_exit_2_with_a_message(params string[] extra)
    {
        using var temp = new TempDirectory("pd");
        var args = new List<string> { "pd" };
        if (extra[0] != "--data-dir")
        {
            // A folder that must never be made: the flags are refused before anything is created.
            args.AddRange(["--data-dir", temp.Sub("never-created")]);
        }

        args.AddRange(extra);
        var (exitCode, _, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), [.. args]);
        Assert.Equal(2, exitCode);
        Assert.Contains("cairn pd:", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"pd ready: grpc (\S+) http (\S+) cluster-id (\d+)")]
    private static partial Regex ReadyLine();

    /// <summary><c>cairn pd</c> as a child process, stopped on dispose.</summary>
    private sealed class PdProcess : IAsyncDisposable
    {
        private readonly ProcessRunner _process;

        private PdProcess(ProcessRunner process, string grpc, string http, ulong clusterId)
        {
            _process = process;
            GrpcAddress = grpc;
            HttpAddress = http;
            ClusterId = clusterId;
        }

        public string GrpcAddress { get; }

        public string HttpAddress { get; }

        public ulong ClusterId { get; }

        public static async Task<PdProcess> StartAsync(string dataDir)
        {
            var process = ProcessRunner.StartCairn("pd", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--data-dir", dataDir);
            try
            {
                var match = await process.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(60));
                return new PdProcess(process, match.Groups[1].Value, match.Groups[2].Value, ulong.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }

        /// <summary>SIGKILL: no chance to flush anything.</summary>
        public Task KillAsync() => _process.KillAsync();

        public Task<int> TerminateAsync() => _process.TerminateAsync(TimeSpan.FromSeconds(60));

        public ValueTask DisposeAsync() => _process.DisposeAsync();
    }
}
