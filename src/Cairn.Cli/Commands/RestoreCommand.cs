using System.CommandLine;
using Cairn.Br;
using Cairn.Cli.Flags;
using Cairn.Hosting;

namespace Cairn.Cli.Commands;

/// <summary>
/// <c>br restore full|db|table|raw</c>: reads and checks every flag into one <see cref="RestoreRequest"/> and hands it
/// to <see cref="RestoreRunner"/>. No restore logic lives here.
/// </summary>
internal static class RestoreCommand
{
    private const int MaxConcurrency = 1024;

    /// <summary>Creates <c>restore</c>; <paramref name="run"/> receives the checked request (tests pass their own).</summary>
    public static Command Create(GlobalFlags global, Func<ParseResult, GlobalFlags, string, RestoreRequest, CancellationToken, Task<int>>? run = null)
    {
        run ??= RestoreRunner.RunAsync;
        var flags = new RestoreFlags();
        var restore = new Command("restore", "Restore a backup's tables (full, db, table) or its raw key range (raw) into the cluster.");
        flags.AddTo(restore);

        restore.Subcommands.Add(TableCommand("full", "Restore every table of the backup the filter matches (default: all but the system databases).", TableFlags.ForFull(restore: true), RestoreKind.Full));
        restore.Subcommands.Add(TableCommand("db", "Restore whole databases of the backup (--db, repeatable).", TableFlags.ForDatabase(restore: true), RestoreKind.Database));
        restore.Subcommands.Add(TableCommand("table", "Restore tables of the backup (-t, repeatable; with --db, or as db.table).", TableFlags.ForTable(restore: true), RestoreKind.Table));

        var rawFlags = new RawFlags();
        var raw = new Command("raw", "Restore a raw-KV backup's key range [--start, --end) of one column family (empty: all of it).");
        rawFlags.AddTo(raw);
        raw.SetAction((parse, ct) =>
        {
            var request = Read(parse, global, flags, RestoreKind.Raw);
            request = request with { Options = request.Options with { Raw = rawFlags.Read(parse) } };
            if (request.Options.Renames.Count > 0)
            {
                throw new CliUsageException("--rename names tables; a raw restore has none");
            }

            return run(parse, global, "restore raw", request, ct);
        });
        restore.Subcommands.Add(raw);
        return restore;

        Command TableCommand(string name, string description, TableFlags tableFlags, RestoreKind kind)
        {
            var command = new Command(name, description);
            tableFlags.AddTo(command);
            command.SetAction((parse, ct) =>
            {
                var request = Read(parse, global, flags, kind);
                var selection = tableFlags.Apply(parse, new BackupOptions { PdAddresses = request.Options.PdAddresses, Storage = request.Options.Storage });
                request = request with { Options = request.Options with { Filter = selection.Filter, Databases = selection.Databases, Tables = selection.Tables, CaseSensitive = selection.CaseSensitive } };
                return run(parse, global, "restore " + name, request, ct);
            });
            return command;
        }
    }

    private static RestoreRequest Read(ParseResult parse, GlobalFlags global, RestoreFlags flags, RestoreKind kind)
    {
        global.CheckSupported(parse);
        _ = global.Level(parse);
        _ = JobRunner.StatusEndPoint(parse.GetValue(global.StatusAddr));
        var pd = global.PdAddresses(parse);
        var (storage, storageOptions) = global.StorageTarget(parse, "where the backup is");
        var options = new RestoreOptions
        {
            PdAddresses = pd,
            Tls = global.Tls(parse),
            Storage = storage,
            StorageOptions = storageOptions,
            Kind = kind,
            Renames = flags.Renames(parse),
            RateLimitBytesPerSecond = BackupCommand.RateLimit(parse.GetValue(global.RateLimit)),
            Concurrency = Concurrency(parse.GetValue(global.Concurrency)),
            Checksum = parse.GetValue(global.Checksum),
            Online = parse.GetValue(flags.Online),
            AllowExistingEmptyTables = parse.GetValue(flags.AllowExistingEmpty),
            CheckRequirements = parse.GetValue(global.CheckRequirements),
            SendCredentialsToStores = parse.GetValue(global.SendCredentials),
            LocalServer = global.LocalServer.Read(parse, storage, storageOptions),
            SwitchModeInterval = flags.Interval(parse),
        };
        return new RestoreRequest(options);
    }

    /// <summary><c>--concurrency</c> of a restore: 1 to 1024 requests at once; 0 (or not given) is BR's 128.</summary>
    internal static int Concurrency(string? text) => GlobalFlags.ConcurrencyValue(text, RestoreRequest.DefaultConcurrency, MaxConcurrency, " for a restore");
}
