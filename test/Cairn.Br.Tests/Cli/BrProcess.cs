namespace Cairn.Br.Tests.Cli;

/// <summary>
/// Runs the built <c>br</c> executable (br.dll is in the test output because this project references Cairn.Cli) with
/// its temp folder pointed at <paramref name="tempDir"/>, so default log files land where the test can see them.
/// </summary>
internal static class BrProcess
{
    public static string BrDll => Path.Combine(AppContext.BaseDirectory, "br.dll");

    public static Task<ProcessResult> RunAsync(string tempDir, TimeSpan timeout, params string[] args) =>
        ProcessRunner.RunAsync(ProcessRunner.DotnetHost, [BrDll, .. args], timeout, environment: Environment(tempDir));

    /// <summary>As <see cref="RunAsync"/>, with <c>BR_LOG_TO_TERM</c> set: br logs to standard error.</summary>
    public static Task<ProcessResult> RunLoggingToTerminalAsync(string tempDir, TimeSpan timeout, params string[] args)
    {
        var environment = Environment(tempDir);
        environment["BR_LOG_TO_TERM"] = "1";
        return ProcessRunner.RunAsync(ProcessRunner.DotnetHost, [BrDll, .. args], timeout, environment: environment);
    }

    public static ProcessRunner Start(string tempDir, params string[] args) =>
        ProcessRunner.Start(ProcessRunner.DotnetHost, [BrDll, .. args], Environment(tempDir));

    /// <summary>The lines of standard error that are not progress lines.</summary>
    public static string[] Messages(string stderr) =>
        [.. stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith("[progress]", StringComparison.Ordinal))];

    private static Dictionary<string, string?> Environment(string tempDir) => new()
    {
        ["TMPDIR"] = tempDir,
        ["BR_LOG_TO_TERM"] = null,
    };
}
