namespace Cairn.Hosting;

/// <summary>
/// Lets a child server die with the process that started it, even when that process is killed with SIGKILL and
/// cannot pass on a signal: the parent gives the child a pipe as standard input and never writes to it; when the
/// parent is gone the kernel closes the pipe's other end, the child reads end-of-file, and stops as on SIGTERM.
/// Only on when <see cref="Variable"/> is <c>1</c>, so a server started from a terminal ignores its stdin.
/// </summary>
public static class ParentWatch
{
    /// <summary>The environment variable a parent sets to turn the watch on.</summary>
    public const string Variable = "CAIRN_STOP_ON_STDIN_EOF";

    /// <summary>Calls <paramref name="onParentGone"/> once standard input ends, when the watch is on.</summary>
    public static void Start(Action onParentGone)
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            return;
        }

        // A thread of its own: the read blocks for the whole life of the process.
        var thread = new Thread(() =>
        {
            try
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (stdin.Read(buffer) > 0)
                {
                }
            }
            catch (IOException)
            {
            }

            onParentGone();
        })
        {
            IsBackground = true,
            Name = "parent-watch",
        };
        thread.Start();
    }
}
