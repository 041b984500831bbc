using System.Buffers.Binary;
using Cairn.Common.Codec;

namespace Cairn.Common.Mvcc;

/// <summary>
/// A parsed write CF record whose short value points into the input: the allocation-free form of
/// <see cref="WriteRecord"/> for scans.
/// </summary>
public readonly ref struct WriteRecordView
{
    /// <summary>Kind of write.</summary>
    public WriteType Type { get; init; }

    /// <summary>Start timestamp of the transaction.</summary>
    public ulong StartTs { get; init; }

    /// <summary>True when the record carries a short value (which may be empty).</summary>
    public bool HasShortValue { get; init; }

    /// <summary>The inlined value (empty when <see cref="HasShortValue"/> is false).</summary>
    public ReadOnlySpan<byte> ShortValue { get; init; }

    /// <summary>See <see cref="WriteRecord.HasOverlappedRollback"/>.</summary>
    public bool HasOverlappedRollback { get; init; }

    /// <summary>See <see cref="WriteRecord.GcFence"/>.</summary>
    public ulong? GcFence { get; init; }

    /// <summary>See <see cref="WriteRecord.LastChangeTs"/>.</summary>
    public ulong LastChangeTs { get; init; }

    /// <summary>See <see cref="WriteRecord.VersionsToLastChange"/>.</summary>
    public ulong VersionsToLastChange { get; init; }

    /// <summary>See <see cref="WriteRecord.TxnSource"/>.</summary>
    public ulong TxnSource { get; init; }

    /// <summary>True for a rollback protected from being collapsed by GC.</summary>
    public bool IsProtectedRollback =>
        Type == WriteType.Rollback && HasShortValue && ShortValue.SequenceEqual(WriteRecord.ProtectedRollbackShortValue);

    /// <summary>Reads only the type byte, the cheapest check when scanning for visible versions.</summary>
    /// <exception cref="CodecException">The value is empty or the type unknown.</exception>
    public static WriteType ParseType(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            throw new CodecException("write record is empty");
        }

        return ToType(value[0]);
    }

    /// <summary>Parses a write record without copying.</summary>
    /// <exception cref="CodecException">The record is malformed.</exception>
    public static WriteRecordView Parse(ReadOnlySpan<byte> value)
    {
        var type = ParseType(value);
        var startTs = Varint.DecodeUvarint(value[1..], out var consumed);
        var rest = value[(1 + consumed)..];
        var hasShortValue = false;
        ReadOnlySpan<byte> shortValue = default;
        var overlapped = false;
        ulong? gcFence = null;
        ulong lastChangeTs = 0;
        ulong versions = 0;
        ulong txnSource = 0;
        var known = true;
        while (known && !rest.IsEmpty)
        {
            var tag = rest[0];
            rest = rest[1..];
            switch (tag)
            {
                case WriteRecord.ShortValuePrefix:
                    if (rest.IsEmpty || rest.Length - 1 < rest[0])
                    {
                        throw new CodecException(rest.IsEmpty
                            ? "write record short value has no length"
                            : $"write record short value declares {rest[0]} bytes but only {rest.Length - 1} follow");
                    }

                    hasShortValue = true;
                    shortValue = rest.Slice(1, rest[0]);
                    rest = rest[(1 + rest[0])..];
                    break;
                case WriteRecord.OverlappedRollbackFlag:
                    overlapped = true;
                    break;
                case WriteRecord.GcFencePrefix:
                    gcFence = ReadU64(ref rest, "gc_fence");
                    break;
                case WriteRecord.LastChangePrefix:
                    lastChangeTs = ReadU64(ref rest, "last_change_ts");
                    versions = Varint.DecodeUvarint(rest, out consumed);
                    rest = rest[consumed..];
                    break;
                case WriteRecord.TxnSourcePrefix:
                    txnSource = Varint.DecodeUvarint(rest, out consumed);
                    rest = rest[consumed..];
                    break;
                default:
                    // Fields are written in a fixed order, so an unknown tag means a newer writer: keep what we have.
                    known = false;
                    break;
            }
        }

        return new WriteRecordView
        {
            Type = type,
            StartTs = startTs,
            HasShortValue = hasShortValue,
            ShortValue = shortValue,
            HasOverlappedRollback = overlapped,
            GcFence = gcFence,
            LastChangeTs = lastChangeTs,
            VersionsToLastChange = versions,
            TxnSource = txnSource,
        };
    }

    /// <summary>Copies the view into an owning <see cref="WriteRecord"/>.</summary>
    public WriteRecord ToRecord() => new(Type, StartTs, HasShortValue ? ShortValue.ToArray() : null)
    {
        HasOverlappedRollback = HasOverlappedRollback,
        GcFence = GcFence,
        LastChangeTs = LastChangeTs,
        VersionsToLastChange = VersionsToLastChange,
        TxnSource = TxnSource,
    };

    internal static ulong ReadU64(ref ReadOnlySpan<byte> rest, string field)
    {
        if (rest.Length < 8)
        {
            throw new CodecException($"{field} needs 8 bytes, has {rest.Length}");
        }

        var value = BinaryPrimitives.ReadUInt64BigEndian(rest);
        rest = rest[8..];
        return value;
    }

    private static WriteType ToType(byte b) => b switch
    {
        (byte)WriteType.Put or (byte)WriteType.Delete or (byte)WriteType.Lock or (byte)WriteType.Rollback => (WriteType)b,
        _ => throw new CodecException($"unknown write record type 0x{b:X2}"),
    };
}
