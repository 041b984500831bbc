using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Cairn.Hosting;
using Cairn.Pd.Client;
using Cairn.Rpc.Metapb;

namespace Cairn.Server;

/// <summary>
/// <c>cairn playground --stores N [--dir DIR] [--base-port P] [--restart-dead]</c>: a local cluster of one pd and N
/// stores, each a separate <c>cairn</c> process, with all data (and each child's log) under one folder. Prints the
/// endpoints once every store is Up in pd, then runs until Ctrl-C or SIGTERM, which it passes on to the children as
/// SIGTERM (pd last), killing any child still running after a timeout. A child that dies is reported in one line
/// with the command that restarts it, and the others keep running; <c>--restart-dead</c> restarts it. Children
/// watch a pipe from the playground and stop when it dies, even by SIGKILL. Exits 1 if a child fails to start,
/// 2 on bad flags. With <c>--tls</c> it makes a CA and certificates in <c>DIR/tls</c>, runs every process with mutual
/// TLS and prints the br flags to use; <c>--ca --cert --key</c> instead run it on the caller's files.
/// </summary>
internal static partial class PlaygroundCommand
{
    private const int Sigterm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RestartGiveUp = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var stores = new Option<string?>("--stores") { Description = "Number of stores (default 3)." };
        var dir = new Option<string?>("--dir") { Description = "Folder for all data and logs (default: a new folder under the temp folder)." };
        var basePort = new Option<string?>("--base-port") { Description = "pd gRPC on P, pd HTTP on P+1, store i on P+2+i (default: free ports)." };
        var restartDead = new Option<bool>("--restart-dead") { Description = "Restart a child that dies (on the same address and data), instead of only reporting it." };
        var tlsOption = new Option<bool>("--tls") { Description = "Make a CA and certificates in DIR/tls and run the cluster with mutual TLS; prints the br flags to use." };
        var allowedCn = TlsFlags.AllowedCommonNames();
        var command = new Command("playground", "Run a local cluster: pd and N stores as separate processes.") { stores, dir, basePort, restartDead, tlsOption, allowedCn };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.UnmatchedTokens.Count > 0)
            {
                return Usage($"unrecognized argument(s): {string.Join(' ', result.UnmatchedTokens)}");
            }

            var count = 3;
            if (result.GetValue(stores) is { } storesText && (!int.TryParse(storesText, CultureInfo.InvariantCulture, out count) || count is < 1 or > 64))
            {
                return Usage($"--stores takes a number from 1 to 64, got '{storesText}'");
            }

            int? port = null;
            if (result.GetValue(basePort) is { } portText)
            {
                if (!int.TryParse(portText, CultureInfo.InvariantCulture, out var p) || p < 1 || p + 2 + count > 65535)
                {
                    return Usage($"--base-port takes a port with room for {count + 2} ports above it, got '{portText}'");
                }

                port = p;
            }

            var root = Path.GetFullPath(result.GetValue(dir) ?? Path.Combine(Path.GetTempPath(), "cairn-playground-" + Guid.NewGuid().ToString("N")[..8]));
            var tls = PlaygroundTls.Prepare(result, result.GetValue(tlsOption), allowedCn, root);
            return await RunAsync(count, root, port, result.GetValue(restartDead), tls, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(int storeCount, string root, int? basePort, bool restartDead, PlaygroundTls? tls, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliFailureException($"cannot create --dir {root}: {e.Message}", e);
        }

        // A playground runs in a terminal: Ctrl-C and SIGTERM stop its children; its own stdin is not a parent pipe.
        using var signals = new ShutdownSignals(cancellationToken, watchParent: false);
        var children = new List<Child>();
        try
        {
            var pdAddr = basePort is { } b ? $"127.0.0.1:{b}" : "127.0.0.1:0";
            var pdHttp = basePort is { } b2 ? $"127.0.0.1:{b2 + 1}" : "127.0.0.1:0";
            var pd = Child.Start("pd", root, ["pd", "--addr", pdAddr, "--http-addr", pdHttp, "--data-dir", Path.Combine(root, "pd"), .. PlaygroundTls.Args(tls?.Pd)]);
            children.Add(pd);
            var pdReady = await pd.WaitForLineAsync(PdReady(), StartTimeout, signals.Token).ConfigureAwait(false);
            var grpc = pdReady.Groups["grpc"].Value;
            var http = pdReady.Groups["http"].Value;
            // A restart reuses the bound addresses, so clients and stores find the new process where the old one was.
            pd.RestartArgs = ["pd", "--addr", HostPort(grpc), "--http-addr", HostPort(http), "--data-dir", Path.Combine(root, "pd"), .. PlaygroundTls.Args(tls?.Pd)];
            await Console.Out.WriteLineAsync($"pd        pid {pd.Pid}  grpc {grpc}  http {http}").ConfigureAwait(false);

            var storeAddresses = new List<string>();
            for (var i = 0; i < storeCount; i++)
            {
                var addr = basePort is { } b3 ? $"127.0.0.1:{b3 + 2 + i}" : "127.0.0.1:0";
                var store = Child.Start($"store{i}", root, ["store", "--addr", addr, "--pd", grpc, "--data-dir", Path.Combine(root, $"store{i}"), .. PlaygroundTls.Args(tls?.Store)]);
                children.Add(store);
                // Stores start one after the other so that the first one bootstraps the cluster.
                var ready = await store.WaitForLineAsync(StoreReady(), StartTimeout, signals.Token).ConfigureAwait(false);
                storeAddresses.Add(ready.Groups["addr"].Value);
                store.RestartArgs = ["store", "--addr", ready.Groups["addr"].Value, "--pd", grpc, "--data-dir", Path.Combine(root, $"store{i}"), .. PlaygroundTls.Args(tls?.Store)];
                await Console.Out.WriteLineAsync($"store {ready.Groups["id"].Value,-3} pid {store.Pid}  {ready.Groups["addr"].Value}").ConfigureAwait(false);
            }

            await WaitForStoresUpAsync(grpc, storeCount, children, tls?.Client, signals.Token).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"playground ready: pd {grpc} (http {http}), {storeCount} stores Up, data and logs in {root}").ConfigureAwait(false);
            if (tls?.Client is { } client)
            {
                await Console.Out.WriteLineAsync($"tls: br flags: --pd {HostPort(grpc)} --ca {client.CaFile} --cert {client.CertFile} --key {client.KeyFile}").ConfigureAwait(false);
            }

            await Console.Out.WriteLineAsync("press Ctrl-C to stop").ConfigureAwait(false);
            await Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);

            await SuperviseAsync(children, root, restartDead, signals.Token).ConfigureAwait(false);

            await Console.Out.WriteLineAsync("stopping").ConfigureAwait(false);
            await StopAllAsync(children).ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (signals.IsStopping)
        {
            await StopAllAsync(children).ConfigureAwait(false);
            return 0;
        }
        catch (ChildFailedException e)
        {
            await Console.Error.WriteLineAsync($"cairn playground: {e.Message}").ConfigureAwait(false);
            await StopAllAsync(children).ConfigureAwait(false);
            return 1;
        }
        finally
        {
            foreach (var child in children)
            {
                child.Dispose();
            }
        }
    }

    /// <summary>
    /// Until cancelled: a child that exits is reported in one line and the others keep running; with
    /// <paramref name="restartDead"/> it is started again on its address and data, unless it died again right after a
    /// restart (then it stays down, so a child that cannot start does not loop).
    /// </summary>
    private static async Task SuperviseAsync(List<Child> children, string root, bool restartDead, CancellationToken cancellationToken)
    {
        var never = Task.Delay(Timeout.Infinite, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            var alive = children.Where(c => !c.Exited.IsCompleted).Select(c => c.Exited).ToList();
            await Task.WhenAny(alive.Count > 0 ? Task.WhenAny(alive) : never, never).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            for (var i = 0; i < children.Count; i++)
            {
                var dead = children[i];
                if (!dead.Exited.IsCompleted || dead.Reported)
                {
                    continue;
                }

                dead.Reported = true;
                var byHand = $"cairn {string.Join(' ', dead.RestartArgs)}";
                var recentlyRestarted = dead.Restarts > 0 && DateTime.UtcNow - dead.StartedAt < RestartGiveUp;
                if (!restartDead || recentlyRestarted)
                {
                    var why = recentlyRestarted ? "it died again right after a restart, so it stays down" : "the rest keep running";
                    await Console.Error.WriteLineAsync($"cairn playground: {dead.Name} (pid {dead.Pid}) exited with {dead.ExitCode}; {why}; log {dead.LogPath}; restart it with: {byHand}").ConfigureAwait(false);
                    continue;
                }

                await Console.Error.WriteLineAsync($"cairn playground: {dead.Name} (pid {dead.Pid}) exited with {dead.ExitCode}; restarting it (log {dead.LogPath})").ConfigureAwait(false);
                var pattern = dead.Name == "pd" ? PdReady() : StoreReady();
                var replacement = Child.Start(dead.Name, root, dead.RestartArgs);
                replacement.RestartArgs = dead.RestartArgs;
                replacement.Restarts = dead.Restarts + 1;
                children[i] = replacement;
                dead.Dispose();
                try
                {
                    await replacement.WaitForLineAsync(pattern, StartTimeout, cancellationToken).ConfigureAwait(false);
                    await Console.Out.WriteLineAsync($"{replacement.Name} restarted: pid {replacement.Pid}").ConfigureAwait(false);
                    await Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (ChildFailedException e)
                {
                    replacement.Reported = true;
                    await Console.Error.WriteLineAsync($"cairn playground: restart failed: {e.Message}; restart it with: {byHand}").ConfigureAwait(false);
                }
            }
        }
    }

    private static string HostPort(string url) => url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/') : url;

    private static async Task WaitForStoresUpAsync(string pdAddress, int count, List<Child> children, Cairn.Rpc.Security.TlsSettings? tls, CancellationToken cancellationToken)
    {
        await using var pd = await PdClient.ConnectAsync([pdAddress], new PdClientOptions { Tls = tls }, cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (children.FirstOrDefault(c => c.Exited.IsCompleted) is { } dead)
            {
                throw new ChildFailedException($"{dead.Name} exited with {dead.ExitCode} during start-up (see {dead.LogPath})");
            }

            var stores = await pd.GetAllStoresAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (stores.Count(s => s.State == StoreState.Up) >= count)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ChildFailedException($"only {stores.Count(s => s.State == StoreState.Up)} of {count} stores are Up in pd after {StartTimeout.TotalSeconds:0} s");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    // Stores first (they heartbeat pd while stopping), pd last; each gets SIGTERM, then is killed after the timeout.
    private static async Task StopAllAsync(List<Child> children)
    {
        var stores = children.Where(c => c.Name != "pd").ToList();
        await Task.WhenAll(stores.Select(c => c.StopAsync(StopTimeout))).ConfigureAwait(false);
        await Task.WhenAll(children.Except(stores).Select(c => c.StopAsync(StopTimeout))).ConfigureAwait(false);
    }

    private static int Usage(string message) => CliRunner.Usage("cairn playground", message);

    [GeneratedRegex(@"^pd ready: grpc (?<grpc>\S+) http (?<http>\S+)")]
    private static partial Regex PdReady();

    [GeneratedRegex(@"^store (?<id>\d+) listening on (?<addr>\S+)")]
    private static partial Regex StoreReady();

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code enabled for this project; kill(2) takes two ints.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
#pragma warning restore SYSLIB1054

    private sealed class ChildFailedException(string message) : Exception(message);

    /// <summary>One child process: the same <c>cairn</c> executable with a subcommand; stdout watched for its ready line, stderr to a log file.</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _process;
        private readonly StreamWriter _log;
        private readonly System.Threading.Channels.Channel<string> _lines = System.Threading.Channels.Channel.CreateUnbounded<string>();
        private readonly Lock _logGate = new();

        private Child(string name, Process process, StreamWriter log, string logPath)
        {
            Name = name;
            _process = process;
            _log = log;
            LogPath = logPath;
            Exited = process.WaitForExitAsync();
        }

        public string Name { get; }

        public string LogPath { get; }

        public int Pid => _process.Id;

        public Task Exited { get; }

        public int ExitCode => _process.HasExited ? _process.ExitCode : -1;

        /// <summary>The command line that starts this child again on the same address and data.</summary>
        public string[] RestartArgs { get; set; } = [];

        public int Restarts { get; set; }

        public DateTime StartedAt { get; } = DateTime.UtcNow;

        /// <summary>Whether its exit was reported already.</summary>
        public bool Reported { get; set; }

        public static Child Start(string name, string root, string[] args)
        {
            var info = SelfStartInfo();
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            // stdin is a pipe this process never writes: the child stops when it ends, i.e. when this process is gone,
            // however it died (SIGKILL included), so no child outlives the playground holding its ports.
            info.RedirectStandardInput = true;
            info.Environment[ParentWatch.Variable] = "1";
            info.UseShellExecute = false;
            var logPath = Path.Combine(root, name + ".log");
            var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            Child? child = null;
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    child?.WriteLog(line);
                    child?._lines.Writer.TryWrite(line);
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    child?.WriteLog(line);
                }
            };
            try
            {
                if (!process.Start())
                {
                    throw new ChildFailedException($"{name} did not start");
                }
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                log.Dispose();
                process.Dispose();
                throw new ChildFailedException($"{name} could not be started: {e.Message}");
            }

            child = new Child(name, process, log, logPath);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return child;
        }

        public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                while (true)
                {
                    var read = _lines.Reader.ReadAsync(limit.Token).AsTask();
                    if (await Task.WhenAny(read, Exited).ConfigureAwait(false) == Exited && !read.IsCompleted)
                    {
                        // Let the last output arrive before giving up on the ready line.
                        await Task.Delay(200, CancellationToken.None).ConfigureAwait(false);
                        if (!_lines.Reader.TryRead(out var lastLine))
                        {
                            throw new ChildFailedException($"{Name} exited with {ExitCode} before it was ready (see {LogPath})");
                        }

                        if (pattern.Match(lastLine) is { Success: true } lastMatch)
                        {
                            return lastMatch;
                        }

                        continue;
                    }

                    if (pattern.Match(await read.ConfigureAwait(false)) is { Success: true } match)
                    {
                        return match;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ChildFailedException($"{Name} was not ready after {timeout.TotalSeconds:0} s (see {LogPath})");
            }
        }

        public async Task StopAsync(TimeSpan timeout)
        {
            if (_process.HasExited)
            {
                return;
            }

            _ = SendSignal(_process.Id, Sigterm);
            if (await Task.WhenAny(Exited, Task.Delay(timeout)).ConfigureAwait(false) != Exited)
            {
                WriteLog($"playground: no exit {timeout.TotalSeconds:0} s after SIGTERM; killing");
                _process.Kill(entireProcessTree: true);
                await Exited.ConfigureAwait(false);
            }
        }

        private void WriteLog(string line)
        {
            lock (_logGate)
            {
                _log.WriteLine(line);
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }

            _process.Dispose();
            lock (_logGate)
            {
                _log.Dispose();
            }
        }

        // The running executable: an apphost (cairn) runs directly, a framework-dependent dll through dotnet.
        private static ProcessStartInfo SelfStartInfo()
        {
            var processPath = Environment.ProcessPath ?? throw new ChildFailedException("the path of this executable is unknown");
            if (string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.OrdinalIgnoreCase))
            {
                var entry = Assembly.GetEntryAssembly()?.Location;
                if (string.IsNullOrEmpty(entry))
                {
                    throw new ChildFailedException("the entry assembly's path is unknown");
                }

                var info = new ProcessStartInfo(processPath);
                info.ArgumentList.Add(entry);
                return info;
            }

            return new ProcessStartInfo(processPath);
        }
    }
}
