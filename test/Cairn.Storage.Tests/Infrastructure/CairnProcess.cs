using System.Diagnostics;

namespace Cairn.Storage.Tests.Infrastructure;

/// <summary>Runs the built <c>cairn</c> executable (copied next to the tests) and captures what it prints.</summary>
public static class CairnProcess
{
    /// <summary>The outcome of one run.</summary>
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError, byte[] StandardOutputBytes);

    /// <summary>Runs <c>dotnet cairn.dll ARGS</c>, feeding <paramref name="stdin"/> when given.</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> args, byte[]? stdin = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cairn.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        // The storage commands read credentials from the environment too; keep the test's own out of it.
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AZURE_STORAGE_KEY", "AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_SAS_TOKEN" })
            start.Environment.Remove(name);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
                start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start dotnet");
        var stdout = new MemoryStream();
        var readOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var readErr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        await readOut;
        var bytes = stdout.ToArray();
        return new Result(process.ExitCode, System.Text.Encoding.UTF8.GetString(bytes), await readErr, bytes);
    }
}
