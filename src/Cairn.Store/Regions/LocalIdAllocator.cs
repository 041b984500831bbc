using System.Buffers.Binary;
using Cairn.RocksDb;
using Cairn.Store.Engine;

namespace Cairn.Store.Regions;

/// <summary>
/// An <see cref="IIdAllocator"/> for a store running without pd: IDs come from a counter whose high-water mark is
/// persisted (synced) in a local key a batch ahead, as pd does, so IDs stay unique across restarts and crashes.
/// </summary>
internal sealed class LocalIdAllocator : IIdAllocator
{
    private const ulong Step = 1000;
    private readonly StoreEngine _engine;
    private readonly Lock _gate = new();
    private ulong _next;
    private ulong _limit;

    /// <summary>Loads the high-water mark from <paramref name="engine"/>; IDs start at 1 in a new store.</summary>
    public LocalIdAllocator(StoreEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        var stored = engine.Db.Get(engine.Default, LocalKeys.IdAllocator);
        _limit = stored is { Length: 8 } ? BinaryPrimitives.ReadUInt64BigEndian(stored) : 0;
        // Everything up to the persisted mark may have been handed out before a crash: start above it.
        _next = _limit + 1;
    }

    /// <inheritdoc/>
    public ValueTask<ulong> AllocAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_next > _limit)
            {
                var limit = _limit + Step;
                var value = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(value, limit);
                using var batch = new WriteBatch();
                batch.Put(_engine.Default, LocalKeys.IdAllocator, value);
                _engine.WriteMeta(batch);
                _limit = limit;
            }

            return ValueTask.FromResult(_next++);
        }
    }

    /// <summary>Makes sure <paramref name="id"/> and everything below it is never handed out (for caller-supplied IDs).</summary>
    public void Observe(ulong id)
    {
        lock (_gate)
        {
            if (id < _next)
            {
                return;
            }

            if (id > _limit)
            {
                var limit = id + Step;
                var value = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(value, limit);
                using var batch = new WriteBatch();
                batch.Put(_engine.Default, LocalKeys.IdAllocator, value);
                _engine.WriteMeta(batch);
                _limit = limit;
            }

            _next = id + 1;
        }
    }
}
