namespace Cairn.Br;

/// <summary>One progress report of a running job: <paramref name="Done"/> of <paramref name="Total"/> in one phase.</summary>
/// <param name="Phase">The phase (for example <c>Backup</c>, <c>Checksum</c>).</param>
/// <param name="Done">Units finished so far in this phase.</param>
/// <param name="Total">Units in this phase, known when the phase starts.</param>
/// <param name="Unit">What is counted (<c>region</c>, <c>range</c>, <c>table</c>).</param>
public sealed record BackupProgress(string Phase, long Done, long Total, string Unit);
