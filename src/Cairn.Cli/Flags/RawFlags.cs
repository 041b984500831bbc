using System.CommandLine;
using Cairn.Br;
using Cairn.Hosting;

namespace Cairn.Cli.Flags;

/// <summary><c>br backup raw</c>'s range flags: <c>--start</c>, <c>--end</c> (exclusive) in <c>--format</c>, and <c>--cf</c>.</summary>
internal sealed class RawFlags
{
    private static readonly string[] ColumnFamilies = ["default", "write", "lock"];

    public Option<string?> Start { get; } = new("--start") { Description = "first raw key (inclusive), in --format; empty: the beginning" };

    public Option<string?> End { get; } = new("--end") { Description = "end raw key (exclusive), in --format; empty: the end of the key space" };

    public Option<string> Format { get; } = new("--format")
    {
        Description = "how --start and --end are written: raw, escaped (C escapes such as \\x00) or hex",
        DefaultValueFactory = _ => "hex",
    };

    public Option<string> ColumnFamily { get; } = new("--cf")
    {
        Description = "column family to back up: default, write or lock",
        DefaultValueFactory = _ => "default",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Start);
        command.Options.Add(End);
        command.Options.Add(Format);
        command.Options.Add(ColumnFamily);
    }

    public RawBackupRange Read(ParseResult parse)
    {
        var format = parse.GetValue(Format) ?? "hex";
        var start = KeyFormat.Parse(parse.GetValue(Start) ?? "", format, "--start");
        var end = KeyFormat.Parse(parse.GetValue(End) ?? "", format, "--end");
        if (end.Length > 0 && start.AsSpan().SequenceCompareTo(end) >= 0)
        {
            throw new CliUsageException($"--start must be before --end (the end is exclusive), got start {Convert.ToHexString(start)} and end {Convert.ToHexString(end)} (hex)");
        }

        var cf = (parse.GetValue(ColumnFamily) ?? "default").Trim().ToLowerInvariant();
        if (!ColumnFamilies.Contains(cf))
        {
            throw new CliUsageException($"--cf: '{parse.GetValue(ColumnFamily)}' is not one of {string.Join(", ", ColumnFamilies)}");
        }

        return new RawBackupRange(start, end, cf);
    }
}
