using System.Globalization;
using Cairn.Rpc.ImportSstpb;
using Cairn.Store.Engine;
using Microsoft.Extensions.Logging;

namespace Cairn.Store.Import;

/// <summary>
/// Import mode, TiKV's way (br-spec-2 §3): entering it raises, for every column family, the level-0 slowdown and
/// stop triggers to at least 2^30 and turns the pending-compaction limits off, so bulk ingests are never stalled;
/// the values in force before are read from RocksDB's own options file and put back on Normal. TiKV also raises
/// <c>max_background_jobs</c> to 32; that is a database-wide option, and librocksdb's C API can change only column
/// family options at run time (its <c>rocksdb_set_options</c> is SetOptions on the default column family, there is
/// no SetDBOptions), so the store keeps the background jobs it was opened with. Every import call renews a deadline; a store not renewed within the timeout goes
/// back to Normal by itself, so a br killed without cleaning up leaves no store tuned for import. A store starts
/// Normal (options are not persisted by <c>SetOptions</c> across a reopen: RocksDB opens with the configured values).
/// </summary>
internal sealed partial class ImportModeSwitcher : IAsyncDisposable
{
    private static readonly string[] CfOptionNames =
    [
        "level0_slowdown_writes_trigger",
        "level0_stop_writes_trigger",
        "soft_pending_compaction_bytes_limit",
        "hard_pending_compaction_bytes_limit",
    ];

    private readonly StoreEngine _engine;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watcher;
    private Dictionary<string, Dictionary<string, string>>? _saved;
    private long _deadline;

    /// <summary>Creates the switcher in Normal mode and starts the loop that enforces the timeout.</summary>
    public ImportModeSwitcher(StoreEngine engine, TimeSpan timeout, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _engine = engine;
        _timeout = timeout;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _watcher = Task.Run(() => WatchAsync(_stop.Token));
    }

    /// <summary>The mode the store is in.</summary>
    public SwitchMode Mode
    {
        get
        {
            lock (_gate)
            {
                return _saved is null ? SwitchMode.Normal : SwitchMode.Import;
            }
        }
    }

    /// <summary>
    /// Switches to <paramref name="mode"/>. Entering Import when already in it changes nothing but the deadline;
    /// Normal when already Normal does nothing.
    /// </summary>
    public void Switch(SwitchMode mode)
    {
        lock (_gate)
        {
            if (mode == SwitchMode.Import)
            {
                if (_saved is null)
                {
                    EnterImport();
                }

                RenewLocked();
            }
            else if (_saved is not null)
            {
                LeaveImport();
                Log.Normal(_logger, "asked to");
            }
        }
    }

    /// <summary>Pushes the deadline back by the timeout when the store is in Import mode (every import call does this).</summary>
    public void Renew()
    {
        lock (_gate)
        {
            if (_saved is not null)
            {
                RenewLocked();
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _watcher.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private void RenewLocked() => _deadline = _time.GetTimestamp() + (long)(_timeout.TotalSeconds * _time.TimestampFrequency);

    private void EnterImport()
    {
        var current = _engine.Db.ReadPersistedOptions();
        var saved = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var cf in DataFamilies())
        {
            var options = current.ColumnFamily(cf.Name);
            saved[cf.Name] = CfOptionNames.ToDictionary(n => n, n => options[n], StringComparer.Ordinal);
        }

        foreach (var cf in DataFamilies())
        {
            var slowdown = Math.Max(current.ColumnFamilyNumber(cf.Name, CfOptionNames[0]), 1L << 30);
            var stop = Math.Max(current.ColumnFamilyNumber(cf.Name, CfOptionNames[1]), 1L << 30);
            _engine.Db.SetOptions(cf,
            [
                new(CfOptionNames[0], slowdown.ToString(CultureInfo.InvariantCulture)),
                new(CfOptionNames[1], stop.ToString(CultureInfo.InvariantCulture)),
                new(CfOptionNames[2], "0"),
                new(CfOptionNames[3], "0"),
            ]);
        }

        _saved = saved;
        Log.Import(_logger, _timeout);
    }

    private void LeaveImport()
    {
        foreach (var cf in DataFamilies())
        {
            _engine.Db.SetOptions(cf, _saved![cf.Name]);
        }

        _saved = null;
    }

    private RocksDb.ColumnFamily[] DataFamilies() => [_engine.Default, _engine.Write, _engine.Lock];

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        // Checking ten times per timeout keeps the overshoot within a tenth of it (at most a second).
        var period = TimeSpan.FromTicks(Math.Clamp(_timeout.Ticks / 10, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromSeconds(1).Ticks));
        using var timer = new PeriodicTimer(period, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            lock (_gate)
            {
                if (_saved is not null && _time.GetTimestamp() >= _deadline)
                {
                    try
                    {
                        LeaveImport();
                        Log.Normal(_logger, $"not renewed within {_timeout}");
                    }
                    catch (RocksDb.RocksDbException e)
                    {
                        Log.RevertFailed(_logger, e);
                    }
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2601, Level = LogLevel.Information, Message = "Import mode on (reverts to Normal unless renewed within {Timeout})")]
        public static partial void Import(ILogger logger, TimeSpan timeout);

        [LoggerMessage(EventId = 2602, Level = LogLevel.Information, Message = "Import mode off, Normal mode: {Why}")]
        public static partial void Normal(ILogger logger, string why);

        [LoggerMessage(EventId = 2603, Level = LogLevel.Error, Message = "Could not return to Normal mode; will try again")]
        public static partial void RevertFailed(ILogger logger, Exception exception);
    }
}
