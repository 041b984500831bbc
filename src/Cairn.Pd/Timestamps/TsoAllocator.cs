using Cairn.Common;

namespace Cairn.Pd.Timestamps;

/// <summary>
/// Hands out strictly increasing timestamps, also across restarts and crashes: before serving a physical time it
/// persists a high-water mark a window ahead, and a new process starts above the saved mark (the scheme PD uses).
/// </summary>
internal sealed class TsoAllocator
{
    private readonly PdStorage _storage;
    private readonly TimeProvider _time;
    private readonly long _windowMs;
    private readonly Lock _lock = new();
    private long _physical;
    private long _logical;
    private long _highWater;

    public TsoAllocator(PdStorage storage, TimeProvider time, TimeSpan window)
    {
        _storage = storage;
        _time = time;
        _windowMs = Math.Max(1, (long)window.TotalMilliseconds);
        var saved = (long)storage.LoadTsoHighWater();
        // Everything served before had a physical part below the saved mark, so starting at it is already above them.
        _physical = Math.Max(NowMs(), saved + 1);
        _logical = 0;
        Extend(_physical);
    }

    /// <summary>The high-water mark persisted so far (Unix ms).</summary>
    public long HighWaterMs
    {
        get
        {
            lock (_lock)
            {
                return _highWater;
            }
        }
    }

    /// <summary>
    /// Reserves <paramref name="count"/> consecutive timestamps and returns the largest; the batch is
    /// <c>largest - count + 1 .. largest</c>, all with the same physical part.
    /// </summary>
    public async ValueTask<(long Physical, long Logical)> AllocateAsync(uint count, CancellationToken cancellationToken)
    {
        if (count == 0 || count > Tso.MaxLogical)
        {
            throw new PdErrorException(Rpc.Pdpb.ErrorType.InvalidValue, $"tso count must be 1..{Tso.MaxLogical}, got {count}");
        }

        while (true)
        {
            lock (_lock)
            {
                var now = NowMs();
                if (now > _physical)
                {
                    _physical = now;
                    _logical = 0;
                }

                if (_logical + count <= Tso.MaxLogical + 1)
                {
                    if (_physical >= _highWater)
                    {
                        Extend(_physical);
                    }
                    else if (_highWater - _physical < _windowMs / 3)
                    {
                        // Push the window early so a burst rarely waits for a synced write exactly at the edge.
                        Extend(_physical);
                    }

                    _logical += count;
                    return (_physical, _logical - 1);
                }

                // The logical counter of this millisecond is used up. When the physical part ran ahead of the clock
                // (it starts above the saved mark after a restart), step it forward instead of waiting for the clock.
                if (_physical > now + 1)
                {
                    if (_physical >= MaxUsablePhysical)
                    {
                        throw new PdErrorException(Rpc.Pdpb.ErrorType.Unknown, "the TSO physical part is exhausted");
                    }

                    _physical++;
                    _logical = 0;
                    continue;
                }
            }

            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Moves the allocator forward so every later timestamp is above <paramref name="ts"/> (a restore brings data
    /// committed at timestamps this cluster never issued). Timestamps never go back, never jump more than
    /// <paramref name="maxGap"/> ahead of the clock (PD's <c>max-gap-reset-ts</c>), and never come so close to the end
    /// of the 46-bit physical field that the allocator could run past it.
    /// </summary>
    public TsoResetResult ResetAbove(ulong ts, TimeSpan maxGap)
    {
        var (physical, logical) = Tso.Split(ts);
        if (physical > MaxUsablePhysical)
        {
            return TsoResetResult.Overflow;
        }

        lock (_lock)
        {
            var now = NowMs();
            var issuedPhysical = Math.Max(_physical, now);
            var issuedLogical = issuedPhysical == _physical ? _logical - 1 : -1;
            if (physical < issuedPhysical || (physical == issuedPhysical && logical <= issuedLogical))
            {
                return TsoResetResult.NotAbove;
            }

            if (physical - now >= (long)maxGap.TotalMilliseconds)
            {
                return TsoResetResult.TooFarAhead;
            }

            // Persist first, so a crash right after cannot start below the new floor.
            Extend(physical);
            _physical = physical;
            _logical = logical + 1;
            return TsoResetResult.Reset;
        }
    }

    // A window of headroom below the field's end: the allocator steps the physical part past an exhausted logical
    // counter and persists marks a save window ahead, and neither may leave the 46 bits.
    private long MaxUsablePhysical => Tso.MaxPhysical - _windowMs - 1;

    private void Extend(long physical)
    {
        if (physical > MaxUsablePhysical)
        {
            // Only a corrupt saved mark or a clock 8,900 years ahead gets here; serving would wrap timestamps to 0.
            throw new PdErrorException(Rpc.Pdpb.ErrorType.Unknown, $"the TSO physical part {physical} would overflow its 46 bits");
        }

        var mark = physical + _windowMs;
        _storage.SaveTsoHighWater((ulong)mark);
        _highWater = mark;
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
