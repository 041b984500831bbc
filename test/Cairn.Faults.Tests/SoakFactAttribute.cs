namespace Cairn.Faults.Tests;

/// <summary>The soak (bench/soak/run.sh): runs only when CAIRN_SOAK_CYCLES is set, since its cycles take many minutes.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SoakFactAttribute : FactAttribute
{
    public SoakFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CAIRN_SOAK_CYCLES")))
        {
            Skip = "the soak runs from bench/soak/run.sh (CAIRN_SOAK_CYCLES unset)";
        }
    }
}
