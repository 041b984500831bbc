using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Cairn.Br.Filter;
using Cairn.Br.Metadata;
using Cairn.Common.Keys;
using Cairn.Rpc.Backup;
using Cairn.Storage.Local;
using Google.Protobuf;

namespace Cairn.Bench;

/// <summary>
/// backupmeta written and read back for a backup of <see cref="Ranges"/> ranges (a default and a write file each) on
/// local storage, v1 (one message) against v2 (meta files cut at the limit), and table-filter matching.
/// </summary>
[MemoryDiagnoser]
public class MetaBenchmarks
{
    private readonly List<Cairn.Rpc.Backup.File[]> _ranges = [];
    private string _folder = "";
    private TableFilter _rules = TableFilter.All;
    private TableFilter _exact = TableFilter.All;
    private (string, string)[] _names = [];

    [Params(100_000)]
    public int Ranges { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"cairn-bench-meta-{Guid.NewGuid():N}");
        for (var i = 0; i < Ranges; i++)
        {
            var range = TableCodec.RecordRange(100 + (i / 1000));
            var start = TableCodec.EncodeRecordKey(100 + (i / 1000), i);
            _ranges.Add([File(i, "default", start, range.End), File(i, "write", start, range.End)]);
        }
        _rules = TableFilter.Parse(["*.*", "!mysql.*", "!sys.*", "app*.t[0-9]*", "!app1.t1*", "`x.y`.*", "!*.tmp_*"]);
        _names = [.. Enumerable.Range(0, 10_000).Select(i => ($"app{i % 20}", $"t{i}"))];
        _exact = TableFilter.ForTables(_names);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark]
    public Task<long> WriteAndReadV1() => WriteAndReadAsync(useV2: false);

    [Benchmark]
    public Task<long> WriteAndReadV2() => WriteAndReadAsync(useV2: true);

    [Benchmark]
    public int MatchRules() => _names.Count(n => _rules.MatchTable(n.Item1, n.Item2));

    [Benchmark]
    public int MatchExactTables() => _names.Count(n => _exact.MatchTable(n.Item1, n.Item2));

    private async Task<long> WriteAndReadAsync(bool useV2)
    {
        var folder = Path.Combine(_folder, Guid.NewGuid().ToString("N"));
        var storage = new LocalStorage(folder);
        var writer = new BackupMetaWriter(storage, useV2, metaFileSizeLimit: 8L << 20);
        foreach (var range in _ranges)
        {
            await writer.AddFilesAsync(range);
        }
        var bytes = await writer.FinishAsync(new BackupMeta { ClusterId = 1, BrVersion = "bench", EndVersion = 1 });
        var reader = await BackupMetaReader.OpenAsync(storage);
        long count = 0;
        await foreach (var _ in reader.ReadFilesAsync())
        {
            count++;
        }
        Directory.Delete(folder, recursive: true);
        return count == 2L * Ranges ? bytes : throw new InvalidOperationException($"read {count} files");
    }

    private static Cairn.Rpc.Backup.File File(int i, string cf, byte[] start, byte[] end) => new()
    {
        Name = $"1_{i}_3_{Convert.ToHexStringLower(SHA256.HashData(start))}_1700000000000_{cf}.sst",
        Sha256 = ByteString.CopyFrom(SHA256.HashData(BitConverter.GetBytes(i))),
        StartKey = ByteString.CopyFrom(start),
        EndKey = ByteString.CopyFrom(end),
        EndVersion = 445566UL << 18,
        Crc64Xor = (ulong)i * 0x9E3779B97F4A7C15UL,
        TotalKvs = 1000,
        TotalBytes = 100_000,
        Cf = cf,
        Size = 40_000,
    };
}
