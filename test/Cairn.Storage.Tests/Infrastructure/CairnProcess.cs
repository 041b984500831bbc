namespace Cairn.Storage.Tests.Infrastructure;

/// <summary>Runs the built <c>cairn</c> executable for the storage commands, without the test's own cloud credentials.</summary>
public static class CairnProcess
{
    // The storage commands read credentials from the environment too; a developer's own must not leak into a test.
    private static readonly Dictionary<string, string?> NoCredentials = new[]
    {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AZURE_STORAGE_KEY", "AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_SAS_TOKEN",
    }.ToDictionary(name => name, _ => (string?)null);

    /// <summary>Runs <c>dotnet cairn.dll ARGS</c>, feeding <paramref name="stdin"/> when given.</summary>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> args, byte[]? stdin = null) =>
        ProcessRunner.RunAsync(ProcessRunner.DotnetHost, [ProcessRunner.CairnDll, .. args], TimeSpan.FromMinutes(3), stdin, NoCredentials);
}
