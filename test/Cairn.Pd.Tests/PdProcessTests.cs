using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Cairn.Common;
using Cairn.Rpc;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Tests;

/// <summary>The built <c>cairn pd</c> as a separate process: readiness line, kill -9, SIGTERM, usage errors.</summary>
public sealed partial class PdProcessTests
{
    private static string CairnDll => Path.Combine(AppContext.BaseDirectory, "cairn.dll");

    [Fact]
    public async Task Timestamps_stay_monotonic_across_kill_minus_9_and_restart()
    {
        var dir = TestPd.NewDataDir();
        try
        {
            ulong last = 0;
            ulong clusterId = 0;
            for (var round = 0; round < 3; round++)
            {
                using var pd = await PdProcess.StartAsync(dir);
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
                pd.Kill();
                try
                {
                    await responses.MoveNextAsync();
                }
                catch (RpcException)
                {
                }
            }
        }
        finally
        {
            TestPd.TryDelete(dir);
        }
    }

    [Fact]
    public async Task Sigterm_stops_cleanly_with_exit_code_zero()
    {
        var dir = TestPd.NewDataDir();
        try
        {
            using var pd = await PdProcess.StartAsync(dir);
            using var channel = new RpcChannel(pd.GrpcAddress);
            var members = await channel.Pd.GetMembersAsync(new GetMembersRequest(), cancellationToken: TestPd.Guard).ResponseAsync;
            Assert.Equal(pd.ClusterId, members.Header.ClusterId);
            Assert.Equal(0, await pd.TerminateAsync());
        }
        finally
        {
            TestPd.TryDelete(dir);
        }
    }

    [Theory]
    [InlineData("--bogus-flag")]
    [InlineData("--gc-life-time", "ten minutes")]
    [InlineData("--addr", "not-an-address")]
    [InlineData("--data-dir")]
    public async Task Bad_flags_exit_2_with_a_message(params string[] extra)
    {
        var args = new List<string> { CairnDll, "pd" };
        if (extra[0] != "--data-dir")
        {
            args.AddRange(["--data-dir", Path.Combine(Path.GetTempPath(), "cairn-pd-never-created")]);
        }

        args.AddRange(extra);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync(TestPd.Guard);
        await process.WaitForExitAsync(TestPd.Guard);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("cairn pd:", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"pd ready: grpc (\S+) http (\S+) cluster-id (\d+)")]
    private static partial Regex ReadyLine();

    private sealed class PdProcess : IDisposable
    {
        private readonly Process _process;

        private PdProcess(Process process, string grpc, string http, ulong clusterId)
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
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { CairnDll, "pd", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--data-dir", dataDir })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start)!;
            try
            {
                var line = await process.StandardOutput.ReadLineAsync(TestPd.Guard);
                var match = ReadyLine().Match(line ?? "");
                if (!match.Success)
                {
                    var stderr = await process.StandardError.ReadToEndAsync(TestPd.Guard);
                    Assert.Fail($"cairn pd did not report ready: '{line}' {stderr}");
                }

                return new PdProcess(process, match.Groups[1].Value, match.Groups[2].Value, ulong.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
            catch
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
                throw;
            }
        }

        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public async Task<int> TerminateAsync()
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync(TestPd.Guard);
            await _process.WaitForExitAsync(TestPd.Guard);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }
    }
}
