namespace Cairn.Faults.Tests;

/// <summary>A fact that needs a tmpfs mounted by the test (a disk that fills); skipped, with the refusal, where mount is not allowed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.Refusal is { } refusal)
        {
            Skip = "a disk that fills needs a tmpfs: " + refusal;
        }
    }
}
