using System.CommandLine;
using System.Globalization;
using Cairn.Br;
using Cairn.Cli.Flags;
using Cairn.Hosting;

namespace Cairn.Cli.Commands;

/// <summary>
/// <c>br backup full|db|table|raw</c>: reads and checks every flag, then hands one <see cref="BackupOptions"/> to
/// <see cref="BackupJob"/> through <see cref="JobRunner"/>. No backup logic lives here.
/// </summary>
internal static class BackupCommand
{
    /// <summary>BR's default concurrency of a backup, used for <c>--concurrency 0</c>.</summary>
    public const int DefaultConcurrency = 4;

    private const int MaxConcurrency = 256;

    /// <summary>
    /// Creates <c>backup</c> and its subcommands; <paramref name="run"/> receives the checked options (tests pass their
    /// own to see what the flags became), <see cref="JobRunner.RunAsync"/> by default.
    /// </summary>
    public static Command Create(GlobalFlags global, Func<ParseResult, GlobalFlags, string, BackupOptions, CancellationToken, Task<int>>? run = null)
    {
        run ??= JobRunner.RunAsync;
        var flags = new BackupFlags();
        var backup = new Command("backup", "Back up the cluster's tables (full, db, table) or a raw key range (raw) to external storage.");
        flags.AddTo(backup);

        var full = TableCommand("full", "Back up every table the filter matches (default *.*).", TableFlags.ForFull(), BackupKind.Full);
        var db = TableCommand("db", "Back up whole databases (--db, repeatable).", TableFlags.ForDatabase(), BackupKind.Database);
        var table = TableCommand("table", "Back up tables (-t, repeatable; with --db, or as db.table).", TableFlags.ForTable(), BackupKind.Table);
        backup.Subcommands.Add(full);
        backup.Subcommands.Add(db);
        backup.Subcommands.Add(table);

        var rawFlags = new RawFlags();
        var raw = new Command("raw", "Back up one raw-KV key range [--start, --end) of one column family.");
        rawFlags.AddTo(raw);
        raw.SetAction((parse, ct) =>
        {
            var options = Read(parse, global, flags, BackupKind.Raw) with { Raw = rawFlags.Read(parse) };
            if (options.IncrementalFrom is not null || options.LastBackupTs != 0)
            {
                throw new CliUsageException("backup raw is always full: drop --lastbackupts and --incremental-from");
            }

            return run(parse, global, "backup raw", options, ct);
        });
        backup.Subcommands.Add(raw);
        return backup;

        Command TableCommand(string name, string description, TableFlags tableFlags, BackupKind kind)
        {
            var command = new Command(name, description);
            tableFlags.AddTo(command);
            command.SetAction((parse, ct) =>
            {
                var options = tableFlags.Apply(parse, Read(parse, global, flags, kind));
                return run(parse, global, "backup " + name, options, ct);
            });
            return command;
        }
    }

    /// <summary>The options every backup kind shares, every value checked; throws <see cref="CliUsageException"/>.</summary>
    private static BackupOptions Read(ParseResult parse, GlobalFlags global, BackupFlags flags, BackupKind kind)
    {
        global.CheckSupported(parse);
        var pd = global.PdAddresses(parse);
        var (storage, storageOptions) = global.StorageTarget(parse, "where the backup goes");
        return new BackupOptions
        {
            PdAddresses = pd,
            Tls = global.Tls(parse),
            Storage = storage,
            StorageOptions = storageOptions,
            Kind = kind,
            BackupTs = flags.Snapshot(parse),
            TimeAgo = flags.Ago(parse),
            LastBackupTs = flags.Since(parse),
            IncrementalFrom = flags.Previous(parse),
            GcTtl = flags.Ttl(parse),
            RateLimitBytesPerSecond = RateLimit(parse.GetValue(global.RateLimit)),
            Concurrency = Concurrency(parse.GetValue(global.Concurrency)),
            Compression = flags.Algorithm(parse),
            CompressionLevel = flags.Level(parse),
            Checksum = parse.GetValue(global.Checksum),
            CheckRequirements = parse.GetValue(global.CheckRequirements),
            UseBackupMetaV2 = parse.GetValue(flags.UseBackupMetaV2),
            SendCredentialsToStores = parse.GetValue(global.SendCredentials),
            LocalServer = global.LocalServer.Read(parse, storage, storageOptions),
        };
    }

    /// <summary><c>--ratelimit</c>: MiB/s per store (BR's unit), returned as bytes per second.</summary>
    internal static long RateLimit(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        var value = text.Trim();
        if (value.StartsWith('-'))
        {
            throw new CliUsageException($"--ratelimit must not be negative, got '{text}' (MiB/s per store; 0 is unlimited)");
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var mib) || mib > long.MaxValue >> 20)
        {
            throw new CliUsageException($"--ratelimit: '{text}' is not a whole number of MiB/s per store (0 is unlimited)");
        }

        return mib << 20;
    }

    /// <summary><c>--concurrency</c>: 1 to 256 ranges at once; 0 (or not given) is BR's default.</summary>
    internal static int Concurrency(string? text) => GlobalFlags.ConcurrencyValue(text, DefaultConcurrency, MaxConcurrency, "");
}
