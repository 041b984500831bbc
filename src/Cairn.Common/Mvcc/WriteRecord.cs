using System.Buffers;
using System.Buffers.Binary;
using Cairn.Common.Codec;

namespace Cairn.Common.Mvcc;

/// <summary>
/// A write CF value as TiKV stores it (br-spec §f.6): type byte, start_ts as unsigned varint, then optional tagged
/// fields in this order: <c>v</c> + 1-byte length + short value, <c>R</c> (overlapped rollback), <c>F</c> + 8-byte
/// gc_fence, <c>l</c> + 8-byte last-change ts + varint versions, <c>S</c> + varint txn source. Decoders stop at an
/// unknown tag, so records from newer writers still parse. Equality compares the short value by content.
/// Use <see cref="WriteRecordView"/> to parse without allocating.
/// </summary>
public readonly struct WriteRecord : IEquatable<WriteRecord>
{
    /// <summary>Values up to this length are inlined in the write record instead of the default CF.</summary>
    public const int ShortValueMaxLength = 64;

    /// <summary>Tag of the short value field.</summary>
    public const byte ShortValuePrefix = (byte)'v';

    /// <summary>Tag (no payload) marking a commit record that also stands for a rollback at the same ts.</summary>
    public const byte OverlappedRollbackFlag = (byte)'R';

    /// <summary>Tag of the gc_fence field.</summary>
    public const byte GcFencePrefix = (byte)'F';

    /// <summary>Tag of the last-change field.</summary>
    public const byte LastChangePrefix = (byte)'l';

    /// <summary>Tag of the txn-source field.</summary>
    public const byte TxnSourcePrefix = (byte)'S';

    /// <summary>Creates a record.</summary>
    public WriteRecord(WriteType type, ulong startTs, byte[]? shortValue = null)
    {
        Type = type;
        StartTs = startTs;
        ShortValue = shortValue;
    }

    /// <summary>The short value of a protected rollback, which GC must not collapse.</summary>
    public static ReadOnlySpan<byte> ProtectedRollbackShortValue => "p"u8;

    /// <summary>Kind of write.</summary>
    public WriteType Type { get; init; }

    /// <summary>Start timestamp of the transaction that wrote it.</summary>
    public ulong StartTs { get; init; }

    /// <summary>The inlined value, or null when the value lives in the default CF (or there is none).</summary>
    public byte[]? ShortValue { get; init; }

    /// <summary>True when a rollback of another transaction at this commit ts was merged into this record.</summary>
    public bool HasOverlappedRollback { get; init; }

    /// <summary>Commit ts of the next version when this record was rewritten for an overlapped rollback, else null.</summary>
    public ulong? GcFence { get; init; }

    /// <summary>Commit ts of the last Put/Delete before this Lock/Rollback record (0 when unknown).</summary>
    public ulong LastChangeTs { get; init; }

    /// <summary>Number of versions to skip to reach the last change (0 when unknown).</summary>
    public ulong VersionsToLastChange { get; init; }

    /// <summary>Source of the transaction (for change data capture); 0 for ordinary writes.</summary>
    public ulong TxnSource { get; init; }

    /// <summary>True for a rollback whose short value is <see cref="ProtectedRollbackShortValue"/>.</summary>
    public bool IsProtectedRollback =>
        Type == WriteType.Rollback && ShortValue is not null && ShortValue.AsSpan().SequenceEqual(ProtectedRollbackShortValue);

    /// <summary>A rollback record, protected or not.</summary>
    public static WriteRecord Rollback(ulong startTs, bool isProtected) =>
        new(WriteType.Rollback, startTs, isProtected ? ProtectedRollbackShortValue.ToArray() : null);

    /// <summary>Length of <see cref="Encode(Span{byte})"/>'s output.</summary>
    public int EncodedLength
    {
        get
        {
            var length = 1 + Varint.UvarintLength(StartTs);
            if (ShortValue is not null)
            {
                length += 2 + ShortValue.Length;
            }

            if (HasOverlappedRollback)
            {
                length++;
            }

            if (GcFence.HasValue)
            {
                length += 1 + 8;
            }

            if (LastChangeTs != 0 || VersionsToLastChange != 0)
            {
                length += 1 + 8 + Varint.UvarintLength(VersionsToLastChange);
            }

            if (TxnSource != 0)
            {
                length += 1 + Varint.UvarintLength(TxnSource);
            }

            return length;
        }
    }

    /// <summary>Writes the record and returns its length.</summary>
    /// <exception cref="InvalidOperationException">The short value is longer than 255 bytes, which the format cannot hold.</exception>
    public int Encode(Span<byte> destination)
    {
        var length = EncodedLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"destination needs {length} bytes, has {destination.Length}", nameof(destination));
        }

        destination[0] = (byte)Type;
        var offset = 1 + Varint.EncodeUvarint(destination[1..], StartTs);
        if (ShortValue is not null)
        {
            if (ShortValue.Length > byte.MaxValue)
            {
                throw new InvalidOperationException($"short value of {ShortValue.Length} bytes exceeds the 255-byte limit of the format");
            }

            destination[offset++] = ShortValuePrefix;
            destination[offset++] = (byte)ShortValue.Length;
            ShortValue.CopyTo(destination[offset..]);
            offset += ShortValue.Length;
        }

        if (HasOverlappedRollback)
        {
            destination[offset++] = OverlappedRollbackFlag;
        }

        if (GcFence is { } fence)
        {
            destination[offset++] = GcFencePrefix;
            BinaryPrimitives.WriteUInt64BigEndian(destination[offset..], fence);
            offset += 8;
        }

        if (LastChangeTs != 0 || VersionsToLastChange != 0)
        {
            destination[offset++] = LastChangePrefix;
            BinaryPrimitives.WriteUInt64BigEndian(destination[offset..], LastChangeTs);
            offset += 8;
            offset += Varint.EncodeUvarint(destination[offset..], VersionsToLastChange);
        }

        if (TxnSource != 0)
        {
            destination[offset++] = TxnSourcePrefix;
            offset += Varint.EncodeUvarint(destination[offset..], TxnSource);
        }

        return offset;
    }

    /// <summary>Returns the encoded record.</summary>
    public byte[] ToBytes()
    {
        var result = new byte[EncodedLength];
        Encode(result);
        return result;
    }

    /// <summary>Appends the encoded record to <paramref name="writer"/>.</summary>
    public void Encode(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = EncodedLength;
        Encode(writer.GetSpan(length));
        writer.Advance(length);
    }

    /// <summary>Decodes a record, copying the short value.</summary>
    /// <exception cref="CodecException">The record is malformed.</exception>
    public static WriteRecord Decode(ReadOnlySpan<byte> value) => WriteRecordView.Parse(value).ToRecord();

    /// <inheritdoc/>
    public bool Equals(WriteRecord other) =>
        Type == other.Type && StartTs == other.StartTs && HasOverlappedRollback == other.HasOverlappedRollback &&
        GcFence == other.GcFence && LastChangeTs == other.LastChangeTs &&
        VersionsToLastChange == other.VersionsToLastChange && TxnSource == other.TxnSource &&
        (ShortValue is null ? other.ShortValue is null : other.ShortValue is not null && ShortValue.AsSpan().SequenceEqual(other.ShortValue));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is WriteRecord other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, StartTs, ShortValue?.Length ?? -1, GcFence, TxnSource);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Type} start_ts={StartTs}" +
        (ShortValue is null ? string.Empty : $" short_value={Convert.ToHexString(ShortValue)}") +
        (HasOverlappedRollback ? " overlapped_rollback" : string.Empty) +
        (GcFence is { } fence ? $" gc_fence={fence}" : string.Empty);

    /// <summary>Equality by content.</summary>
    public static bool operator ==(WriteRecord left, WriteRecord right) => left.Equals(right);

    /// <summary>Inequality by content.</summary>
    public static bool operator !=(WriteRecord left, WriteRecord right) => !left.Equals(right);
}
