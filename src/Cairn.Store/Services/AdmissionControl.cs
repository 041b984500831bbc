namespace Cairn.Store.Services;

/// <summary>
/// Caps the requests a store works on at once; past the cap, requests are answered <c>ServerIsBusy</c> at once
/// instead of queueing, so clients back off rather than pile up.
/// </summary>
internal sealed class AdmissionControl
{
    private readonly int _limit;
    private int _inFlight;

    /// <summary>Creates the control; null means unlimited, 0 rejects every request.</summary>
    public AdmissionControl(int? limit)
    {
        if (limit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The in-flight limit cannot be negative.");
        }

        _limit = limit ?? int.MaxValue;
    }

    /// <summary>The limit (int.MaxValue when unlimited).</summary>
    public int Limit => _limit;

    /// <summary>Requests being served now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Takes a slot; false when the store is at its limit. Every true must be matched by <see cref="Exit"/>.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _inFlight) <= _limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    /// <summary>Releases a slot.</summary>
    public void Exit() => Interlocked.Decrement(ref _inFlight);
}
