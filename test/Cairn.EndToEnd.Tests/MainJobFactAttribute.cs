namespace Cairn.EndToEnd.Tests;

/// <summary>
/// A test of the whole main job (<c>scripts/run.sh</c>): two clusters, loads, a backup and a restore take a few minutes
/// on a 2-core machine. It runs by default (CI included); <c>CAIRN_TEST_RUN_SH=0</c> skips it, saying so.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MainJobFactAttribute : FactAttribute
{
    public MainJobFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CAIRN_TEST_RUN_SH") == "0")
        {
            Skip = "CAIRN_TEST_RUN_SH=0: the test of the whole main job is skipped";
        }
    }
}
