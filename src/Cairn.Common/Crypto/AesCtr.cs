using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Cairn.Common.Crypto;

/// <summary>
/// AES in counter mode (NIST SP 800-38A §6.5), the cipher of BR's encrypted backups: the 16-byte IV is the first
/// counter block and the whole 128-bit block is incremented big-endian, as Go's <c>cipher.NewCTR</c> and OpenSSL do.
/// .NET has no CTR mode, so counter blocks are encrypted with AES-ECB in batches and XORed into the data. The state
/// carries over between calls, so a file of any size is transformed chunk by chunk; encrypting and decrypting are
/// the same operation. Not thread-safe.
/// </summary>
public sealed class AesCtr : IDisposable
{
    /// <summary>Bytes of the IV (one AES block).</summary>
    public const int IvLength = 16;

    private const int BlockSize = 16;
    private const int BatchBlocks = 256;
    private readonly Aes _aes;
    private readonly byte[] _counters = new byte[BatchBlocks * BlockSize];
    private readonly byte[] _keystream = new byte[BatchBlocks * BlockSize];
    private UInt128 _counter;
    private int _used;
    private int _available;

    /// <summary>Starts a keystream at <paramref name="iv"/>; the key must be 16, 24 or 32 bytes.</summary>
    public AesCtr(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        if (!IsValidKeyLength(key.Length))
        {
            throw new ArgumentException($"an AES key is 16, 24 or 32 bytes, not {key.Length}", nameof(key));
        }

        if (iv.Length != IvLength)
        {
            throw new ArgumentException($"an AES-CTR IV is {IvLength} bytes, not {iv.Length}", nameof(iv));
        }

        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _counter = BinaryPrimitives.ReadUInt128BigEndian(iv);
    }

    /// <summary>Whether <paramref name="length"/> is an AES key length (128, 192 or 256 bits).</summary>
    public static bool IsValidKeyLength(int length) => length is 16 or 24 or 32;

    /// <summary>A fresh random IV.</summary>
    public static byte[] NewIv() => RandomNumberGenerator.GetBytes(IvLength);

    /// <summary>Encrypts or decrypts <paramref name="data"/> in place, continuing the keystream.</summary>
    public void Transform(Span<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_used == _available)
            {
                Refill();
            }

            var n = Math.Min(data.Length, _available - _used);
            var stream = _keystream.AsSpan(_used, n);
            var i = 0;
            for (; i + Vector<byte>.Count <= n; i += Vector<byte>.Count)
            {
                (new Vector<byte>(data[i..]) ^ new Vector<byte>(stream[i..])).CopyTo(data[i..]);
            }

            for (; i < n; i++)
            {
                data[i] ^= stream[i];
            }

            _used += n;
            data = data[n..];
        }
    }

    /// <summary>One-shot: the transform of <paramref name="data"/> under <paramref name="key"/> and <paramref name="iv"/>.</summary>
    public static byte[] Transform(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> data)
    {
        var output = data.ToArray();
        using var ctr = new AesCtr(key, iv);
        ctr.Transform(output);
        return output;
    }

    /// <inheritdoc/>
    public void Dispose() => _aes.Dispose();

    private void Refill()
    {
        for (var i = 0; i < BatchBlocks; i++)
        {
            BinaryPrimitives.WriteUInt128BigEndian(_counters.AsSpan(i * BlockSize, BlockSize), _counter);
            // The counter wraps at 2^128 like the reference implementations.
            _counter = unchecked(_counter + 1);
        }

        _aes.EncryptEcb(_counters, _keystream, PaddingMode.None);
        _used = 0;
        _available = _keystream.Length;
    }
}
