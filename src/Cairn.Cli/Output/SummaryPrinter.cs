using System.Globalization;
using Cairn.Br;
using Cairn.Common;

namespace Cairn.Cli.Output;

/// <summary>
/// The summary table of a backup (br-spec §b.16's figures), printed on standard output when the job ends, whether it
/// succeeded or not.
/// </summary>
internal static class SummaryPrinter
{
    public static void Write(TextWriter output, string title, BackupSummary s, TimeZoneInfo? zone = null)
    {
        zone ??= TimeZoneInfo.Local;
        var rows = new List<(string Name, string Value)>();
        if (s.BackupTs != 0)
        {
            var time = TimeZoneInfo.ConvertTime(Tso.ToDateTimeOffset(s.BackupTs), zone);
            rows.Add(("backup ts", string.Create(CultureInfo.InvariantCulture, $"{s.BackupTs} ({time:yyyy-MM-dd HH:mm:ss.fff zzz})")));
        }

        if (s.LastBackupTs != 0)
        {
            rows.Add(("since ts", s.LastBackupTs.ToString(CultureInfo.InvariantCulture)));
        }

        rows.Add(("storage", s.Storage));
        rows.Add(("tables", Count(s.Tables)));
        rows.Add(("ranges", string.Create(CultureInfo.InvariantCulture, $"{s.Ranges} ({s.RangesSucceeded} succeeded, {s.Ranges - s.RangesSucceeded} failed)")));
        rows.Add(("regions", Count(s.Regions)));
        rows.Add(("files", Count(s.Files)));
        rows.Add(("kvs", Count(s.TotalKvs)));
        rows.Add(("logical size", Size(s.TotalBytes)));
        rows.Add(("backup size", Size(s.BackupSize) + " (after compression)"));
        rows.Add(("speed", Speed(s.TotalBytes, s.Duration)));
        rows.Add(("duration", Seconds(s.Duration)));
        if (s.ChecksumDuration > TimeSpan.Zero)
        {
            rows.Add(("checksum", Seconds(s.ChecksumDuration)));
        }

        WriteRows(output, title, rows);
    }

    private static void WriteRows(TextWriter output, string title, List<(string Name, string Value)> rows)
    {
        var width = rows.Max(r => r.Name.Length);
        output.WriteLine(title);
        foreach (var (name, value) in rows)
        {
            output.WriteLine("  " + name.PadRight(width) + "  " + value);
        }

        output.Flush();
    }

    /// <summary>The summary table of a restore: what was created, restored and left undone.</summary>
    public static void WriteRestore(TextWriter output, string title, RestoreSummary s)
    {
        var rows = new List<(string Name, string Value)>();
        if (s.BackupTs != 0)
        {
            rows.Add(("backup ts", s.BackupTs.ToString(CultureInfo.InvariantCulture)));
        }

        rows.Add(("storage", s.Storage));
        rows.Add(("tables", string.Create(CultureInfo.InvariantCulture, $"{s.Tables:N0} selected, {s.TablesCreated:N0} created, {s.TablesRestored:N0} restored")));
        rows.Add(("databases created", Count(s.DatabasesCreated)));
        rows.Add(("ranges", Count(s.Ranges)));
        rows.Add(("files", Count(s.Files)));
        rows.Add(("kvs", Count((long)s.TotalKvs)));
        rows.Add(("logical size", Size((long)s.TotalBytes)));
        rows.Add(("speed", Speed((long)s.TotalBytes, s.Duration)));
        rows.Add(("duration", Seconds(s.Duration)));
        rows.Add(("create tables", Seconds(s.CreateDuration)));
        if (s.ChecksumDuration > TimeSpan.Zero)
        {
            rows.Add(("checksum", Seconds(s.ChecksumDuration)));
        }

        if (s.LeftUndone.Count > 0)
        {
            rows.Add(("left undone", string.Join(", ", s.LeftUndone)));
        }

        if (s.DroppedAfterFailure.Count > 0)
        {
            rows.Add(("dropped again", string.Join(", ", s.DroppedAfterFailure)));
        }

        if (s.TablesFailed.Count > 0)
        {
            rows.Add(("NOT USABLE (partial data)", string.Join(", ", s.TablesFailed)));
        }

        WriteRows(output, title, rows);
    }

    /// <summary>"Full restore", "Database restore", …</summary>
    public static string Subject(RestoreKind kind) => kind switch
    {
        RestoreKind.Full => "Full restore",
        RestoreKind.Database => "Database restore",
        RestoreKind.Table => "Table restore",
        RestoreKind.Raw => "Raw restore",
        _ => "Restore",
    };

    /// <summary>"Full backup", "Database backup", …: the title's subject, as BR words it.</summary>
    public static string Subject(BackupKind kind) => kind switch
    {
        BackupKind.Full => "Full backup",
        BackupKind.Database => "Database backup",
        BackupKind.Table => "Table backup",
        BackupKind.Raw => "Raw backup",
        _ => "Backup",
    };

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Size(long bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{ByteSize.Format((ulong)Math.Max(0, bytes))} ({bytes:N0} bytes)");

    private static string Speed(long bytes, TimeSpan duration) => duration <= TimeSpan.Zero
        ? "-"
        : ByteSize.Format((ulong)Math.Max(0, bytes / duration.TotalSeconds)) + "/s";

    private static string Seconds(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:F2} s");
}
