using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Cairn.Rpc;

namespace Cairn.Store.Tests;

/// <summary>The real <c>cairn store</c> executable running as a child process (started from the built cairn.dll).</summary>
internal sealed partial class StoreProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private StoreProcess(Process process, string address, ulong storeId)
    {
        _process = process;
        Address = address;
        StoreId = storeId;
        Channel = new RpcChannel(address);
    }

    public string Address { get; }

    public ulong StoreId { get; }

    public RpcChannel Channel { get; }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static string CairnDll => Path.Combine(AppContext.BaseDirectory, "cairn.dll");

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(CairnDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>Starts <c>cairn store</c> on a free port and waits for its ready line.</summary>
    public static async Task<StoreProcess> StartAsync(string dataDir)
    {
        var process = Process.Start(StartInfo("store", "--addr", "127.0.0.1:0", "--data-dir", dataDir))!;
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("cairn store did not report ready: " + stderr);
        }

        var match = line is null ? null : ReadyLine().Match(line);
        if (match is not { Success: true })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"unexpected first line '{line}' from cairn store: {stderr}");
        }

        var result = new StoreProcess(process, match.Groups[2].Value, ulong.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        lock (result._stderr)
        {
            result._stderr.Append(stderr);
        }

        return result;
    }

    /// <summary>SIGKILL: no chance to flush or close anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then waits for the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"^store (\d+) listening on (\S+)$")]
    private static partial Regex ReadyLine();
}
