using Cairn.Br;
using Cairn.Br.Filter;
using Cairn.Br.Restore;
using Cairn.Cli.Flags;
using Cairn.Storage;

namespace Cairn.Cli.Commands;

/// <summary>
/// What <c>br restore full|db|table|raw</c>'s flags asked for, every value checked: the CLI's side of the restore
/// engine's options, one field each.
/// </summary>
internal sealed record RestoreRequest
{
    /// <summary>BR's default restore concurrency (download/ingest requests at once).</summary>
    public const int DefaultConcurrency = 128;

    public required IReadOnlyList<string> PdAddresses { get; init; }

    public required string Storage { get; init; }

    public StorageOpenOptions StorageOptions { get; init; } = StorageOpenOptions.Default;

    public RestoreKind Kind { get; init; } = RestoreKind.Full;

    /// <summary>The tables to restore; null for the restore default (every table but the system databases).</summary>
    public TableFilter? Filter { get; init; }

    public IReadOnlyList<string>? Databases { get; init; }

    public IReadOnlyList<(string Database, string Table)>? Tables { get; init; }

    public bool CaseSensitive { get; init; }

    public IReadOnlyList<TableRename> Renames { get; init; } = [];

    public bool AllowExistingEmptyTables { get; init; }

    public RawBackupRange? Raw { get; init; }

    public long RateLimitBytesPerSecond { get; init; }

    public int Concurrency { get; init; } = DefaultConcurrency;

    public bool Checksum { get; init; } = true;

    public TimeSpan SwitchModeInterval { get; init; } = RestoreFlags.DefaultSwitchModeInterval;

    public bool Online { get; init; }

    public bool CheckRequirements { get; init; } = true;

    public bool SendCredentialsToStores { get; init; } = true;

    /// <summary>
    /// The engine's options. <see cref="SwitchModeInterval"/> is read and checked but not passed: the engine keeps
    /// the stores in import mode on its own schedule.
    /// </summary>
    public RestoreOptions ToOptions() => new()
    {
        PdAddresses = PdAddresses,
        Storage = Storage,
        StorageOptions = StorageOptions,
        Kind = Kind,
        Filter = Filter,
        Databases = Databases,
        Tables = Tables,
        CaseSensitive = CaseSensitive,
        Renames = Renames,
        AllowExistingEmptyTables = AllowExistingEmptyTables,
        Checksum = Checksum,
        Concurrency = Concurrency,
        RateLimitBytesPerSecond = RateLimitBytesPerSecond,
        Online = Online,
        Raw = Raw,
        SendCredentialsToStores = SendCredentialsToStores,
        CheckRequirements = CheckRequirements,
    };
}
