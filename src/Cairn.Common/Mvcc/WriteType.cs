namespace Cairn.Common.Mvcc;

/// <summary>Kind of a write CF record; the value is its first byte.</summary>
#pragma warning disable CA1028 // The wire format is one byte.
public enum WriteType : byte
#pragma warning restore CA1028
{
    /// <summary>A committed value.</summary>
    Put = (byte)'P',

    /// <summary>A committed delete.</summary>
    Delete = (byte)'D',

    /// <summary>A committed lock-only write (no value change).</summary>
    Lock = (byte)'L',

    /// <summary>A rolled-back transaction, keyed by its start_ts.</summary>
    Rollback = (byte)'R',
}
