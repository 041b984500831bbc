using System.Buffers.Binary;
using Cairn.Common.Codec;

namespace Cairn.Common.Mvcc;

/// <summary>
/// A lock CF value as TiKV writes it (<c>txn_types::Lock</c>): type byte, primary key as compact bytes (zig-zag
/// varint length + bytes), start_ts and ttl as unsigned varints, then optional tagged fields in this order:
/// <c>v</c> short value, <c>f</c> for_update_ts, <c>t</c> txn_size, <c>c</c> min_commit_ts (8-byte big-endian each),
/// <c>a</c> async-commit secondaries, <c>r</c> rollback timestamps, <c>l</c> last change, <c>s</c> txn source,
/// <c>F</c> locked-with-conflict, <c>g</c> generation. Parsing stops at an unknown tag (forward compatibility).
/// Named <c>LockRecord</c> rather than <c>Lock</c> to stay clear of <see cref="System.Threading.Lock"/>.
/// </summary>
public sealed class LockRecord
{
    /// <summary>Tag of the short value field.</summary>
    public const byte ShortValuePrefix = (byte)'v';

    /// <summary>Tag of for_update_ts.</summary>
    public const byte ForUpdateTsPrefix = (byte)'f';

    /// <summary>Tag of txn_size.</summary>
    public const byte TxnSizePrefix = (byte)'t';

    /// <summary>Tag of min_commit_ts.</summary>
    public const byte MinCommitTsPrefix = (byte)'c';

    /// <summary>Tag of the async-commit secondaries.</summary>
    public const byte AsyncCommitPrefix = (byte)'a';

    /// <summary>Tag of the rollback timestamps.</summary>
    public const byte RollbackTsPrefix = (byte)'r';

    /// <summary>Tag of the last change.</summary>
    public const byte LastChangePrefix = (byte)'l';

    /// <summary>Tag of the txn source.</summary>
    public const byte TxnSourcePrefix = (byte)'s';

    /// <summary>Tag (no payload) of a pessimistic lock taken with conflict (fair locking).</summary>
    public const byte LockedWithConflictFlag = (byte)'F';

    /// <summary>Tag of the pipelined-DML generation.</summary>
    public const byte GenerationPrefix = (byte)'g';

    /// <summary>Kind of lock.</summary>
    public required LockType Type { get; init; }

    /// <summary>The transaction's primary key (raw).</summary>
    public required byte[] Primary { get; init; }

    /// <summary>Start timestamp of the transaction.</summary>
    public required ulong StartTs { get; init; }

    /// <summary>Time to live in milliseconds.</summary>
    public ulong Ttl { get; init; }

    /// <summary>The prewritten value when short enough to inline, else null.</summary>
    public byte[]? ShortValue { get; init; }

    /// <summary>Non-zero for pessimistic transactions.</summary>
    public ulong ForUpdateTs { get; init; }

    /// <summary>Number of keys the transaction writes in this region (a hint for lock resolution).</summary>
    public ulong TxnSize { get; init; }

    /// <summary>Lower bound of the commit ts (0 when not set).</summary>
    public ulong MinCommitTs { get; init; }

    /// <summary>True for async-commit transactions.</summary>
    public bool UseAsyncCommit { get; init; }

    /// <summary>Secondary keys, set on the primary lock of an async-commit transaction.</summary>
    public IReadOnlyList<byte[]> Secondaries { get; init; } = [];

    /// <summary>Timestamps of rollbacks recorded on this lock.</summary>
    public IReadOnlyList<ulong> RollbackTs { get; init; } = [];

    /// <summary>Commit ts of the last Put/Delete of the key (0 when unknown).</summary>
    public ulong LastChangeTs { get; init; }

    /// <summary>Versions to skip to reach the last change (0 when unknown).</summary>
    public ulong VersionsToLastChange { get; init; }

    /// <summary>Source of the transaction; 0 for ordinary ones.</summary>
    public ulong TxnSource { get; init; }

    /// <summary>True when a pessimistic lock was acquired despite a newer write (fair locking).</summary>
    public bool IsLockedWithConflict { get; init; }

    /// <summary>Pipelined-DML generation (0 when not set).</summary>
    public ulong Generation { get; init; }

    /// <summary>True for a lock taken by a pessimistic transaction.</summary>
    public bool IsPessimisticTxn => ForUpdateTs != 0;

