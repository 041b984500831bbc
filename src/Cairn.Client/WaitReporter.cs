namespace Cairn.Client;

/// <summary>
/// Tells a person what a client is waiting for (a timestamp from pd, a region, a store), at most one line per
/// <see cref="Interval"/> however many operations wait at once, so a stalled command is neither silent nor noisy.
/// </summary>
public sealed class WaitReporter
{
    private readonly Action<string>? _sink;
    private long _nextTicks;

    /// <summary>Reports to <paramref name="sink"/>; a null sink drops every report.</summary>
    public WaitReporter(Action<string>? sink, TimeSpan? interval = null)
    {
        _sink = sink;
        Interval = interval ?? TimeSpan.FromSeconds(5);
    }

    /// <summary>The least time between two reports.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Reports <paramref name="what"/> unless another report went out less than <see cref="Interval"/> ago.</summary>
    public void Report(string what)
    {
        if (_sink is null)
        {
            return;
        }

        var now = Environment.TickCount64;
        var next = Interlocked.Read(ref _nextTicks);
        if (now < next || Interlocked.CompareExchange(ref _nextTicks, now + (long)Interval.TotalMilliseconds, next) != next)
        {
            return;
        }

        _sink(what);
    }
}
