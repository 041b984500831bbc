using Cairn.Common.Mvcc;

namespace Cairn.Store.Txn;

/// <summary>
/// One committed version yielded by <see cref="MvccScanner"/>. Every span points into the scanner's buffers or its
/// RocksDB iterators and is valid only until the next <see cref="MvccScanner.MoveNext"/>; copy what must outlive it.
/// </summary>
internal readonly ref struct MvccEntry
{
    /// <summary>The raw user key.</summary>
    public ReadOnlySpan<byte> Key { get; init; }

    /// <summary>The encoded (memcomparable) user key, as region bounds and data keys hold it.</summary>
    public ReadOnlySpan<byte> EncodedKey { get; init; }

    /// <summary>Put or Delete.</summary>
    public WriteType Type { get; init; }

    /// <summary>The transaction's start ts (the default-CF value's ts).</summary>
    public ulong StartTs { get; init; }

    /// <summary>The version's commit ts (the write-CF key's ts).</summary>
    public ulong CommitTs { get; init; }

    /// <summary>The write-CF record as stored, for copying versions verbatim (backup's write SST).</summary>
    public ReadOnlySpan<byte> WriteRecord { get; init; }

    /// <summary>The value: the inlined short value or the default-CF value; empty for a Delete or a key-only scan.</summary>
    public ReadOnlySpan<byte> Value { get; init; }

    /// <summary>Whether <see cref="Value"/> came from the default CF (backup writes it to the default SST).</summary>
    public bool ValueInDefaultCf { get; init; }
}
