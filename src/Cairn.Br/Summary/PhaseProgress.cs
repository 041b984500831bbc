namespace Cairn.Br.Summary;

/// <summary>
/// Progress of one phase with its total known when it starts. Until <see cref="Complete"/> the reported count stays
/// below the total, even when more units finish than were planned (a region split while it was backed up), so a
/// bar never shows 100% with work left. Safe for concurrent use.
/// </summary>
internal sealed class PhaseProgress
{
    private readonly IProgress<BackupProgress>? _sink;
    private readonly string _phase;
    private readonly string _unit;
    private readonly long _total;
    private long _done;

    /// <summary>Starts the phase and reports 0 of <paramref name="total"/>.</summary>
    public PhaseProgress(IProgress<BackupProgress>? sink, string phase, long total, string unit)
    {
        _sink = sink;
        _phase = phase;
        _unit = unit;
        _total = Math.Max(total, 0);
        _sink?.Report(new BackupProgress(_phase, 0, _total, _unit));
    }

    /// <summary>Units finished so far (may exceed the plan).</summary>
    public long Done => Interlocked.Read(ref _done);

    /// <summary>One more unit finished.</summary>
    public void Increment()
    {
        var done = Interlocked.Increment(ref _done);
        _sink?.Report(new BackupProgress(_phase, Math.Min(done, Math.Max(_total - 1, 0)), _total, _unit));
    }

    /// <summary>The phase is over: reports the total as done.</summary>
    public void Complete() => _sink?.Report(new BackupProgress(_phase, _total, _total, _unit));
}
