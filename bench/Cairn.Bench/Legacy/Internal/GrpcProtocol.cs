// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;

namespace Cairn.Bench.Legacy.Internal;

/// <summary>Header names and the small text encodings of the gRPC-over-HTTP/2 protocol.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const int FrameHeaderSize = 5;

    /// <summary>Accepts <c>application/grpc</c> and its <c>+proto</c>/<c>;params</c> variants.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';';
    }

    /// <summary>
    /// Percent-encodes a status message as the protocol requires: UTF-8, with every byte outside
    /// printable ASCII and '%' itself written as %XX.
    /// </summary>
    public static string EncodeMessage(string message)
    {
        var needs = false;
        foreach (var c in message)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return message;
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        var sb = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            if (b < 0x20 || b > 0x7E || b == (byte)'%')
            {
                sb.Append('%').Append(HexUpper(b >> 4)).Append(HexUpper(b & 0xF));
            }
            else
            {
                sb.Append((char)b);
            }
        }

        return sb.ToString();
    }

    /// <summary>Reverses <see cref="EncodeMessage"/>; malformed escapes are kept literally, as the spec asks.</summary>
    public static string DecodeMessage(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded))
        {
            return string.Empty;
        }

        if (!encoded.Contains('%', StringComparison.Ordinal))
        {
            return encoded;
        }

        var bytes = new byte[encoded.Length];
        var n = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%' && i + 2 < encoded.Length
                && TryHex(encoded[i + 1], out var hi) && TryHex(encoded[i + 2], out var lo))
            {
                bytes[n++] = (byte)((hi << 4) | lo);
                i += 2;
            }
            else
            {
                // Header values are ASCII; anything else came from a peer that did not encode, keep it.
                if (c > 0x7F)
                {
                    return encoded;
                }

                bytes[n++] = (byte)c;
            }
        }

        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    /// <summary>Parses a <c>grpc-timeout</c> value: up to 8 digits and a unit H, M, S, m, u or n.</summary>
    public static bool TryParseTimeout(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9)
        {
            return false;
        }

        if (!long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = amount * TimeSpan.TicksPerHour; break;
            case 'M': ticks = amount * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = amount * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = amount * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = amount * TimeSpan.TicksPerMicrosecond; break;
            case 'n': ticks = amount / 100; break;
            default: return false;
        }

        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>Formats a timeout with at most 8 digits, choosing the finest unit that fits.</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        var ticks = Math.Max(0, timeout.Ticks);
        const long MaxDigits = 99_999_999;
        var micros = ticks / TimeSpan.TicksPerMicrosecond;
        if (micros <= MaxDigits)
        {
            return micros.ToString(CultureInfo.InvariantCulture) + "u";
        }

        // Round up so the server never sees a shorter deadline than the client enforces.
        var millis = (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        if (millis <= MaxDigits)
        {
            return millis.ToString(CultureInfo.InvariantCulture) + "m";
        }

        var seconds = (ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        if (seconds <= MaxDigits)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + "S";
        }

        var minutes = Math.Min(MaxDigits, (ticks + TimeSpan.TicksPerMinute - 1) / TimeSpan.TicksPerMinute);
        return minutes.ToString(CultureInfo.InvariantCulture) + "M";
    }

    /// <summary>Maps a non-200 HTTP status to a gRPC status, following the gRPC HTTP/2 mapping.</summary>
    public static StatusCode FromHttpStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>Maps an HTTP/2 RST_STREAM/GOAWAY error code to a gRPC status, following the gRPC HTTP/2 mapping.</summary>
    /// <remarks>
    /// NO_ERROR reaches a caller only when the server closed the connection (GOAWAY while shutting down) or reset the
    /// stream before sending a status: the server went away without answering, so the call is UNAVAILABLE (transient,
    /// worth retrying elsewhere), as gRPC's own transports report a closing transport.
    /// </remarks>
    public static StatusCode FromHttp2Error(long errorCode) => errorCode switch
    {
        0x0 => StatusCode.Unavailable, // NO_ERROR: graceful close before a status
        0x7 => StatusCode.Unavailable, // REFUSED_STREAM
        0x8 => StatusCode.Cancelled, // CANCEL
        0xB => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
        0xC => StatusCode.PermissionDenied, // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };

    public static bool TryParseStatus(string? value, out StatusCode status)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            status = (StatusCode)code;
            return true;
        }

        status = StatusCode.Unknown;
        return false;
    }

    public static string StatusText(StatusCode status) => ((int)status).ToString(CultureInfo.InvariantCulture);

    /// <summary>Length of a protobuf varint.</summary>
    public static int VarintSize(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }

        return n;
    }

    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static void WriteVarint(IBufferWriter<byte> writer, ulong value)
    {
        var span = writer.GetSpan(10);
        writer.Advance(WriteVarint(span, value));
    }

    private static char HexUpper(int v) => (char)(v < 10 ? '0' + v : 'A' + v - 10);

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
