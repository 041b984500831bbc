// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using Google.Protobuf;

namespace Cairn.Bench.Legacy;

/// <summary>
/// One received message frame, unparsed. <see cref="Payload"/> lives in a pooled buffer owned by the call and is
/// valid only until the enumeration moves on; copy out what must outlive it.
/// </summary>
/// <param name="Payload">The serialized message.</param>
public readonly record struct RpcRawFrame(ReadOnlyMemory<byte> Payload)
{
    /// <summary>Parses the whole payload as <typeparamref name="T"/> (this copies any <c>bytes</c> fields).</summary>
    public T Parse<T>(MessageParser<T> parser)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        return parser.ParseFrom(Payload.Span);
    }

    /// <summary>
    /// Finds the top-level length-delimited field <paramref name="fieldNumber"/> (the last occurrence, as protobuf
    /// merging would) and returns it as a slice of the payload, without copying. Throws <see cref="InvalidDataException"/>
    /// on a malformed payload.
    /// </summary>
    public bool TryGetBytesField(int fieldNumber, out ReadOnlyMemory<byte> value)
    {
        value = default;
        var found = false;
        var span = Payload.Span;
        var pos = 0;
        while (pos < span.Length)
        {
            var tag = ReadVarint(span, ref pos);
            var wireType = (int)(tag & 7);
            var number = (long)(tag >> 3);
            switch (wireType)
            {
                case 0:
                    ReadVarint(span, ref pos);
                    break;
                case 1:
                    pos += 8;
                    break;
                case 2:
                    var length = ReadVarint(span, ref pos);
                    if (length > (ulong)(span.Length - pos))
                    {
                        throw new InvalidDataException("A length-delimited field runs past the end of the frame.");
                    }

                    if (number == fieldNumber)
                    {
                        value = Payload.Slice(pos, (int)length);
                        found = true;
                    }

                    pos += (int)length;
                    break;
                case 5:
                    pos += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported wire type {wireType} in frame.");
            }
        }

        if (pos > span.Length)
        {
            throw new InvalidDataException("A field runs past the end of the frame.");
        }

        return found;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= span.Length)
            {
                throw new InvalidDataException("Truncated varint in frame.");
            }

            var b = span[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("Malformed varint in frame.");
    }
}
