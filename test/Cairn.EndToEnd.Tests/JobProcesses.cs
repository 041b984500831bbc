using System.Globalization;
using System.Text;

namespace Cairn.EndToEnd.Tests;

/// <summary>
/// The live processes whose command line names a folder: every process a job starts has its unique folder on its
/// command line (<c>--dir</c>, <c>--data-dir</c>), so this finds exactly the processes that job left. A zombie
/// (exited, not yet reaped) does not count.
/// </summary>
internal static class JobProcesses
{
    public static IReadOnlyList<string> Matching(string folder)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmdline = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, "cmdline"))).Replace('\0', ' ').Trim();
                if (!cmdline.Contains(folder, StringComparison.Ordinal) || IsZombie(dir))
                {
                    continue;
                }

                found.Add($"{pid} {cmdline}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while it was being read.
            }
        }

        return found;
    }

    private static bool IsZombie(string dir) =>
        File.ReadLines(Path.Combine(dir, "status")).Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal));
}
