namespace Cairn.Workloads;

/// <summary>
/// What a timed bank run did: transfers committed, conflicts (transaction attempts retried after a write conflict or
/// lock), transfers given up after the last retry (they did not happen), and the wall time.
/// </summary>
public sealed record BankRunResult(long Committed, long Conflicts, long GivenUp, TimeSpan Elapsed)
{
    /// <summary>Committed transfers per second of wall time.</summary>
    public double Rate => Elapsed > TimeSpan.Zero ? Committed / Elapsed.TotalSeconds : 0;
}
