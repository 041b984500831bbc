using Cairn.Cli.Commands;
using Cairn.Hosting;

return await CliRunner.RunAsync(BrRoot.Create(), "br", args).ConfigureAwait(false);
