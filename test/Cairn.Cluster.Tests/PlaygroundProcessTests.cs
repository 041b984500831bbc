using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cairn.Cluster.Tests;

/// <summary><c>cairn playground</c> as a process: pd and three store processes come up, and SIGTERM stops them all.</summary>
public sealed partial class PlaygroundProcessTests
{
    private static string CairnDll => Path.Combine(AppContext.BaseDirectory, "cairn.dll");

    [Fact]
    public async Task Playground_starts_three_stores_that_pd_lists_as_up_and_sigterm_stops_every_child()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cairn-playground-test-" + Guid.NewGuid().ToString("N")[..8]);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CairnDll, "playground", "--stores", "3", "--dir", dir })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var childPids = new List<int>();
        try
        {
            string? http = null;
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (await process.StandardOutput.ReadLineAsync(guard.Token) is { } line)
            {
                if (PidLine().Match(line) is { Success: true } pid)
                {
                    childPids.Add(int.Parse(pid.Groups["pid"].Value, CultureInfo.InvariantCulture));
                }

                if (ReadyLine().Match(line) is { Success: true } ready)
                {
                    http = ready.Groups["http"].Value;
                    break;
                }
            }

            if (http is null)
            {
                Assert.Fail("playground never became ready: " + await process.StandardError.ReadToEndAsync(guard.Token));
            }

            Assert.Equal(4, childPids.Count);
            Assert.All(childPids, pid => Assert.False(Process.GetProcessById(pid).HasExited));

            using var client = new HttpClient { BaseAddress = new Uri(http!) };
            using var stores = JsonDocument.Parse(await client.GetStringAsync("/pd/api/v1/stores", guard.Token));
            var list = stores.RootElement.GetProperty("stores").EnumerateArray().ToList();
            Assert.Equal(3, list.Count);
            Assert.All(list, s => Assert.Equal("Up", s.GetProperty("store").GetProperty("state_name").GetString()));

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(guard.Token);
            }

            await process.WaitForExitAsync(guard.Token);
            Assert.Equal(0, process.ExitCode);
            foreach (var pid in childPids)
            {
                Assert.False(IsRunning(pid), $"child {pid} outlived the playground");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            foreach (var pid in childPids.Where(IsRunning))
            {
                Process.GetProcessById(pid).Kill();
            }

            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    [Fact]
    public async Task Playground_exits_non_zero_when_a_child_cannot_start()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cairn-playground-test-" + Guid.NewGuid().ToString("N")[..8]);
        // pd's data folder is a file: pd cannot start.
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "pd"), "not a folder");
        try
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { CairnDll, "playground", "--stores", "1", "--dir", dir })
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info)!;
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var stderr = process.StandardError.ReadToEndAsync(guard.Token);
            _ = process.StandardOutput.ReadToEndAsync(guard.Token);
            await process.WaitForExitAsync(guard.Token);
            Assert.Equal(1, process.ExitCode);
            Assert.Contains("pd exited", await stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // A pid can be reused, but not within the few milliseconds of this check; a zombie is not running either.
    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            if (p.HasExited)
            {
                return false;
            }

            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"\bpid (?<pid>\d+)\b")]
    private static partial Regex PidLine();

    [GeneratedRegex(@"^playground ready: pd \S+ \(http (?<http>\S+)\)")]
    private static partial Regex ReadyLine();
}
