using BenchmarkDotNet.Running;

// Run one group with: dotnet run -c Release --project bench/Cairn.Bench -- --filter '*Crc64*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
