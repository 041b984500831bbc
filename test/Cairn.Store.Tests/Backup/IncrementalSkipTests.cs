using System.Globalization;
using System.Text.RegularExpressions;
using Cairn.Common.Mvcc;
using Cairn.Rpc.Kvrpcpb;
using Microsoft.Extensions.Logging;
using static Cairn.Store.Tests.Backup.BackupFixture;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Store.Tests.Backup;

/// <summary>
/// The incremental (delta) backup scan: which versions it emits, and that it skips the write-CF SSTs whose versions
/// are all at or before the start version, counted by the store's own log line.
/// </summary>
public sealed partial class IncrementalSkipTests : IDisposable
{
    private const string Prefix = "inc/";
    private readonly TempDirectory _target = new("incremental");

    public void Dispose() => _target.Dispose();

    [Fact]
    public async Task A_delta_after_changing_one_percent_of_the_rows_reads_fewer_write_cf_files_and_holds_exactly_the_changes()
    {
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        await using var store = await TestStore.StartAsync(loggerFactory: loggerFactory);
        var db = store.Node.Engine.Db;

        // 2000 rows in 10 transactions; even rows have values too long to inline (default CF), odd rows short ones.
        const int Rows = 2000;
        for (var chunk = 0; chunk < 10; chunk++)
        {
            await store.PutAsync([.. Enumerable.Range(chunk * 200, 200).Select(i => (Key(i), Value(i, "v1")))]);
        }

        // Settle the load in the bottom level, as a long-lived store has most of its data.
        foreach (var cf in new[] { store.Node.Engine.Write, store.Node.Engine.Default })
        {
            db.Flush(cf);
            db.CompactRange(cf);
        }

        var since = store.Ts.Next();

        // 1 % of the rows change in two transactions: 10 updates, 5 deletes, 5 inserts of new rows.
        var updated = Enumerable.Range(0, 10).Select(i => i * 197).ToList();
        var deleted = Enumerable.Range(0, 5).Select(i => 3 + (i * 389)).ToList();
        var inserted = Enumerable.Range(Rows, 5).ToList();
        await store.PutAsync([.. updated.Concat(inserted).Select(i => (Key(i), Value(i, "v2")))]);
        await DeleteAsync(store, [.. deleted.Select(Key)]);
        db.Flush(store.Node.Engine.Write);
        db.Flush(store.Node.Engine.Default);
        var until = store.Ts.Next();
        var writeFiles = db.GetLiveFiles().Count(f => f.ColumnFamilyName == "write");
        Assert.True(writeFiles >= 2, $"the write CF should hold the loaded files and the changes' file, has {writeFiles}");

        var responses = await BackupAsync(store.Channel, Request(_target.Path, until, Prefix, "inc0", startVersion: since));
        var files = Assert.Single(responses, r => r.Error is null).Files;
        var changes = await ReadChangesAsync(files);

        var expected = updated.Concat(inserted).ToDictionary(Key, i => (WriteType.Put, (string?)Value(i, "v2")));
        foreach (var i in deleted)
        {
            expected[Key(i)] = (WriteType.Delete, null);
        }

        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), changes.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.All(files, f => Assert.Equal(since, f.StartVersion));

        var scanned = DeltaScanLine(logs, since);
        Assert.True(scanned.FilesSkipped >= 1, $"no write-CF file was skipped: {scanned}");
        Assert.True(scanned.FilesRead < writeFiles, $"read {scanned.FilesRead} of {writeFiles} write-CF files: {scanned}");
        Assert.True(scanned.BytesRead < scanned.BytesSkipped, $"the changes' file should be the smaller part: {scanned}");

