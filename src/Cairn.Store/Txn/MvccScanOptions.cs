namespace Cairn.Store.Txn;

/// <summary>
/// What an <see cref="MvccScanner"/> reads: encoded user-key bounds [<see cref="Lower"/>, <see cref="Upper"/>)
/// (an empty upper bound means the end of the keyspace), the mode and its timestamps.
/// </summary>
internal readonly record struct MvccScanOptions
{
    private MvccScanOptions(MvccScanMode mode, byte[] lower, byte[] upper, ulong startTs, ulong readTs)
    {
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        Mode = mode;
        Lower = lower;
        Upper = upper;
        StartTs = startTs;
        ReadTs = readTs;
    }

    /// <summary>The versions yielded.</summary>
    public MvccScanMode Mode { get; }

    /// <summary>Inclusive lower bound, an encoded (memcomparable) user key.</summary>
    public byte[] Lower { get; }

    /// <summary>Exclusive upper bound, an encoded user key; empty for no bound.</summary>
    public byte[] Upper { get; }

    /// <summary><see cref="MvccScanMode.Delta"/> and <see cref="MvccScanMode.NewestInRange"/>: versions committed at or before this ts are left out.</summary>
    public ulong StartTs { get; }

    /// <summary>The read ts (<see cref="MvccScanMode.Latest"/>) or the inclusive end ts of a ts range; locks are checked against it.</summary>
    public ulong ReadTs { get; }

    /// <summary>Start timestamps of transactions whose locks the reader has resolved and may read past.</summary>
    public ICollection<ulong>? BypassLocks { get; init; }

    /// <summary>Scan from the upper bound downward (<see cref="MvccScanMode.Latest"/> only).</summary>
    public bool Reverse { get; init; }

    /// <summary>Whether the blocks read go into the block cache; a one-pass scan of a whole region (backup) turns it off.</summary>
    public bool FillCache { get; init; } = true;

    /// <summary>Yield keys with empty values, without reading long values from the default CF.</summary>
    public bool KeyOnly { get; init; }

    /// <summary>The newest visible Put of every key at <paramref name="readTs"/>.</summary>
    public static MvccScanOptions Latest(byte[] lower, byte[] upper, ulong readTs) => new(MvccScanMode.Latest, lower, upper, 0, readTs);

    /// <summary>Every Put and Delete committed in (<paramref name="startTs"/>, <paramref name="endTs"/>].</summary>
    public static MvccScanOptions Delta(byte[] lower, byte[] upper, ulong startTs, ulong endTs)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startTs, endTs);
        return new(MvccScanMode.Delta, lower, upper, startTs, endTs);
    }

    /// <summary>Per key, the newest Put or Delete committed in (<paramref name="startTs"/>, <paramref name="endTs"/>].</summary>
    public static MvccScanOptions NewestInRange(byte[] lower, byte[] upper, ulong startTs, ulong endTs)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startTs, endTs);
        return new(MvccScanMode.NewestInRange, lower, upper, startTs, endTs);
    }
}
