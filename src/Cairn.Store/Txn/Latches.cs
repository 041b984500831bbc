namespace Cairn.Store.Txn;

/// <summary>
/// Key latches as in TiKV's scheduler: every key hashes to one of a fixed number of slots, and a write command holds
/// the slots of all its keys while it reads, decides and writes. Slots are taken in ascending order, so two commands
/// can never wait on each other in a cycle; commands on disjoint slots run in parallel.
/// </summary>
internal sealed class Latches
{
    private readonly SemaphoreSlim[] _slots;

    /// <summary>Creates <paramref name="slotCount"/> slots (rounded up to a power of two).</summary>
    public Latches(int slotCount = 2048)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slotCount, 1);
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)slotCount);
        _slots = new SemaphoreSlim[size];
        for (var i = 0; i < size; i++)
        {
            _slots[i] = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>Acquires the latches of every key (raw user keys) and returns a guard that releases them.</summary>
    public async ValueTask<Guard> AcquireAsync(IEnumerable<ReadOnlyMemory<byte>> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var set = new SortedSet<int>();
        var mask = (ulong)(_slots.Length - 1);
        foreach (var key in keys)
        {
            set.Add((int)(Fnv1a(key.Span) & mask));
        }

        var taken = new int[set.Count];
        var count = 0;
        try
        {
            foreach (var slot in set)
            {
                await _slots[slot].WaitAsync(cancellationToken).ConfigureAwait(false);
                taken[count++] = slot;
            }
        }
        catch
        {
            for (var i = 0; i < count; i++)
            {
                _slots[taken[i]].Release();
            }

            throw;
        }

        return new Guard(this, taken);
    }

    // FNV-1a: cheap, stable and good enough to spread keys over slots.
    private static ulong Fnv1a(ReadOnlySpan<byte> key)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in key)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash ^ (hash >> 32);
    }

    /// <summary>Holds acquired latches until disposed.</summary>
    public readonly struct Guard : IDisposable
    {
        private readonly Latches? _owner;
        private readonly int[]? _slots;

        internal Guard(Latches owner, int[] slots)
        {
            _owner = owner;
            _slots = slots;
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            if (_owner is null || _slots is null)
            {
                return;
            }

            foreach (var slot in _slots)
            {
                _owner._slots[slot].Release();
            }
        }
    }
}
