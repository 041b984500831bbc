using System.CommandLine;
using Cairn.Hosting;
using Cairn.Server;

var root = new RootCommand("cairn: the Cairn cluster, its smoke check and its tools");
root.Subcommands.Add(SmokeCommand.Create());
root.Subcommands.Add(StorageCommand.Create());
root.Subcommands.Add(PdCommand.Create());
root.Subcommands.Add(StoreCommand.Create());
root.Subcommands.Add(PlaygroundCommand.Create());
foreach (var command in SqlCommands.Create())
{
    root.Subcommands.Add(command);
}

root.Subcommands.Add(WorkloadCommand.Create());
root.Subcommands.Add(TlsCommand.Create());
TlsFlags.AddTo(root);
return await CliRunner.RunAsync(root, "cairn", args).ConfigureAwait(false);
