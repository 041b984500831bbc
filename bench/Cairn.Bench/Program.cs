using BenchmarkDotNet.Running;
using Cairn.Bench;

// Run one group with: dotnet run -c Release --project bench/Cairn.Bench -- --filter '*Crc64*'
// The store's backup throughput: dotnet run -c Release --project bench/Cairn.Bench -- backup [MiB] [regions] [zstd|lz4]
if (args.Length > 0 && args[0] == "backup")
{
    return await BackupThroughput.RunAsync(args);
}

// Incremental backup after changing a share of the rows, side by side with a full one:
// dotnet run -c Release --project bench/Cairn.Bench -- incremental [rows] [percent]
if (args.Length > 0 && args[0] == "incremental")
{
    return await IncrementalSkip.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
