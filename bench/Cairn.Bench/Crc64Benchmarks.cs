using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Cairn.Common.Hashing;

namespace Cairn.Bench;

/// <summary>CRC-64/XZ: slicing-by-8 tables against 128- and 512-bit carry-less-multiply folding, with throughput in GB/s.</summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class Crc64Benchmarks
{
    private byte[] _data = [];

    [Params(64, 4096, 1 << 20)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(1).NextBytes(_data);
    }

    [Benchmark(Baseline = true)]
    public ulong Table() => Crc64.UpdateScalar(0, _data);

    [Benchmark]
    public ulong Pclmul128() => Crc64.Update(0, _data, Crc64Path.Pclmul128);

    [Benchmark]
    public ulong Pclmul512() => Crc64.Update(0, _data, Crc64Path.Pclmul512);

    [Benchmark]
    public ulong Compute() => Crc64.Compute(_data);

    [Benchmark]
    public ulong KvPair() => KvChecksum.HashPair(_data.AsSpan(0, Math.Min(32, Size)), _data.AsSpan(Math.Min(32, Size)));

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn());
    }

    /// <summary>Bytes hashed per second, from the mean time and the Size parameter.</summary>
    private sealed class ThroughputColumn : IColumn
    {
        public string Id => nameof(ThroughputColumn);

        public string ColumnName => "GB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Throughput in 10^9 bytes per second (Size / Mean)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
            GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            var size = benchmarkCase.Parameters["Size"];
            if (report?.ResultStatistics is null || size is not int bytes)
            {
                return "-";
            }

            return (bytes / report.ResultStatistics.Mean).ToString("0.00", CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
