using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Rpc.Tests.Interop;

/// <summary>The grpcio interop server as a child process; it exits when its stdin closes, which dispose does first.</summary>
internal sealed partial class PythonServerProcess : IAsyncDisposable
{
    private readonly ProcessRunner _process;

    private PythonServerProcess(ProcessRunner process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<PythonServerProcess> StartAsync(PythonInterop interop)
    {
        var process = PythonInterop.Start([PythonInterop.Script("interop_server.py"), interop.GeneratedDir], interop.Root);
        try
        {
            var line = await process.WaitForLineAsync(PortLine(), TimeSpan.FromSeconds(60));
            return new PythonServerProcess(process, int.Parse(line.Groups["port"].Value, CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"^PORT (?<port>\d+)$")]
    private static partial Regex PortLine();
}
