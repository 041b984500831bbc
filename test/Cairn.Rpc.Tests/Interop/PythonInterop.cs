
namespace Cairn.Rpc.Tests.Interop;

/// <summary>
/// Generates Python modules from our own proto/ files with Debian's grpc_tools (protoc 3.5.1) into a temp folder,
/// once per test class, and runs the interop scripts with /usr/bin/python3 (the only interpreter with grpcio).
/// </summary>
public sealed class PythonInterop : IDisposable
{
    public const string Python = "/usr/bin/python3";

    // Keep proxies and a foreign PYTHONPATH from changing what the interpreter loads or where grpc connects.
    private static readonly Dictionary<string, string?> PythonEnvironment = new()
    {
        ["PYTHONPATH"] = null,
        ["http_proxy"] = null,
        ["https_proxy"] = null,
        ["HTTP_PROXY"] = null,
        ["HTTPS_PROXY"] = null,
        ["grpc_proxy"] = null,
        ["PYTHONIOENCODING"] = "utf-8",
    };

    private readonly TempDirectory _root;

    public PythonInterop()
    {
        _root = new TempDirectory("rpc-interop");
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

    public string Root => _root.Path;

    public string GeneratedDir { get; }

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", name);

    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout) =>
        ProcessRunner.RunAsync(Python, arguments, timeout, environment: PythonEnvironment, workingDirectory: workingDirectory);

    /// <summary>Starts the interpreter with a stdin pipe: the interop server exits when it closes.</summary>
    public static ProcessRunner Start(IEnumerable<string> arguments, string workingDirectory) =>
        ProcessRunner.Start(Python, arguments, PythonEnvironment, workingDirectory, redirectStdin: true);

    public void Dispose() => _root.Dispose();
}
