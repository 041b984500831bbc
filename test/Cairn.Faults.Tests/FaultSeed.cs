using System.Globalization;
using Xunit.Abstractions;

namespace Cairn.Faults.Tests;

/// <summary>The seed of one fault case: CAIRN_FAULT_SEED when set (to replay a case), else a random one; printed to the test's output.</summary>
internal static class FaultSeed
{
    public static int For(ITestOutputHelper output)
    {
        var seed = Environment.GetEnvironmentVariable("CAIRN_FAULT_SEED") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        return seed;
    }
}
