using System.Diagnostics;
using System.Text;

namespace Cairn.Rpc.Tests.Interop;

/// <summary>
/// Generates Python modules from our own proto/ files with Debian's grpc_tools (protoc 3.5.1) into a temp folder,
/// once per test class, and runs the interop scripts with /usr/bin/python3 (the only interpreter with grpcio).
/// </summary>
public sealed class PythonInterop : IDisposable
{
    public const string Python = "/usr/bin/python3";

    public PythonInterop()
    {
        Root = Path.Combine(Path.GetTempPath(), "cairn-rpc-interop-" + Guid.NewGuid().ToString("N"));
        GeneratedDir = Path.Combine(Root, "gen");
        var protoDir = Path.Combine(Root, "proto");
        Directory.CreateDirectory(GeneratedDir);
        var source = Path.Combine(AppContext.BaseDirectory, "proto");
        var files = Directory.GetFiles(source, "*.proto", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(source, f))
            .ToList();
        foreach (var relative in files)
        {
            var target = Path.Combine(protoDir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var text = File.ReadAllText(Path.Combine(source, relative));
            // protoc 3.5.1's Python generator emits every top-level enum value as a module constant, and
            // kvrpcpb.Assertion has a value named None, which is not a valid Python name. Renaming the value keeps
            // its number, so the wire format is unchanged.
            if (relative == "kvrpcpb.proto")
            {
                text = text.Replace("    None = 0;", "    Assertion_None = 0;", StringComparison.Ordinal);
            }

            File.WriteAllText(target, text);
        }

        var args = new List<string> { "-m", "grpc_tools.protoc", "-I" + protoDir, "--python_out=" + GeneratedDir, "--grpc_python_out=" + GeneratedDir };
        args.AddRange(files);
        var (exit, stdout, stderr) = RunAsync(args, Root, TimeSpan.FromMinutes(2)).GetAwaiter().GetResult();
        if (exit != 0)
        {
            throw new InvalidOperationException($"grpc_tools.protoc failed with exit code {exit}:\n{stdout}\n{stderr}");
        }
    }

    public string Root { get; }

    public string GeneratedDir { get; }

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", name);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        using var process = Start(arguments, workingDirectory, redirectStdin: false);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, await stdout, $"timed out after {timeout}\n" + await stderr);
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public static Process Start(IEnumerable<string> arguments, string workingDirectory, bool redirectStdin)
    {
        var info = new ProcessStartInfo(Python)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        // Keep proxies and a foreign PYTHONPATH from changing what the interpreter loads or where grpc connects.
        info.Environment.Remove("PYTHONPATH");
        info.Environment.Remove("http_proxy");
        info.Environment.Remove("https_proxy");
        info.Environment.Remove("HTTP_PROXY");
        info.Environment.Remove("HTTPS_PROXY");
        info.Environment.Remove("grpc_proxy");
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start " + Python);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
