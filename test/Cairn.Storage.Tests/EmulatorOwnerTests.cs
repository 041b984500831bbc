using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Cairn.Storage.Tests;

/// <summary>
/// The storage emulators die with the process that started them, even when it is killed (as vstest kills a test host)
/// and has no chance to stop them: azurite and the GCS emulator through the preloaded owner watch, radosgw through
/// rgw-start.sh's <c>RGW_OWNER_PID</c> watchdog. Each test starts its emulator under a throw-away owner process,
/// SIGKILLs the owner and waits, with a bound, until the emulator's processes and folder are gone.
/// </summary>
public sealed partial class EmulatorOwnerTests
{
    private static readonly TimeSpan GoneWithin = TimeSpan.FromSeconds(30);

    public static TheoryData<string> NodeEmulators => ["azurite", "gcs-emulator"];

    [Theory]
    [MemberData(nameof(NodeEmulators))]
    public async Task A_node_emulator_exits_and_removes_its_folder_when_its_owner_is_killed(string name)
    {
        var (script, arguments, extra) = name == "azurite"
            ? (AzuriteFixture.MainScript(), (Func<int, IEnumerable<string>>)AzuriteFixture.Arguments, new Dictionary<string, string>())
            : (Path.Combine(RepoPaths.Root, "scripts", "emulators", "gcs-emulator.js"), _ => [], new Dictionary<string, string> { ["PROJECT"] = "demo-cairn", ["GCS_CHUNKED_UPLOADS"] = "0" });
        using var logs = new TempDirectory("emulator-owner");
        var folder = Directory.CreateTempSubdirectory($"cairn-{name}-").FullName;
        var port = FreePorts.One();
        var node = AzureGcsEmulatorProcess.RequireNode(name);
        var environment = AzureGcsEmulatorProcess.EmulatorEnvironment(port, folder, extra).ToDictionary(e => e.Key, e => (string?)e.Value);
        environment["EMULATOR_LOG"] = logs.Sub("emulator.log");
        // The owner: a shell that starts the emulator exactly as the fixtures do (same node arguments and environment),
        // prints its pid and waits.
        await using var owner = ProcessRunner.Start("bash", ["-c", "\"$@\" >\"$EMULATOR_LOG\" 2>&1 & echo \"emulator $!\"; wait", "owner", node, .. AzureGcsEmulatorProcess.NodeArguments(script, arguments(port))],
            environment, workingDirectory: folder);
        var pid = int.Parse((await owner.WaitForLineAsync(EmulatorPid(), TimeSpan.FromSeconds(30))).Groups["pid"].Value, CultureInfo.InvariantCulture);
        try
        {
            await Eventually.UntilAsync(() => ListensAsync(port), TimeSpan.FromSeconds(60), () => $"{name} did not listen on {port}: {Log(environment)}");

            owner.Signal("KILL");

            await Eventually.UntilAsync(() => Gone(pid), GoneWithin, $"{name} (pid {pid}) still runs {GoneWithin.TotalSeconds} s after its owner was killed");
            await Eventually.UntilAsync(() => !Directory.Exists(folder), GoneWithin, $"{name}'s folder {folder} is still there");
            // The thread group leader turns zombie before the last of node's threads has closed the shared sockets.
            await Eventually.UntilAsync(async () => !await ListensAsync(port), GoneWithin, $"port {port} still answers");
        }
        finally
        {
            Kill(pid);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Radosgw_stops_and_its_folder_is_removed_when_its_owner_is_killed()
    {
        using var dir = new TempDirectory("rgw-owner");
        var cluster = Path.Combine(dir.Path, "cluster");
        await using var owner = ProcessRunner.Start("sleep", ["600"]);
        var s3Port = FreePorts.One();
        var (exit, stdout, stderr) = await ProcessRunner.RunAsync("bash",
            [RepoPaths.Script("rgw-start.sh"), cluster, s3Port.ToString(CultureInfo.InvariantCulture), FreePorts.One().ToString(CultureInfo.InvariantCulture), FreePorts.Block(16).ToString(CultureInfo.InvariantCulture)],
            TimeSpan.FromMinutes(3), environment: new Dictionary<string, string?>
            {
                ["RGW_OWNER_PID"] = owner.Pid.ToString(CultureInfo.InvariantCulture),
                ["RGW_MEMSTORE_BYTES"] = (256L << 20).ToString(CultureInfo.InvariantCulture),
            });
        int[] pids = [];
        try
        {
            Assert.True(exit == 0, $"rgw-start.sh exited with {exit}:\n{stdout}\n{stderr}");
            pids = [.. Directory.GetFiles(Path.Combine(cluster, "run"), "*.pid").Select(f => int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture))];
            Assert.Equal(3, pids.Length);
            Assert.True(await ListensAsync(s3Port));

            owner.Signal("KILL");

            await Eventually.UntilAsync(() => pids.All(Gone), TimeSpan.FromSeconds(60), () => $"ceph daemons still running after their owner was killed: {string.Join(' ', pids.Where(p => !Gone(p)))}");
            await Eventually.UntilAsync(() => !Directory.Exists(cluster), TimeSpan.FromSeconds(30), $"{cluster} is still there");
        }
        finally
        {
            if (Directory.Exists(cluster))
            {
                await ProcessRunner.RunAsync("bash", [RepoPaths.Script("rgw-stop.sh"), cluster], TimeSpan.FromMinutes(1));
            }

            foreach (var pid in pids)
            {
                Kill(pid);
            }
        }
    }

    private static async Task<bool> ListensAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>No such process, or only a zombie waiting for its (new) parent to reap it.</summary>
    private static bool Gone(int pid)
    {
        try
        {
            var status = File.ReadAllText($"/proc/{pid}/status");
            return status.Contains("State:\tZ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static void Kill(int pid)
    {
        if (Gone(pid))
        {
            return;
        }

        using var kill = Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static string Log(Dictionary<string, string?> environment) =>
        File.Exists(environment["EMULATOR_LOG"]) ? File.ReadAllText(environment["EMULATOR_LOG"]!) : "(no output)";

    [GeneratedRegex(@"^emulator (?<pid>\d+)$")]
    private static partial Regex EmulatorPid();
}
