using System.Globalization;
using System.Text;
using Cairn.Br;

namespace Cairn.Cli.Output;

/// <summary>
/// Shows the job's progress on standard error, one bar per phase: on a terminal the bar is redrawn in place (at most
/// ten times a second) and a phase's bar stays on its own line when the next phase starts; when standard error is not
/// a terminal, plain lines are printed when a phase starts, every few seconds while it moves, and when it ends. The
/// percentage is rounded down and never reads 100 while work is left.
/// </summary>
internal sealed class ProgressPrinter : IProgress<BackupProgress>, IDisposable
{
    /// <summary>Every progress line starts with this, so a reader (or a test) can tell them from messages.</summary>
    public const string LinePrefix = "[progress] ";

    private const int BarWidth = 30;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    private readonly TextWriter _output;
    private readonly bool _terminal;
    private readonly JobStatus _status;
    private readonly Lock _gate = new();
    private readonly Timer? _timer;
    private BackupProgress? _current;
    private BackupProgress? _shown;
    private DateTime _lastDraw;
    private bool _lineOpen;

    public ProgressPrinter(TextWriter output, bool terminal, JobStatus status)
    {
        _output = output;
        _terminal = terminal;
        _status = status;
        if (!terminal)
        {
            _timer = new Timer(_ => Tick(), null, PlainInterval, PlainInterval);
        }
    }

    /// <summary>Floor of done/total in percent; 99 at most while done &lt; total, 100 for an empty phase.</summary>
    public static int Percent(long done, long total)
    {
        if (total <= 0)
        {
            return 100;
        }

        if (done >= total)
        {
            return 100;
        }

        return (int)Math.Min(99, Math.Max(0, done) * 100 / total);
    }

    public void Report(BackupProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _status.Report(value);
        lock (_gate)
        {
            var previous = _current;
            _current = value;
            var newPhase = previous is null || previous.Phase != value.Phase;
            if (newPhase && previous is not null && previous != _shown)
            {
                // The last state of the phase that ended, so its bar never stays short of where it got to.
                Draw(previous);
            }

            if (newPhase && _lineOpen)
            {
                _output.WriteLine();
                _lineOpen = false;
            }

            var finished = value.Done >= value.Total;
            if (_terminal)
            {
                if (newPhase || finished || DateTime.UtcNow - _lastDraw >= RedrawInterval)
                {
                    Draw(value);
                }
            }
            else if ((newPhase || finished) && value != _shown)
            {
                Draw(value);
            }
        }
    }

    /// <summary>Ends the open bar's line, so what follows starts on a line of its own.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_current is { } last && last != _shown)
            {
                Draw(last);
            }

            if (_lineOpen)
            {
                _output.WriteLine();
                _lineOpen = false;
            }

            _output.Flush();
        }
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>The text of one progress line.</summary>
    public static string Format(BackupProgress p)
    {
        var percent = Percent(p.Done, p.Total);
        var filled = p.Total <= 0 ? BarWidth : (int)(Math.Min(p.Done, p.Total) * BarWidth / p.Total);
        if (filled == BarWidth && percent < 100)
        {
            filled = BarWidth - 1;
        }

        var bar = new StringBuilder(BarWidth + 2).Append('[').Append('=', filled).Append(' ', BarWidth - filled).Append(']');
        var unit = p.Total == 1 ? p.Unit : p.Unit + "s";
        return string.Create(CultureInfo.InvariantCulture, $"{LinePrefix}{p.Phase} {bar} {p.Done}/{p.Total} {unit} {percent}%");
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_current is { } current && current != _shown)
            {
                Draw(current);
            }
        }
    }

    private void Draw(BackupProgress p)
    {
        _shown = p;
        _lastDraw = DateTime.UtcNow;
        if (_terminal)
        {
            // \r and clear-to-end: the bar is redrawn in place.
            _output.Write("\r" + Format(p) + "\u001b[K");
            _lineOpen = true;
        }
        else
        {
            _output.WriteLine(Format(p));
        }

        _output.Flush();
    }
}
