using System.CommandLine;
using Cairn.Br.LocalServer;
using Cairn.Hosting;
using Cairn.Storage;

namespace Cairn.Cli.Flags;

/// <summary>
/// <c>--local-server</c> and <c>--local-server-addr</c>: br serves the <c>local://</c> folder to the stores for the
/// job's duration, so every store's files go to (and come from) one folder on br's machine.
/// </summary>
internal sealed class LocalServerFlags
{
    public Option<bool> Enabled { get; } = new("--local-server")
    {
        Description = "serve the local:// folder to the stores while the job runs, so all their files go to (or come from) this one folder on br's machine",
        Recursive = true,
    };

    public Option<string?> Address { get; } = new("--local-server-addr")
    {
        Description = "host:port the local server listens on (default: 127.0.0.1:0 for a cluster on loopback, else this machine's address towards the stores, port 0)",
        Recursive = true,
    };

    /// <summary>Adds both flags to <paramref name="root"/>.</summary>
    public void AddTo(RootCommand root)
    {
        root.Options.Add(Enabled);
        root.Options.Add(Address);
    }

    /// <summary>The options, or null without <c>--local-server</c>; throws <see cref="CliUsageException"/> on a bad combination.</summary>
    public LocalServerOptions? Read(ParseResult parse, string storage, StorageOpenOptions storageOptions)
    {
        var address = parse.GetValue(Address);
        if (!parse.GetValue(Enabled))
        {
            return address is null ? null : throw new CliUsageException("--local-server-addr needs --local-server");
        }

        if (StorageUrl.Parse(storage, storageOptions).Kind != StorageKind.Local)
        {
            throw new CliUsageException($"--local-server serves a folder of this machine: give --storage local:///absolute/path, not {Redact.Url(storage)}");
        }

        if (address is not null && !LocalServerOptions.TrySplitAddress(address, out _, out _))
        {
            throw new CliUsageException($"--local-server-addr '{address}' is not host:port (for example 10.0.0.5:0, where port 0 picks a free port)");
        }

        return new LocalServerOptions { Address = address };
    }
}
