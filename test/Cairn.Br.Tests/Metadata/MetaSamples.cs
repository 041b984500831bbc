using System.Security.Cryptography;
using System.Text;
using Cairn.Rpc.Backup;
using Google.Protobuf;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Tests.Metadata;

/// <summary>Deterministic meta items for the metadata tests.</summary>
internal static class MetaSamples
{
    /// <summary>The default+write pair TiKV reports for one region piece <paramref name="range"/>.</summary>
    public static BackupFile[] RangeFiles(int range)
    {
        var start = Encoding.ASCII.GetBytes($"t\x80\0\0\0\0\0\0\x01_r{range:D8}");
        var end = Encoding.ASCII.GetBytes($"t\x80\0\0\0\0\0\0\x01_r{range + 1:D8}");
        return
        [
            File(range, "default", start, end),
            File(range, "write", start, end),
        ];
    }

    public static BackupFile File(int range, string cf, byte[] start, byte[] end) => new()
    {
        Name = $"1_{range}_7_{Convert.ToHexStringLower(SHA256.HashData(start))}_1700000000000_{cf}.sst",
        Sha256 = ByteString.CopyFrom(SHA256.HashData(Encoding.ASCII.GetBytes($"{range}{cf}"))),
        StartKey = ByteString.CopyFrom(start),
        EndKey = ByteString.CopyFrom(end),
        EndVersion = 445566,
        Crc64Xor = (ulong)range * 7919,
        TotalKvs = (ulong)range + 1,
        TotalBytes = (ulong)range * 100,
        Cf = cf,
        Size = (ulong)range * 10 + 1,
    };

    public static Schema Schema(int table) => new()
    {
        Db = ByteString.CopyFromUtf8($$$"""{"id":{{{1000 + (table % 3)}}},"db_name":{"O":"db{{{table % 3}}}","L":"db{{{table % 3}}}"}}"""),
        Table = ByteString.CopyFromUtf8($$$"""{"id":{{{table}}},"name":{"O":"t{{{table}}}","L":"t{{{table}}}"},"cols":[]}"""),
        Crc64Xor = (ulong)table,
        TotalKvs = 10,
        TotalBytes = 1000,
    };

    public static BackupMeta Header() => new()
    {
        ClusterId = 6_969_001,
        ClusterVersion = "\"5.1.0\"",
        BrVersion = "BR\nRelease Version: test",
        EndVersion = 445566,
    };
}
