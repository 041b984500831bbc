namespace Cairn.Common.Mvcc;

/// <summary>Kind of a lock CF record; the value is its first byte.</summary>
#pragma warning disable CA1028 // The wire format is one byte.
public enum LockType : byte
#pragma warning restore CA1028
{
    /// <summary>Prewritten put.</summary>
    Put = (byte)'P',

    /// <summary>Prewritten delete.</summary>
    Delete = (byte)'D',

    /// <summary>Prewritten lock-only mutation.</summary>
    Lock = (byte)'L',

    /// <summary>Pessimistic lock acquired before prewrite.</summary>
    Pessimistic = (byte)'S',

    /// <summary>Shared lock (newer TiKV); its per-transaction payload is not interpreted here.</summary>
    Shared = (byte)'H',
}
