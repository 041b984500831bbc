using System.Security.Cryptography;
using Cairn.Common.Mvcc;
using Cairn.Rpc.Backup;
using Grpc.Core;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Store.Tests.Backup;

/// <summary>Calls and checks the backup tests share: building requests, reading the stream, reading the files.</summary>
internal static class BackupFixture
{
    public static BackupRequest Request(string folder, ulong endVersion, string start = "", string end = "", ulong startVersion = 0) => new()
    {
        StartKey = TestStore.B(start),
        EndKey = TestStore.B(end),
        StartVersion = startVersion,
        EndVersion = endVersion,
        StorageBackend = new StorageBackend { Local = new Local { Path = folder } },
        CompressionType = CompressionType.Zstd,
    };

    public static async Task<List<BackupResponse>> BackupAsync(Rpc.RpcChannel channel, BackupRequest request, CancellationToken cancellationToken = default)
    {
        using var call = channel.Backup.backup(request, cancellationToken: cancellationToken);
        var responses = new List<BackupResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            responses.Add(response);
        }

        return responses;
    }

    /// <summary>The file's bytes, after checking its SHA-256 and size against the metadata and sst_dump's verify.</summary>
    public static async Task<List<(byte[] Key, byte[] Value)>> ReadCheckedAsync(string folder, BackupFile file)
    {
        var path = Path.Combine(folder, file.Name);
        var bytes = await System.IO.File.ReadAllBytesAsync(path);
        Assert.Equal(SHA256.HashData(bytes), file.Sha256.ToByteArray());
        Assert.Equal((ulong)bytes.Length, file.Size);
        await SstDump.VerifyAsync(path);
        return await SstDump.ScanAsync(path);
    }

    /// <summary>Splits a data key of the write or default CF into raw user key and ts.</summary>
    public static (string Key, ulong Ts) DecodeDataKey(byte[] dataKey)
    {
        Assert.Equal((byte)'z', dataKey[0]);
        var raw = MvccKey.DecodeDataKey(dataKey, out var ts);
        return (System.Text.Encoding.UTF8.GetString(raw), ts);
    }

    /// <summary>crc64xor, kvs and bytes over pairs, computed with the test's own CRC.</summary>
    public static (ulong Crc, ulong Kvs, ulong Bytes) Checksum(IEnumerable<(byte[] Key, byte[] Value)> pairs)
    {
        ulong crc = 0, kvs = 0, bytes = 0;
        foreach (var (key, value) in pairs)
        {
            crc ^= Crc64Oracle.Compute([.. key, .. value]);
            kvs++;
            bytes += (ulong)(key.Length + value.Length);
        }

        return (crc, kvs, bytes);
    }

    public static string Hex(string rawKey) => Convert.ToHexStringLower(SHA256.HashData(TestStore.Bytes(rawKey)));
}