    /// <summary>Length of <see cref="Encode(Span{byte})"/>'s output.</summary>
    public int EncodedLength
    {
        get
        {
            var length = 1 + CompactBytes.EncodedLength(Primary.Length) + Varint.UvarintLength(StartTs) + Varint.UvarintLength(Ttl);
            if (ShortValue is not null)
            {
                length += 2 + ShortValue.Length;
            }

            length += ForUpdateTs != 0 ? 9 : 0;
            length += TxnSize != 0 ? 9 : 0;
            length += MinCommitTs != 0 ? 9 : 0;
            if (UseAsyncCommit)
            {
                length += 1 + Varint.UvarintLength((ulong)Secondaries.Count);
                foreach (var key in Secondaries)
                {
                    length += CompactBytes.EncodedLength(key.Length);
                }
            }

            if (RollbackTs.Count > 0)
            {
                length += 1 + Varint.UvarintLength((ulong)RollbackTs.Count) + (8 * RollbackTs.Count);
            }

            if (LastChangeTs != 0 || VersionsToLastChange != 0)
            {
                length += 1 + 8 + Varint.UvarintLength(VersionsToLastChange);
            }

            length += TxnSource != 0 ? 1 + Varint.UvarintLength(TxnSource) : 0;
            length += IsLockedWithConflict ? 1 : 0;
            length += Generation != 0 ? 9 : 0;
            return length;
        }
    }

