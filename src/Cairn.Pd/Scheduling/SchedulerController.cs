namespace Cairn.Pd.Scheduling;

/// <summary>
/// The schedulers pd runs (only <c>balance-region-scheduler</c> for now): whether each is added, persisted, and
/// whether it is paused until some time (br pauses schedulers during a restore).
/// </summary>
internal sealed class SchedulerController
{
    public const string BalanceRegion = "balance-region-scheduler";

    private readonly PdStorage _storage;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private bool _balanceEnabled;
    private DateTimeOffset _balancePausedUntil = DateTimeOffset.MinValue;

    public SchedulerController(PdStorage storage, TimeProvider time, bool enableByDefault)
    {
        _storage = storage;
        _time = time;
        _balanceEnabled = storage.LoadSchedulerEnabled(BalanceRegion) ?? enableByDefault;
    }

    public static bool IsKnown(string name) => name == BalanceRegion;

    /// <summary>Whether the balance-region scheduler should run now.</summary>
    public bool BalanceActive
    {
        get
        {
            lock (_lock)
            {
                return _balanceEnabled && _time.GetUtcNow() >= _balancePausedUntil;
            }
        }
    }

    public List<string> Enabled()
    {
        lock (_lock)
        {
            return _balanceEnabled ? [BalanceRegion] : [];
        }
    }

    public List<string> Paused()
    {
        lock (_lock)
        {
            return _balanceEnabled && _time.GetUtcNow() < _balancePausedUntil ? [BalanceRegion] : [];
        }
    }

    /// <summary>Adds or removes a scheduler; false when it was already in that state.</summary>
    public bool SetEnabled(string name, bool enabled)
    {
        lock (_lock)
        {
            if (_balanceEnabled == enabled)
            {
                return false;
            }

            _balanceEnabled = enabled;
            _balancePausedUntil = DateTimeOffset.MinValue;
            _storage.SaveSchedulerEnabled(name, enabled);
            return true;
        }
    }

    /// <summary>Pauses a scheduler for <paramref name="delaySeconds"/> (0 resumes it).</summary>
    public void Pause(long delaySeconds)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            _balancePausedUntil = delaySeconds <= 0 ? DateTimeOffset.MinValue
                : delaySeconds >= (DateTimeOffset.MaxValue - now).TotalSeconds ? DateTimeOffset.MaxValue
                : now.AddSeconds(delaySeconds);
        }
    }
}
