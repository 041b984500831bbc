using Cairn.Common;

namespace Cairn.Pd.Gc;

/// <summary>
/// The GC safepoint and the service safepoints that hold it back. The GC safepoint never moves backwards. A virtual
/// service <c>gc_worker</c> always sits at the GC safepoint, so no service can protect versions GC may already have
/// dropped, and the minimum reported to services never lies above the GC safepoint.
/// </summary>
internal sealed class GcSafePointManager
{
    /// <summary>The service id of the GC driver itself.</summary>
    public const string GcWorkerServiceId = "gc_worker";

    private readonly PdStorage _storage;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ServiceSafePoint> _services = new(StringComparer.Ordinal);
    private ulong _gcSafePoint;

    public GcSafePointManager(PdStorage storage, TimeProvider time)
    {
        _storage = storage;
        _time = time;
        _gcSafePoint = storage.LoadGcSafePoint();
        foreach (var point in storage.LoadServiceSafePoints())
        {
            _services[point.ServiceId] = point;
        }
    }

    public ulong GcSafePoint
    {
        get
        {
            lock (_lock)
            {
                return _gcSafePoint;
            }
        }
    }

    /// <summary>Raises the GC safepoint to <paramref name="safePoint"/> if that is higher; returns the current value.</summary>
    public ulong UpdateGcSafePoint(ulong safePoint)
    {
        lock (_lock)
        {
            if (safePoint > _gcSafePoint)
            {
                _storage.SaveGcSafePoint(safePoint);
                _gcSafePoint = safePoint;
            }

            return _gcSafePoint;
        }
    }

    /// <summary>
    /// Sets, refreshes (TTL &gt; 0) or removes (TTL ≤ 0) a service safepoint, then returns the smallest live one
    /// (possibly <c>gc_worker</c>'s). A safepoint below the GC safepoint is not saved: those versions may be gone.
    /// </summary>
    public ServiceSafePoint UpdateServiceSafePoint(string serviceId, long ttlSeconds, ulong safePoint)
    {
        if (string.IsNullOrEmpty(serviceId))
        {
            throw new PdErrorException(Rpc.Pdpb.ErrorType.InvalidValue, "service id must not be empty");
        }

        if (serviceId == GcWorkerServiceId)
        {
            throw new PdErrorException(Rpc.Pdpb.ErrorType.InvalidValue, $"service id {GcWorkerServiceId} is reserved for pd's GC driver");
        }

        lock (_lock)
        {
            var now = _time.GetUtcNow().ToUnixTimeSeconds();
            PruneExpired(now);
            if (ttlSeconds <= 0)
            {
                if (_services.Remove(serviceId))
                {
                    _storage.DeleteServiceSafePoint(serviceId);
                }
            }
            else if (safePoint >= _gcSafePoint)
            {
                var expires = ttlSeconds >= long.MaxValue - now ? long.MaxValue : now + ttlSeconds;
                var point = new ServiceSafePoint(serviceId, safePoint, expires);
                _storage.SaveServiceSafePoint(point);
                _services[serviceId] = point;
            }

            var min = new ServiceSafePoint(GcWorkerServiceId, _gcSafePoint, long.MaxValue);
            foreach (var point in _services.Values)
            {
                if (point.SafePoint < min.SafePoint)
                {
                    min = point;
                }
            }

            return min;
        }
    }

    /// <summary>Live service safepoints, <c>gc_worker</c> first.</summary>
    public List<ServiceSafePoint> ListServiceSafePoints()
    {
        lock (_lock)
        {
            PruneExpired(_time.GetUtcNow().ToUnixTimeSeconds());
            var list = new List<ServiceSafePoint> { new(GcWorkerServiceId, _gcSafePoint, long.MaxValue) };
            list.AddRange(_services.Values.OrderBy(p => p.ServiceId, StringComparer.Ordinal));
            return list;
        }
    }

    /// <summary>
    /// One GC driver round: safepoint = min(now - life time, smallest live service safepoint), never decreasing.
    /// Returns the GC safepoint after the round.
    /// </summary>
    public ulong Advance(TimeSpan lifeTime)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            PruneExpired(now.ToUnixTimeSeconds());
            var physical = now.ToUnixTimeMilliseconds() - (long)lifeTime.TotalMilliseconds;
            if (physical <= 0)
            {
                return _gcSafePoint;
            }

            var candidate = Tso.Compose(physical, 0);
            foreach (var point in _services.Values)
            {
                candidate = Math.Min(candidate, point.SafePoint);
            }

            if (candidate > _gcSafePoint)
            {
                _storage.SaveGcSafePoint(candidate);
                _gcSafePoint = candidate;
            }

            return _gcSafePoint;
        }
    }

    private void PruneExpired(long nowSeconds)
    {
        foreach (var point in _services.Values.ToList())
        {
            if (point.ExpiresAtUnixSeconds <= nowSeconds)
            {
                _services.Remove(point.ServiceId);
                _storage.DeleteServiceSafePoint(point.ServiceId);
            }
        }
    }
}
