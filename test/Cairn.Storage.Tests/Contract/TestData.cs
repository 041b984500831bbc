using System.Security.Cryptography;

namespace Cairn.Storage.Tests.Contract;

/// <summary>Deterministic test bytes and SHA-256 helpers.</summary>
public static class TestData
{
    /// <summary>Pseudo-random bytes fixed by <paramref name="seed"/>.</summary>
    public static byte[] Bytes(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Hex SHA-256.</summary>
    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexString(SHA256.HashData(data));

    /// <summary>Reads <paramref name="stream"/> to its end; returns the hex SHA-256 and the byte count.</summary>
    public static async Task<(string Sha256, long Length)> HashStreamAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
        }
        return (Convert.ToHexString(hash.GetHashAndReset()), total);
    }

    /// <summary>Reads a whole stream into memory.</summary>
    public static async Task<byte[]> ReadStreamAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }

    /// <summary>
    /// Writes <paramref name="data"/> through a writer in uneven chunks (so chunk and part boundaries never line up)
    /// and completes it.
    /// </summary>
    public static async Task WriteInChunksAsync(IExternalStorage storage, string path, ReadOnlyMemory<byte> data, int chunk = 1_048_589, CancellationToken cancellationToken = default)
    {
        await using var writer = await storage.CreateAsync(path, cancellationToken);
        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            await writer.WriteAsync(data.Slice(offset, Math.Min(chunk, data.Length - offset)), cancellationToken);
        }

        Assert.Equal(data.Length, writer.BytesWritten);
        await writer.CompleteAsync(cancellationToken);
    }
}
