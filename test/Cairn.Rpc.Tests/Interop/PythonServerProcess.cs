using System.Diagnostics;
using System.Globalization;

namespace Cairn.Rpc.Tests.Interop;

/// <summary>The grpcio interop server as a child process; it exits when its stdin closes.</summary>
internal sealed class PythonServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private PythonServerProcess(Process process, int port, Task<string> stderr)
    {
        _process = process;
        Port = port;
        _stderr = stderr;
    }

    public int Port { get; }

    public static async Task<PythonServerProcess> StartAsync(PythonInterop interop)
    {
        var process = PythonInterop.Start([PythonInterop.Script("interop_server.py"), interop.GeneratedDir], interop.Root, redirectStdin: true);
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var line = await process.StandardOutput.ReadLineAsync(cts.Token);
            if (line is null || !line.StartsWith("PORT ", StringComparison.Ordinal))
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"The Python interop server did not start (first line '{line}'):\n{await stderr}");
            }

            return new PythonServerProcess(process, int.Parse(line.AsSpan(5), CultureInfo.InvariantCulture), stderr);
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        finally
        {
            await _stderr.ConfigureAwait(false);
            _process.Dispose();
        }
    }
}
