using System.Collections;

namespace Cairn.Common.Keys;

/// <summary>
/// Non-overlapping half-open key ranges <c>[start, end)</c> (an empty end is unbounded) with a value each, kept
/// sorted by start key: a region cache, a region tree, a range tree of backup files. Adding a range evicts every
/// range it overlaps, as a newer region replaces the older ones it covers. Lookups are binary searches; additions
/// and removals move the entries after them, which suits maps of thousands of ranges read far more often than
/// changed. Not safe for concurrent use: owners lock around it.
/// </summary>
/// <typeparam name="TValue">What each range carries.</typeparam>
public sealed class KeyRangeMap<TValue> : IReadOnlyCollection<KeyRangeMap<TValue>.Entry>
{
    private readonly List<Entry> _entries = [];

    /// <summary>Number of ranges held.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Adds <c>[start, end)</c> → <paramref name="value"/>, first removing every range that overlaps it. The arrays
    /// are kept, not copied.
    /// </summary>
    /// <returns>The ranges removed, in key order (empty when none overlapped).</returns>
    /// <exception cref="ArgumentException"><paramref name="end"/> is not empty and not after <paramref name="start"/>.</exception>
    public IReadOnlyList<Entry> Add(byte[] start, byte[] end, TValue value)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        if (end.Length != 0 && start.AsSpan().SequenceCompareTo(end) >= 0)
        {
            throw new ArgumentException($"range [{Convert.ToHexString(start)}, {Convert.ToHexString(end)}) is empty", nameof(end));
        }

        // Overlapping entries are contiguous: from the one holding start (or the first after it) up to the last
        // that starts before end.
        var first = FloorIndex(start);
        if (first < 0 || !EndsAfter(_entries[first].End, start))
        {
            first++;
        }

        var last = first;
        while (last < _entries.Count && (end.Length == 0 || _entries[last].Start.AsSpan().SequenceCompareTo(end) < 0))
        {
            last++;
        }

        IReadOnlyList<Entry> removed = [];
        if (last > first)
        {
            removed = _entries.GetRange(first, last - first);
            _entries.RemoveRange(first, last - first);
        }

        _entries.Insert(first, new Entry(start, end, value));
        return removed;
    }

    /// <summary>The range holding <paramref name="key"/>, if any.</summary>
    public bool TryFind(ReadOnlySpan<byte> key, out Entry entry)
    {
        var index = FloorIndex(key);
        if (index >= 0 && EndsAfter(_entries[index].End, key))
        {
            entry = _entries[index];
            return true;
        }

        entry = default;
        return false;
    }

    /// <summary>Removes the range that starts exactly at <paramref name="start"/>; false when none does.</summary>
    public bool Remove(ReadOnlySpan<byte> start)
    {
        var index = FloorIndex(start);
        if (index < 0 || !_entries[index].Start.AsSpan().SequenceEqual(start))
        {
            return false;
        }

        _entries.RemoveAt(index);
        return true;
    }

    /// <summary>Removes every range whose value matches <paramref name="match"/>; returns how many.</summary>
    public int RemoveWhere(Func<TValue, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        return _entries.RemoveAll(e => match(e.Value));
    }

    /// <summary>
    /// The ranges that overlap <c>[start, end)</c> (empty end = unbounded), in key order, at most
    /// <paramref name="limit"/> of them (a paged scan such as pd's scan-regions stops there).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is negative.</exception>
    public IReadOnlyList<Entry> Overlapping(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int limit = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var index = FloorIndex(start);
        if (index < 0 || !EndsAfter(_entries[index].End, start))
        {
            index++;
        }

        var result = new List<Entry>();
        for (; index < _entries.Count && result.Count < limit && (end.IsEmpty || _entries[index].Start.AsSpan().SequenceCompareTo(end) < 0); index++)
        {
            result.Add(_entries[index]);
        }

        return result;
    }

    /// <summary>Removes every range.</summary>
    public void Clear() => _entries.Clear();

    /// <summary>The ranges in key order.</summary>
    public List<Entry>.Enumerator GetEnumerator() => _entries.GetEnumerator();

    IEnumerator<Entry> IEnumerable<Entry>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Whether a range ending at end (empty: unbounded) still holds key.
    private static bool EndsAfter(byte[] end, ReadOnlySpan<byte> key) => end.Length == 0 || key.SequenceCompareTo(end) < 0;

    // The last entry starting at or before key, or -1.
    private int FloorIndex(ReadOnlySpan<byte> key)
    {
        int lo = 0, hi = _entries.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_entries[mid].Start.AsSpan().SequenceCompareTo(key) <= 0)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>One range and its value.</summary>
    /// <param name="Start">Inclusive start key.</param>
    /// <param name="End">Exclusive end key; empty means unbounded.</param>
    /// <param name="Value">What the range carries.</param>
    public readonly record struct Entry(byte[] Start, byte[] End, TValue Value)
    {
        /// <summary>Whether <paramref name="key"/> lies in the range.</summary>
        public bool Contains(ReadOnlySpan<byte> key) => key.SequenceCompareTo(Start) >= 0 && EndsAfter(End, key);
    }
}
