using System.Globalization;
using System.Text;
using Cairn.Hosting;

namespace Cairn.Cli.Flags;

/// <summary>
/// Raw keys on the command line as BR writes them (<c>--format</c>): <c>raw</c> (the text's UTF-8 bytes),
/// <c>escaped</c> (C escapes: <c>\n</c>, <c>\\</c>, <c>\x7f</c>, octal <c>\177</c>) or <c>hex</c>.
/// </summary>
internal static class KeyFormat
{
    public static byte[] Parse(string text, string format, string flag)
    {
        switch (format.Trim().ToLowerInvariant())
        {
            case "raw":
                return Encoding.UTF8.GetBytes(text);
            case "hex":
                try
                {
                    return Convert.FromHexString(text);
                }
                catch (FormatException)
                {
                    throw new CliUsageException($"{flag}: '{text}' is not hex (an even number of 0-9a-f digits); choose another --format for other keys");
                }

            case "escaped":
                return Unescape(text, flag);
            default:
                throw new CliUsageException($"--format: '{format}' is not one of raw, escaped, hex");
        }
    }

    private static byte[] Unescape(string text, string flag)
    {
        var bytes = new List<byte>(text.Length);
        var utf8 = new byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\')
            {
                var n = Encoding.UTF8.GetBytes(text.AsSpan(i, char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1), utf8);
                bytes.AddRange(utf8.AsSpan(0, n));
                if (n == 4)
                {
                    i++;
                }

                continue;
            }

            if (++i >= text.Length)
            {
                throw new CliUsageException($"{flag}: '{text}' ends with a lone backslash");
            }

            switch (text[i])
            {
                case 'a': bytes.Add(0x07); break;
                case 'b': bytes.Add(0x08); break;
                case 'f': bytes.Add(0x0c); break;
                case 'n': bytes.Add(0x0a); break;
                case 'r': bytes.Add(0x0d); break;
                case 't': bytes.Add(0x09); break;
                case 'v': bytes.Add(0x0b); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case '\'': bytes.Add((byte)'\''); break;
                case '"': bytes.Add((byte)'"'); break;
                case 'x':
                    if (text.Length - i - 1 < 2
                        || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
                    {
                        throw new CliUsageException($"{flag}: '{text}' has \\x without two hex digits");
                    }

                    bytes.Add(hex);
                    i += 2;
                    break;
                case >= '0' and <= '7':
                    var value = 0;
                    var digits = 0;
                    while (digits < 3 && i < text.Length && text[i] is >= '0' and <= '7')
                    {
                        value = (value * 8) + (text[i] - '0');
                        i++;
                        digits++;
                    }

                    if (value > 0xff)
                    {
                        throw new CliUsageException($"{flag}: '{text}' has an octal escape above \\377");
                    }

                    bytes.Add((byte)value);
                    i--;
                    break;
                default:
                    throw new CliUsageException($"{flag}: '{text}' has an unknown escape \\{text[i]}");
            }
        }

        return [.. bytes];
    }
}
