using System.CommandLine;

namespace Cairn.Server;

/// <summary><c>cairn smoke</c>: exercises the foundation end to end on this machine.</summary>
internal static class SmokeCommand
{
    public static Command Create()
    {
        var keys = new Option<int>("--keys")
        {
            Description = "How many MVCC versions to write into the SST.",
            DefaultValueFactory = _ => 200_000,
        };
        var workDir = new Option<string?>("--work-dir")
        {
            Description = "Folder for the temporary database and SST (default: a new temp folder, removed afterwards).",
        };
        var command = new Command("smoke",
            "Write MVCC records into an SST, ingest it into RocksDB, verify it by scan and checksum, " +
            "then serve the data over gRPC (unary and streaming) and verify it through the client.")
        {
            keys,
            workDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(keys);
            if (count <= 0)
            {
                await Console.Error.WriteLineAsync($"cairn smoke: --keys must be positive, got {count}.").ConfigureAwait(false);
                return 2;
            }
            var check = new SmokeCheck(count, parse.GetValue(workDir), Console.Out);
            return await check.RunAsync(cancellationToken).ConfigureAwait(false) ? 0 : 1;
        });
        return command;
    }
}