        // A delta with nothing changed is valid and empty, and skips every file.
        var nothing = await BackupAsync(store.Channel, Request(Path.Combine(_target.Path, "empty"), store.Ts.Next(), Prefix, "inc0", startVersion: until));
        var answer = Assert.Single(nothing);
        Assert.Null(answer.Error);
        Assert.Equal(0UL, answer.Files.Aggregate(0UL, (sum, f) => sum + f.TotalKvs));
        Assert.Equal(0L, DeltaScanLine(logs, until).FilesRead);
    }

    [Fact]
    public async Task A_delta_window_takes_commits_after_the_start_up_to_the_end_and_leaves_out_lock_and_rollback_records()
    {
        await using var store = await TestStore.StartAsync();
        var atStart = await store.PutAsync(("w/at-start", "s"));
        var inside = await store.PutAsync(("w/inside", "i"));
        var lockStart = store.Ts.Next();
        Assert.Empty((await store.PrewriteAsync(lockStart, "w/locked", 3000, (Op.Lock, "w/locked", null))).Errors);
        Assert.Null((await store.CommitAsync(lockStart, store.Ts.Next(), "w/locked")).Error);
        var rolledBack = store.Ts.Next();
        Assert.Empty((await store.PrewriteAsync(rolledBack, "w/rolled", 3000, (Op.Put, "w/rolled", TestStore.Bytes("never")))).Errors);
        Assert.Null((await store.Channel.Tikv.KvBatchRollbackAsync(new BatchRollbackRequest { Context = store.Ctx("w/rolled"), StartVersion = rolledBack, Keys = { TestStore.B("w/rolled") } })).Error);
        await DeleteAsync(store, "w/inside");
        var atEnd = await store.PutAsync(("w/at-end", "e"));
        await store.PutAsync(("w/after-end", "a"));
        store.Node.Engine.Db.Flush(store.Node.Engine.Write);

        var responses = await BackupAsync(store.Channel, Request(_target.Path, atEnd, "w/", "w0", startVersion: atStart));
        var response = Assert.Single(responses);
        Assert.Null(response.Error);
        var versions = new List<(string Key, ulong Ts, WriteType Type)>();
        foreach (var file in response.Files.Where(f => f.Cf == "write"))
        {
            foreach (var (key, value) in await ReadCheckedAsync(_target.Path, file))
            {
                var (user, ts) = DecodeDataKey(key);
                versions.Add((user, ts, WriteRecord.Decode(value).Type));
            }
        }

        Assert.Equal(3, versions.Count);
        Assert.Equal(("w/at-end", atEnd, WriteType.Put), versions[0]);
        Assert.Equal(("w/inside", WriteType.Delete), (versions[1].Key, versions[1].Type));
        Assert.Equal(("w/inside", inside, WriteType.Put), versions[2]);
    }

    private static string Key(int i) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{i:D6}");

    private static string Value(int i, string version) =>
        i % 2 == 0 ? $"{version}-{i}-{new string('L', 120)}" : $"{version}-{i}";

    private static async Task DeleteAsync(TestStore store, params string[] keys)
    {
        var startTs = store.Ts.Next();
        var prewrite = await store.PrewriteAsync(startTs, keys[0], 3000, [.. keys.Select(k => (Op.Del, k, (byte[]?)null))]);
        Assert.Empty(prewrite.Errors);
        Assert.Null((await store.CommitAsync(startTs, store.Ts.Next(), keys)).Error);
    }

    // Every change in the files: key → (type, value), the value found inline or in the default-CF file.
    private async Task<Dictionary<string, (WriteType, string?)>> ReadChangesAsync(IEnumerable<BackupFile> files)
    {
        var values = new Dictionary<(string, ulong), string>();
        var records = new List<(string Key, WriteRecord Record)>();
        foreach (var file in files)
        {
            foreach (var (key, value) in await ReadCheckedAsync(_target.Path, file))
            {
                var (user, ts) = DecodeDataKey(key);
                if (file.Cf == "default")
                {
                    values[(user, ts)] = System.Text.Encoding.UTF8.GetString(value);
                }
                else
                {
                    records.Add((user, WriteRecord.Decode(value)));
                }
            }
        }

        var changes = new Dictionary<string, (WriteType, string?)>(StringComparer.Ordinal);
        foreach (var (key, record) in records)
        {
            Assert.False(changes.ContainsKey(key), $"{key} changed once but appears twice");
            var value = record.Type != WriteType.Put ? null
                : record.ShortValue is { } inline ? System.Text.Encoding.UTF8.GetString(inline) : values[(key, record.StartTs)];
            changes[key] = (record.Type, value);
        }

        return changes;
    }

    private static (long Pieces, long FilesRead, long BytesRead, long FilesSkipped, long BytesSkipped) DeltaScanLine(CapturingLoggerProvider logs, ulong startVersion)
    {
        var line = logs.Entries.Select(e => e.Message).Last(m => m.StartsWith($"Incremental backup from {startVersion}:", StringComparison.Ordinal));
        var match = DeltaScanPattern().Match(line);
        Assert.True(match.Success, line);
        long N(int group) => long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        return (N(1), N(2), N(3), N(4), N(5));
    }

    [GeneratedRegex(@"the delta scans of (\d+) pieces read (\d+) write-CF SST files \((\d+) bytes\) and skipped (\d+) \((\d+) bytes\)")]
    private static partial Regex DeltaScanPattern();
}