    /// <summary>Writes the lock and returns its length.</summary>
    /// <exception cref="InvalidOperationException">The short value is longer than 255 bytes.</exception>
    public int Encode(Span<byte> destination)
    {
        var length = EncodedLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"destination needs {length} bytes, has {destination.Length}", nameof(destination));
        }

        destination[0] = (byte)Type;
        var offset = 1 + CompactBytes.Encode(destination[1..], Primary);
        offset += Varint.EncodeUvarint(destination[offset..], StartTs);
        offset += Varint.EncodeUvarint(destination[offset..], Ttl);
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

        offset = WriteU64Field(destination, offset, ForUpdateTsPrefix, ForUpdateTs);
        offset = WriteU64Field(destination, offset, TxnSizePrefix, TxnSize);
        offset = WriteU64Field(destination, offset, MinCommitTsPrefix, MinCommitTs);
        if (UseAsyncCommit)
        {
            destination[offset++] = AsyncCommitPrefix;
            offset += Varint.EncodeUvarint(destination[offset..], (ulong)Secondaries.Count);
            foreach (var key in Secondaries)
            {
                offset += CompactBytes.Encode(destination[offset..], key);
            }
        }

        if (RollbackTs.Count > 0)
        {
            destination[offset++] = RollbackTsPrefix;
            offset += Varint.EncodeUvarint(destination[offset..], (ulong)RollbackTs.Count);
            foreach (var ts in RollbackTs)
            {
                BinaryPrimitives.WriteUInt64BigEndian(destination[offset..], ts);
                offset += 8;
            }
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

        if (IsLockedWithConflict)
        {
            destination[offset++] = LockedWithConflictFlag;
        }

        return WriteU64Field(destination, offset, GenerationPrefix, Generation);
    }

    /// <summary>Returns the encoded lock.</summary>
    public byte[] ToBytes()
    {
        var result = new byte[EncodedLength];
        Encode(result);
        return result;
    }

    /// <summary>Reads only the lock type.</summary>
    /// <exception cref="CodecException">The value is empty or the type unknown.</exception>
    public static LockType DecodeType(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            throw new CodecException("lock record is empty");
        }

        return value[0] switch
        {
            (byte)LockType.Put or (byte)LockType.Delete or (byte)LockType.Lock or (byte)LockType.Pessimistic or (byte)LockType.Shared
                => (LockType)value[0],
            _ => throw new CodecException($"unknown lock type 0x{value[0]:X2}"),
        };
    }

    /// <summary>Decodes a lock record.</summary>
    /// <exception cref="CodecException">The record is malformed.</exception>
    public static LockRecord Decode(ReadOnlySpan<byte> value)
    {
        var type = DecodeType(value);
        var rest = value[1..];
        var primary = CompactBytes.Decode(rest, out var consumed).ToArray();
        rest = rest[consumed..];
        var startTs = Varint.DecodeUvarint(rest, out consumed);
        rest = rest[consumed..];

        // Very old locks may end before the ttl.
        ulong ttl = 0;
        if (!rest.IsEmpty)
        {
            ttl = Varint.DecodeUvarint(rest, out consumed);
            rest = rest[consumed..];
        }

        byte[]? shortValue = null;
        ulong forUpdateTs = 0, txnSize = 0, minCommitTs = 0, lastChangeTs = 0, versions = 0, txnSource = 0, generation = 0;
        var useAsyncCommit = false;
        var lockedWithConflict = false;
        byte[][] secondaries = [];
        ulong[] rollbackTs = [];
        var known = true;
        while (known && !rest.IsEmpty)
        {
            var tag = rest[0];
            rest = rest[1..];
            switch (tag)
            {
                case ShortValuePrefix:
                    if (rest.IsEmpty || rest.Length - 1 < rest[0])
                    {
                        throw new CodecException("lock record short value is truncated");
                    }

                    shortValue = rest.Slice(1, rest[0]).ToArray();
                    rest = rest[(1 + rest[0])..];
                    break;
                case ForUpdateTsPrefix:
                    forUpdateTs = WriteRecordView.ReadU64(ref rest, "for_update_ts");
                    break;
                case TxnSizePrefix:
                    txnSize = WriteRecordView.ReadU64(ref rest, "txn_size");
                    break;
                case MinCommitTsPrefix:
                    minCommitTs = WriteRecordView.ReadU64(ref rest, "min_commit_ts");
                    break;
                case AsyncCommitPrefix:
                    useAsyncCommit = true;
                    secondaries = new byte[CheckedCount(ReadUvarint(ref rest), rest.Length)][];
                    for (var i = 0; i < secondaries.Length; i++)
                    {
                        secondaries[i] = CompactBytes.Decode(rest, out consumed).ToArray();
                        rest = rest[consumed..];
                    }

                    break;
                case RollbackTsPrefix:
                    rollbackTs = new ulong[CheckedCount(ReadUvarint(ref rest), rest.Length / 8)];
                    for (var i = 0; i < rollbackTs.Length; i++)
                    {
                        rollbackTs[i] = WriteRecordView.ReadU64(ref rest, "rollback_ts");
                    }

                    break;
                case LastChangePrefix:
                    lastChangeTs = WriteRecordView.ReadU64(ref rest, "last_change_ts");
                    versions = ReadUvarint(ref rest);
                    break;
                case TxnSourcePrefix:
                    txnSource = ReadUvarint(ref rest);
                    break;
                case LockedWithConflictFlag:
                    lockedWithConflict = true;
                    break;
                case GenerationPrefix:
                    generation = WriteRecordView.ReadU64(ref rest, "generation");
                    break;
                default:
                    // Fields are written in a fixed order, so an unknown tag means a newer writer: keep what we have.
                    known = false;
                    break;
            }
        }

        return new LockRecord
        {
            Type = type,
            Primary = primary,
            StartTs = startTs,
            Ttl = ttl,
            ShortValue = shortValue,
            ForUpdateTs = forUpdateTs,
            TxnSize = txnSize,
            MinCommitTs = minCommitTs,
            UseAsyncCommit = useAsyncCommit,
            Secondaries = secondaries,
            RollbackTs = rollbackTs,
            LastChangeTs = lastChangeTs,
            VersionsToLastChange = versions,
            TxnSource = txnSource,
            IsLockedWithConflict = lockedWithConflict,
            Generation = generation,
        };
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Type} primary={Convert.ToHexString(Primary)} start_ts={StartTs} ttl={Ttl}" +
        (ForUpdateTs != 0 ? $" for_update_ts={ForUpdateTs}" : string.Empty) +
        (MinCommitTs != 0 ? $" min_commit_ts={MinCommitTs}" : string.Empty);

    private static int WriteU64Field(Span<byte> destination, int offset, byte tag, ulong value)
    {
        if (value == 0)
        {
            return offset;
        }

        destination[offset] = tag;
        BinaryPrimitives.WriteUInt64BigEndian(destination[(offset + 1)..], value);
        return offset + 9;
    }

    private static ulong ReadUvarint(ref ReadOnlySpan<byte> rest)
    {
        var value = Varint.DecodeUvarint(rest, out var consumed);
        rest = rest[consumed..];
        return value;
    }

    // Each item takes at least one byte, so a count above the bytes left is corrupt; checking avoids huge allocations.
    private static int CheckedCount(ulong count, int maxPossible) =>
        count <= (ulong)maxPossible ? (int)count : throw new CodecException($"lock record declares {count} items but only {maxPossible} can follow");
}
