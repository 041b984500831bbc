namespace Cairn.Pd.Cluster;

/// <summary>
/// Unique IDs for stores, regions and peers. A block of IDs is reserved on disk before any of it is handed out, so a
/// restart (or a crash) skips the rest of the block rather than reusing it.
/// </summary>
internal sealed class IdAllocator
{
    private const ulong Step = 1000;
    private readonly PdStorage _storage;
    private readonly Lock _lock = new();
    private ulong _next;
    private ulong _ceiling;

    public IdAllocator(PdStorage storage)
    {
        _storage = storage;
        _ceiling = storage.LoadAllocIdCeiling();
        _next = _ceiling + 1;
    }

    public ulong Allocate()
    {
        lock (_lock)
        {
            if (_next > _ceiling)
            {
                var ceiling = _ceiling + Step;
                _storage.SaveAllocIdCeiling(ceiling);
                _ceiling = ceiling;
            }

            return _next++;
        }
    }

    /// <summary>Makes sure IDs already in use (from a bootstrap request) are never handed out again.</summary>
    public void ObserveUsed(ulong id)
    {
        lock (_lock)
        {
            if (id < _next)
            {
                return;
            }

            if (id >= _ceiling)
            {
                var ceiling = id + Step;
                _storage.SaveAllocIdCeiling(ceiling);
                _ceiling = ceiling;
            }

            _next = id + 1;
        }
    }
}
