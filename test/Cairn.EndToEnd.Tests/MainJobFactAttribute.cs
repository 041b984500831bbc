namespace Cairn.EndToEnd.Tests;

/// <summary>
/// A test of the whole main job (<c>scripts/run.sh</c>): two clusters, loads, a backup and a restore take minutes on a
/// shared 2-core machine, so it runs only when <c>CAIRN_TEST_RUN_SH=1</c> is set and is skipped (saying so) otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MainJobFactAttribute : FactAttribute
{
    public MainJobFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CAIRN_TEST_RUN_SH") != "1")
        {
            Skip = "the main job takes minutes on a shared 2-core machine: set CAIRN_TEST_RUN_SH=1 to run it";
        }
    }
}
