using System.Globalization;
using System.Text.RegularExpressions;
using Cairn.Rpc;

namespace Cairn.Store.Tests;

/// <summary>The real <c>cairn store</c> executable running as a child process (started from the built cairn.dll).</summary>
internal sealed partial class StoreProcess : IAsyncDisposable
{
    private readonly ProcessRunner _process;

    private StoreProcess(ProcessRunner process, string address, ulong storeId)
    {
        _process = process;
        Address = address;
        StoreId = storeId;
        Channel = new RpcChannel(address);
    }

    public string Address { get; }

    public ulong StoreId { get; }

    public RpcChannel Channel { get; }

    public string Stderr => _process.Stderr;

    /// <summary>Starts <c>cairn store</c> on a free port and waits for its ready line.</summary>
    public static async Task<StoreProcess> StartAsync(string dataDir)
    {
        var process = ProcessRunner.StartCairn("store", "--addr", "127.0.0.1:0", "--data-dir", dataDir);
        try
        {
            var match = await process.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(60));
            return new StoreProcess(process, match.Groups[2].Value, ulong.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no chance to flush or close anything.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM, then waits for the exit code.</summary>
    public Task<int> TerminateAsync() => _process.TerminateAsync(TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _process.DisposeAsync();
    }

    [GeneratedRegex(@"^store (\d+) listening on (\S+)$")]
    private static partial Regex ReadyLine();
}
