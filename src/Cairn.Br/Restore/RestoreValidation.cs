namespace Cairn.Br.Restore;

/// <summary>Checks the meaning of <see cref="RestoreOptions"/> and fills defaults, before anything is read or created.</summary>
internal static class RestoreValidation
{
    /// <summary>BR's default download and ingest concurrency.</summary>
    public const int DefaultConcurrency = 128;

    /// <summary>The options with defaults filled; throws <see cref="BrException"/> (<c>ErrInvalidArgument</c>) naming what is wrong.</summary>
    public static RestoreOptions Validate(RestoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PdAddresses is not { Count: > 0 } || options.PdAddresses.Any(string.IsNullOrWhiteSpace))
        {
            throw Invalid("no pd address given: pass -u/--pd host:port");
        }

        if (string.IsNullOrWhiteSpace(options.Storage))
        {
            throw Invalid("no storage given: pass -s/--storage with the URL of the backup, such as local:///backups/b1 or s3://bucket/prefix");
        }

        if (options.Online)
        {
            throw new BrException("ErrInvalidArgument", "--online restore is not supported yet: run the restore without --online (into a cluster that serves no traffic on the restored tables)");
        }

        if (options.Concurrency < 0)
        {
            throw Invalid($"--concurrency {options.Concurrency} is negative: give the number of file groups imported at once (default {DefaultConcurrency})");
        }

        if (options.RateLimitBytesPerSecond < 0)
        {
            throw Invalid($"--ratelimit {options.RateLimitBytesPerSecond} bytes/s is negative: give a rate, or 0 for none");
        }

        if (options.SwitchModeInterval <= TimeSpan.Zero)
        {
            throw Invalid($"--switch-mode-interval {options.SwitchModeInterval} is not more than 0: give how often the stores are told to stay in import mode (default 5m)");
        }

        if (options.ScatterWait <= TimeSpan.Zero)
        {
            throw Invalid($"scatter wait {options.ScatterWait} is not more than 0: give how long to wait for pd to scatter the new regions (default 180 s)");
        }

        if (options.CreateBatchSize < 0)
        {
            throw Invalid($"table creation batch size {options.CreateBatchSize} is negative: give the tables created per transaction");
        }

        switch (options.Kind)
        {
            case RestoreKind.Raw when options.Raw is null:
                throw Invalid("restore raw names no range: pass --start and --end (hex or escaped) and --cf");
            case RestoreKind.Raw when options.Raw is { End.Length: > 0 } raw && raw.Start.AsSpan().SequenceCompareTo(raw.End) >= 0:
                throw Invalid("restore raw range is empty: --start must be below --end");
            case RestoreKind.Raw when options.Renames.Count > 0:
                throw Invalid("--rename routes tables and does not apply to restore raw: drop it");
            case RestoreKind.Database when options.Filter is null && options.Databases is not { Count: > 0 }:
                throw Invalid("restore db names no database: pass --db");
            case RestoreKind.Table when options.Filter is null && options.Tables is not { Count: > 0 }:
                throw Invalid("restore table names no table: pass --db and -t/--table");
        }

        return options with
        {
            Concurrency = options.Concurrency == 0 ? DefaultConcurrency : options.Concurrency,
            GcTtl = options.GcTtl <= TimeSpan.Zero ? TimeSpan.FromSeconds(300) : options.GcTtl,
            CreateBatchSize = options.CreateBatchSize == 0 ? 256 : options.CreateBatchSize,
            Checksum = options.Checksum && options.Kind != RestoreKind.Raw,
        };
    }

    private static BrException Invalid(string message) => new("ErrInvalidArgument", message);
}
