using System.Diagnostics;
using System.Text.Json;
using Cairn.Br;

namespace Cairn.Cli.Output;

/// <summary>
/// What a running job has reported so far, per phase, and how it ended: the progress printer writes it, the status
/// listener (<c>--status-addr</c>) reads it. Thread-safe.
/// </summary>
internal sealed class JobStatus(string command)
{
    private readonly Lock _gate = new();
    private readonly List<BackupProgress> _phases = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string _state = "running";
    private string? _error;

    public string Command { get; } = command;

    public void Report(BackupProgress progress)
    {
        lock (_gate)
        {
            var i = _phases.FindIndex(p => p.Phase == progress.Phase);
            if (i < 0)
            {
                _phases.Add(progress);
            }
            else
            {
                _phases[i] = progress;
            }
        }
    }

    public void Finish(string state, string? error = null)
    {
        lock (_gate)
        {
            _state = state;
            _error = error;
        }
    }

    /// <summary>The JSON document <c>/status</c> serves.</summary>
    public byte[] ToJson()
    {
        lock (_gate)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("command", Command);
                json.WriteString("state", _state);
                if (_error is not null)
                {
                    json.WriteString("error", _error);
                }

                json.WriteNumber("elapsed_seconds", Math.Round(_clock.Elapsed.TotalSeconds, 3));
                json.WriteStartArray("phases");
                foreach (var p in _phases)
                {
                    json.WriteStartObject();
                    json.WriteString("phase", p.Phase);
                    json.WriteNumber("done", p.Done);
                    json.WriteNumber("total", p.Total);
                    json.WriteString("unit", p.Unit);
                    json.WriteNumber("percent", ProgressPrinter.Percent(p.Done, p.Total));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            return buffer.ToArray();
        }
    }
}
